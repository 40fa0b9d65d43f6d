import { config } from './config';
import { lazy } from './lazy';

export interface PeriodBuckets {
  day: string;
  month: string;
  year: string;
}

const partsFormatter = lazy(
  () =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone: config.alliance.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }),
);

/** The alliance-local calendar day, month and year an instant falls in (a meeting at 23:30 UTC on
 * 30 June counts in July when the alliance keeps British Summer Time). */
export function periodsOf(
  instant: string | Date,
  timeZoneFormatter: Intl.DateTimeFormat = partsFormatter(),
): PeriodBuckets {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  const parts = Object.fromEntries(
    timeZoneFormatter.formatToParts(date).map((part) => [part.type, part.value]),
  );
  const year = parts.year ?? '';
  const month = `${year}-${parts.month ?? ''}`;
  return { year, month, day: `${month}-${parts.day ?? ''}` };
}

export const nowIso = (): string => new Date().toISOString();
