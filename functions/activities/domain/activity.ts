/** What an activity is, and what the public may see of it. Pure: no AWS. */
import * as z from 'zod';
import { config, ids } from '../../../shared/config';
import { instant } from '../../../shared/instant';
import { lazy } from '../../../shared/lazy';
import { singleLine } from '../../../shared/text-fields';

const maxDurationMs = 31 * 24 * 3600 * 1000;

/** Any offset in, UTC out: stored times compare correctly as strings (listing, reminders, feedback). */
const time = (field: string) => instant(field, '2027-01-14T14:00:00Z');

const httpsUrl = z
  .url({ protocol: /^https$/, error: 'The online link must be a full https:// address' })
  .max(2000, 'The online link is too long');

const fields = {
  kind: z
    .string({ error: 'Choose the kind of activity' })
    .refine((value) => ids.activityKinds.includes(value), {
      message: `Choose the kind of activity (${ids.activityKinds.join(', ')})`,
    }),
  network: z.string({ error: 'Choose the network' }).refine((value) => ids.networks.includes(value), {
    message: `Choose the network (${ids.networks.join(', ')})`,
  }),
  title: singleLine('a title', 200),
  description: z
    .string()
    .max(5000, 'Shorten the description to 5000 characters or fewer')
    .transform((value) => value.normalize('NFC').trim())
    .default(''),
  startsAt: time('startsAt'),
  endsAt: time('endsAt'),
  venue: singleLine('the venue', 300).nullable().default(null),
  onlineUrl: httpsUrl.nullable().default(null),
  capacity: z
    .number({ error: 'capacity must be a whole number, or null for no limit' })
    .int('capacity must be a whole number')
    .min(1, 'capacity must be at least 1')
    .max(100_000, 'capacity must be at most 100000')
    .nullable()
    .default(null),
};

type Times = { startsAt?: string; endsAt?: string };
/** Both times as milliseconds, or undefined when either is missing or not a date (reported elsewhere). */
const span = (value: Times) => {
  const start = Date.parse(value.startsAt ?? '');
  const end = Date.parse(value.endsAt ?? '');
  return Number.isNaN(start) || Number.isNaN(end) ? undefined : { start, end };
};
const timesInOrder = (value: Times) => {
  const times = span(value);
  return !times || times.end > times.start;
};
const timesNotTooLong = (value: Times) => {
  const times = span(value);
  return !times || times.end - times.start <= maxDurationMs;
};

export const newActivitySchema = z
  .object(fields)
  .strict()
  .refine(timesInOrder, { message: 'endsAt must be after startsAt', path: ['endsAt'] })
  .refine(timesNotTooLong, { message: 'An activity can last at most 31 days', path: ['endsAt'] })
  .refine((value) => value.venue !== null || value.onlineUrl !== null, {
    message: 'Give a venue, an online link, or both',
    path: ['venue'],
  });

export const activityChangeSchema = z
  .object({
    kind: fields.kind.optional(),
    network: fields.network.optional(),
    title: fields.title.optional(),
    description: z.string().max(5000).optional(),
    startsAt: fields.startsAt.optional(),
    endsAt: fields.endsAt.optional(),
    venue: singleLine('the venue', 300).nullable().optional(),
    onlineUrl: httpsUrl.nullable().optional(),
    capacity: z.number().int().min(1).max(100_000).nullable().optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, 'Send at least one field to change');

export type NewActivity = z.infer<typeof newActivitySchema>;
export type ActivityChange = z.infer<typeof activityChangeSchema>;

export interface Activity extends NewActivity {
  activityId: string;
  status: 'scheduled' | 'cancelled';
  /** Bumped whenever the time or place changes, for calendar updates (iCalendar SEQUENCE). */
  sequence: number;
  accepted: number;
  createdAt: string;
  updatedAt: string;
}

/** A newly scheduled activity: nobody booked yet, the first calendar sequence. */
export const scheduledActivity = (fields: NewActivity, activityId: string, now: string): Activity => ({
  ...fields,
  activityId,
  status: 'scheduled',
  sequence: 0,
  accepted: 0,
  createdAt: now,
  updatedAt: now,
});

/**
 * The same moment written differently (an activity stored before times were normalised to UTC, sent
 * back in UTC) is no change: it must not re-time reminders or send calendar updates.
 */
const sameInstant = (key: string, before: unknown, after: unknown) =>
  (key === 'startsAt' || key === 'endsAt') &&
  typeof before === 'string' &&
  typeof after === 'string' &&
  before !== after &&
  Date.parse(before) === Date.parse(after);

/** Applies a change; says which fields really changed and whether the time or place moved. */
export function applyActivityChange(activity: Activity, change: ActivityChange) {
  const next: Activity = { ...activity };
  const changed: string[] = [];
  for (const [key, value] of Object.entries(change) as Array<[keyof ActivityChange, unknown]>) {
    if (value === undefined) continue;
    const normalised = typeof value === 'string' ? value.normalize('NFC').trim() : value;
    if (sameInstant(key, activity[key], normalised)) continue;
    if (JSON.stringify(activity[key]) !== JSON.stringify(normalised)) {
      (next as unknown as Record<string, unknown>)[key] = normalised;
      changed.push(key);
    }
  }
  const problems: Array<{ field: string; message: string }> = [];
  if (!timesInOrder(next)) problems.push({ field: 'endsAt', message: 'endsAt must be after startsAt' });
  if (!timesNotTooLong(next))
    problems.push({ field: 'endsAt', message: 'An activity can last at most 31 days' });
  if (next.venue === null && next.onlineUrl === null)
    problems.push({ field: 'venue', message: 'Give a venue, an online link, or both' });
  if (next.capacity !== null && next.capacity < activity.accepted) {
    problems.push({
      field: 'capacity',
      message: `capacity cannot go below the ${activity.accepted} people already booked`,
    });
  }
  const moved = changed.some((key) => ['startsAt', 'endsAt', 'venue', 'onlineUrl'].includes(key));
  if (moved) next.sequence = activity.sequence + 1;
  return { next, changed, moved, rescheduled: changed.includes('startsAt'), problems };
}

const displayFormat = lazy(
  () =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: config.alliance.timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    }),
);

/** "Thursday 14 January 2027 at 14:00 GMT", in the alliance's time zone. */
export const displayTime = (iso: string): string =>
  displayFormat()
    .format(new Date(iso))
    .replace(/, (\d{2}:\d{2})/, ' at $1');

/** What anyone may see: never the online link (only accepted attendees get it, by e-mail). */
export function publicActivity(activity: Activity) {
  return {
    id: activity.activityId,
    kind: activity.kind,
    kindName: config.activityKinds.find((kind) => kind.id === activity.kind)?.name ?? activity.kind,
    network: activity.network,
    networkName: config.networks.find((network) => network.id === activity.network)?.name ?? activity.network,
    title: activity.title,
    description: activity.description,
    startsAt: activity.startsAt,
    endsAt: activity.endsAt,
    startsAtDisplay: displayTime(activity.startsAt),
    timeZone: config.alliance.timeZone,
    venue: activity.venue,
    online: activity.onlineUrl !== null,
    capacity: activity.capacity,
    placesLeft: activity.capacity === null ? null : Math.max(0, activity.capacity - activity.accepted),
    status: activity.status,
  };
}

/** What staff see: everything. */
export const staffActivity = (activity: Activity) => ({
  ...publicActivity(activity),
  onlineUrl: activity.onlineUrl,
  accepted: activity.accepted,
  sequence: activity.sequence,
});
