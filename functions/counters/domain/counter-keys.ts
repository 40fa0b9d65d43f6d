/** Which counters an event moves. Pure: the same event always yields the same increments, so a
 * replay of the archive rebuilds identical counters. */
import type { DetailType, EventDetail } from '../../../shared/events';
import { periodsOf } from '../../../shared/time';

export type Granularity = 'day' | 'month' | 'year';

export interface CounterIncrement {
  metric: string;
  /** `all`, or `<dimension>=<value>` such as `network=smart-city-alliance`. */
  dimension: string;
  granularity: Granularity;
  period: string;
  by: number;
}

/** A distinct count: `member` is counted once per counter, however many events name it. */
export interface DistinctIncrement extends Omit<CounterIncrement, 'by'> {
  member: string;
}

export const counterKey = (
  increment: Pick<CounterIncrement, 'metric' | 'dimension' | 'granularity' | 'period'>,
) => ({
  pk: `${increment.metric}#${increment.dimension}`,
  sk: `${increment.granularity}#${increment.period}`,
});

const granularities: Granularity[] = ['day', 'month', 'year'];

function spread(metric: string, dimensions: string[], occurredAt: string, by = 1): CounterIncrement[] {
  const periods = periodsOf(occurredAt);
  return [...new Set(dimensions)].flatMap((dimension) =>
    granularities.map((granularity) => ({
      metric,
      dimension,
      granularity,
      period: periods[granularity],
      by,
    })),
  );
}

/** Adds up increments that land on the same counter (a reschedule within one month nets to nothing). */
export function netIncrements(increments: CounterIncrement[]): CounterIncrement[] {
  const byKey = new Map<string, CounterIncrement>();
  for (const increment of increments) {
    const key = `${increment.metric}|${increment.dimension}|${increment.granularity}|${increment.period}`;
    const existing = byKey.get(key);
    byKey.set(key, existing ? { ...existing, by: existing.by + increment.by } : increment);
  }
  return [...byKey.values()].filter((increment) => increment.by !== 0);
}

const memberDimensions = (detail: { organisationType: string; networks: string[] }) => [
  'all',
  `organisationType=${detail.organisationType}`,
  ...detail.networks.map((network) => `network=${network}`),
];
const organisationDimensions = (detail: { organisationType: string }) => [
  'all',
  `organisationType=${detail.organisationType}`,
];
const activityDimensions = (detail: { kind: string; network: string }) => [
  'all',
  `kind=${detail.kind}`,
  `network=${detail.network}`,
];

const mailoutDimensions = (detail: { mailoutId: string }) => ['all', `mailout=${detail.mailoutId}`];

/** One counter per recipient change. `read` comes once per recipient (their first human open or
 * click), so `mailouts.readers` counts unique human readers. */
export const mailoutRecipientMetrics: Record<EventDetail<'MailoutRecipientUpdated'>['change'], string> = {
  sent: 'mailouts.emails.sent',
  failed: 'mailouts.emails.failed',
  delivered: 'mailouts.emails.delivered',
  bounced: 'mailouts.emails.bounced',
  complained: 'mailouts.emails.complained',
  read: 'mailouts.readers',
  clicked: 'mailouts.clicks',
  'machine-opened': 'mailouts.opens.machine',
};

type Counting = { [T in DetailType]?: (detail: EventDetail<T>) => CounterIncrement[] };

const counting: Counting = {
  MemberRegistered: (detail) => spread('members.registered', memberDimensions(detail), detail.occurredAt),
  MemberConfirmed: (detail) => spread('members.confirmed', memberDimensions(detail), detail.occurredAt),
  MemberUnsubscribed: (detail) =>
    spread(
      'members.unsubscribed',
      [...organisationDimensions(detail), ...(detail.mailoutId ? [`mailout=${detail.mailoutId}`] : [])],
      detail.occurredAt,
    ),
  MemberErased: (detail) => spread('members.erased', organisationDimensions(detail), detail.occurredAt),
  // Activities count in the period they take place; a reschedule moves them, a cancellation removes them.
  ActivityScheduled: (detail) => spread('activities.held', activityDimensions(detail), detail.startsAt),
  ActivityRescheduled: (detail) =>
    netIncrements([
      ...spread('activities.held', activityDimensions(detail), detail.previousStartsAt, -1),
      ...spread('activities.held', activityDimensions(detail), detail.startsAt),
    ]),
  ActivityCancelled: (detail) => spread('activities.held', activityDimensions(detail), detail.startsAt, -1),
  RsvpAccepted: (detail) => spread('rsvps.accepted', activityDimensions(detail), detail.occurredAt),
  RsvpPromoted: (detail) => [
    ...spread('rsvps.accepted', activityDimensions(detail), detail.occurredAt),
    ...spread('rsvps.promoted', activityDimensions(detail), detail.occurredAt),
  ],
  RsvpWaitlisted: (detail) => spread('rsvps.waitlisted', activityDimensions(detail), detail.occurredAt),
  RsvpCancelled: (detail) => spread('rsvps.cancelled', activityDimensions(detail), detail.occurredAt),
  // Attendance counts in the period of the activity, whenever it was recorded.
  AttendanceRecorded: (detail) => spread('attendees.total', activityDimensions(detail), detail.startsAt),
  ReminderSent: (detail) => spread('reminders.sent', ['all', `kind=${detail.kind}`], detail.occurredAt),
  // A mail-out's figures count in the period it started, however late a bounce or an open arrives.
  MailoutRecipientUpdated: (detail) =>
    spread(mailoutRecipientMetrics[detail.change], mailoutDimensions(detail), detail.mailoutStartedAt),
  MailoutCompleted: (detail) =>
    detail.outcome === 'sent' ? spread('mailouts.sent', ['all'], detail.startedAt) : [],
};

type DistinctCounting = { [T in DetailType]?: (detail: EventDetail<T>) => DistinctIncrement[] };

const distinctCounting: DistinctCounting = {
  AttendanceRecorded: (detail) =>
    spread('attendees.unique', activityDimensions(detail), detail.startsAt).map(
      ({ by: _by, ...counter }) => ({
        ...counter,
        member: detail.attendeeKey,
      }),
    ),
};

export const countedDetailTypes = [
  ...new Set([...Object.keys(counting), ...Object.keys(distinctCounting)]),
] as DetailType[];

export function countersFor<T extends DetailType>(detailType: T, detail: EventDetail<T>): CounterIncrement[] {
  const rule = counting[detailType] as ((detail: EventDetail<T>) => CounterIncrement[]) | undefined;
  return rule ? rule(detail) : [];
}

export function distinctCountersFor<T extends DetailType>(
  detailType: T,
  detail: EventDetail<T>,
): DistinctIncrement[] {
  const rule = distinctCounting[detailType] as ((detail: EventDetail<T>) => DistinctIncrement[]) | undefined;
  return rule ? rule(detail) : [];
}
