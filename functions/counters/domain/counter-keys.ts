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

function spread(metric: CountedMetric, dimensions: string[], occurredAt: string, by = 1): CounterIncrement[] {
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

/** The dimensions a counter can be kept by, besides `all`. */
export type DimensionName = 'organisationType' | 'network' | 'kind' | 'mailout' | 'page';

export interface MetricDeclaration {
  /** One line: what one unit of this metric is (shown by `GET /api/exports/engagement/metrics`). */
  meaning: string;
  /** The dimensions it is kept by, besides `all`. */
  dimensions: readonly DimensionName[];
  /** How it adds up over time: `flow` (so many in a period) or `stock` changes (net in and out). */
  kind?: 'flow' | 'net';
}

const memberDimensionNames = ['organisationType', 'network'] as const;
const activityDimensionNames = ['kind', 'network'] as const;
const mailoutDimensionNames = ['mailout'] as const;

/**
 * Every counted metric, with its meaning and dimensions. The counting rules below may only move
 * metrics declared here (the type says so), and the exports list exactly these: one declaration.
 */
export const countedMetrics = {
  'members.registered': {
    meaning: 'Registrations through the form (confirmed or not), in the period they were made',
    dimensions: memberDimensionNames,
  },
  'members.confirmed': {
    meaning: 'Registrations confirmed by e-mail (double opt-in), in the period of confirmation',
    dimensions: memberDimensionNames,
  },
  'members.current': {
    meaning:
      'Change in confirmed members (joined less erased); the running total to a date is the number of members then',
    dimensions: ['organisationType'],
    kind: 'net',
  },
  'members.unsubscribed': {
    meaning: 'Members who stopped mail-outs (link, page, preferences or complaint)',
    dimensions: ['organisationType', 'mailout'],
  },
  'members.erased': {
    meaning: 'Members who asked to be forgotten',
    dimensions: ['organisationType'],
  },
  'activities.held': {
    meaning: 'Activities (not cancelled), in the period they start',
    dimensions: activityDimensionNames,
  },
  'rsvps.accepted': {
    meaning: 'Places booked (including waitlist promotions), in the period of booking',
    dimensions: activityDimensionNames,
  },
  'rsvps.promoted': { meaning: 'Waitlisted people moved up to a place', dimensions: activityDimensionNames },
  'rsvps.waitlisted': { meaning: 'Bookings put on a waitlist', dimensions: activityDimensionNames },
  'rsvps.cancelled': { meaning: 'Bookings cancelled by the person', dimensions: activityDimensionNames },
  'attendees.total': {
    meaning: 'Attendance recorded (one per person per activity), in the period of the activity',
    dimensions: activityDimensionNames,
  },
  'attendees.unique': {
    meaning: 'Distinct people who attended, in the period of the activity',
    dimensions: activityDimensionNames,
  },
  'reminders.sent': { meaning: 'Meeting reminders e-mailed', dimensions: ['kind'] },
  'feedback.requested': {
    meaning: 'Attendees asked for feedback after an activity, in the period of the activity',
    dimensions: activityDimensionNames,
  },
  'feedback.responses': {
    meaning: 'Feedback answers (one per attendee per activity), in the period of the activity',
    dimensions: activityDimensionNames,
  },
  'feedback.ratingSum': {
    meaning: 'Sum of the 1–5 ratings given; divided by feedback.responses it is the average rating',
    dimensions: activityDimensionNames,
  },
  'mailouts.sent': { meaning: 'Mail-outs sent to the end, in the period they started', dimensions: [] },
  'mailouts.emails.sent': {
    meaning: 'Mail-out e-mails accepted by SES, in the period the mail-out started',
    dimensions: mailoutDimensionNames,
  },
  'mailouts.emails.failed': {
    meaning: 'Mail-out e-mails SES refused to send',
    dimensions: mailoutDimensionNames,
  },
  'mailouts.emails.delivered': {
    meaning: "Mail-out e-mails delivered to the recipient's mail server",
    dimensions: mailoutDimensionNames,
  },
  'mailouts.emails.bounced': { meaning: 'Mail-out e-mails that bounced', dimensions: mailoutDimensionNames },
  'mailouts.emails.complained': {
    meaning: 'Mail-out e-mails marked as spam by the recipient',
    dimensions: mailoutDimensionNames,
  },
  'mailouts.readers': {
    meaning: 'Unique human readers of mail-outs (a human open or a click; machine opens kept apart)',
    dimensions: mailoutDimensionNames,
  },
  'mailouts.clicks': { meaning: 'Link clicks in mail-outs', dimensions: mailoutDimensionNames },
  'mailouts.opens.machine': {
    meaning: 'Opens by mail-privacy proxies and scanners (not people), kept apart from readers',
    dimensions: mailoutDimensionNames,
  },
  'website.views': {
    meaning: 'Views of the hosted pages (one beacon per view; bots and prefetches skipped)',
    dimensions: ['page'],
  },
} as const satisfies Record<string, MetricDeclaration>;

export type CountedMetric = keyof typeof countedMetrics;

export const isCountedMetric = (metric: string): metric is CountedMetric =>
  Object.hasOwn(countedMetrics, metric);

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
export const mailoutRecipientMetrics: Record<
  EventDetail<'MailoutRecipientUpdated'>['change'],
  CountedMetric
> = {
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
  MemberConfirmed: (detail) => [
    ...spread('members.confirmed', memberDimensions(detail), detail.occurredAt),
    ...spread('members.current', organisationDimensions(detail), detail.occurredAt),
  ],
  MemberUnsubscribed: (detail) =>
    spread(
      'members.unsubscribed',
      [...organisationDimensions(detail), ...(detail.mailoutId ? [`mailout=${detail.mailoutId}`] : [])],
      detail.occurredAt,
    ),
  MemberErased: (detail) => [
    ...spread('members.erased', organisationDimensions(detail), detail.occurredAt),
    ...(detail.wasConfirmed === false
      ? []
      : spread('members.current', organisationDimensions(detail), detail.occurredAt, -1)),
  ],
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
  PageViewed: (detail) => spread('website.views', ['all', `page=${detail.page}`], detail.occurredAt),
  // Feedback counts in the period of the activity; a second answer replaces the first.
  FeedbackRequested: (detail) => spread('feedback.requested', activityDimensions(detail), detail.startsAt),
  FeedbackGiven: (detail) => [
    ...(detail.previousRating === null
      ? spread('feedback.responses', activityDimensions(detail), detail.startsAt)
      : []),
    ...spread(
      'feedback.ratingSum',
      activityDimensions(detail),
      detail.startsAt,
      detail.rating - (detail.previousRating ?? 0),
    ),
  ],
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
