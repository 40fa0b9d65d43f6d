/**
 * A moment in time at an edge (HTTP body): any ISO 8601 offset in, UTC out (`toISOString()`), so every
 * stored time sorts and compares correctly as a string (DynamoDB key conditions, `<` in code). Years
 * outside 2000–2100 are refused: nobody schedules those, and beyond 9999 neither ISO 8601's basic form
 * nor iCalendar can write them.
 */
import * as z from 'zod';

export const earliestYear = 2000;
export const latestYear = 2100;
/** Later than any time the edge accepts: an open upper bound for "from now on" queries. */
export const beyondLatest = new Date(Date.UTC(latestYear + 1, 0, 1)).toISOString();

/** `field` names the field in the messages, e.g. `startsAt must be in the years 2000 to 2100`. */
export const instant = (field: string, example: string) =>
  z.iso
    .datetime({
      offset: true,
      error: `${field} must be an ISO 8601 date-time with a time zone, like ${example}`,
    })
    .transform((value) => new Date(value))
    .refine((date) => !Number.isNaN(date.getTime()), {
      message: `${field} must be a real date and time, like ${example}`,
      abort: true,
    })
    .refine(
      (date) => date.getUTCFullYear() >= earliestYear && date.getUTCFullYear() <= latestYear,
      `${field} must be in the years ${earliestYear} to ${latestYear}`,
    )
    .transform((date) => date.toISOString());
