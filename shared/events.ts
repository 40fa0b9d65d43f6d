/**
 * The event catalogue: every detail-type the alliance publishes, with its zod schema.
 * Publishers validate before writing the outbox item (shared/outbox.ts); consumers parse with the same schema.
 * Details never carry personal data (names, addresses): consumers read those from the tables,
 * so the archive stays clean when a member is erased.
 */
import * as z from 'zod';

const base = {
  /** Makes the event idempotent: every consumer acts on an eventId at most once. */
  eventId: z.uuid(),
  /** When the thing happened (counters bucket by this, not by delivery time). */
  occurredAt: z.iso.datetime({ offset: true }),
  /** Follows one request through the bus into every consumer's logs. */
  correlationId: z.string().min(1).max(100).optional(),
};

const memberFacts = {
  memberId: z.uuid(),
  organisationType: z.string().min(1),
  networks: z.array(z.string().min(1)),
  interests: z.array(z.string().min(1)),
  newsletter: z.boolean(),
};

const activityFacts = {
  activityId: z.uuid(),
  kind: z.string().min(1),
  network: z.string().min(1),
  startsAt: z.iso.datetime({ offset: true }),
};

const rsvpFacts = {
  ...activityFacts,
  /** A one-way id of the booking (activity and person), never the address. */
  rsvpId: z.string().min(8).max(64),
};

export const eventCatalogue = {
  MemberRegistered: {
    source: 'alliance.members',
    schema: z.object({ ...base, ...memberFacts, formVersion: z.string().min(1) }),
  },
  MemberRegistrationRepeated: {
    source: 'alliance.members',
    schema: z.object({ ...base, memberId: z.uuid(), memberStatus: z.enum(['pending', 'confirmed']) }),
  },
  MemberConfirmed: {
    source: 'alliance.members',
    schema: z.object({ ...base, ...memberFacts, registeredAt: z.iso.datetime({ offset: true }) }),
  },
  MemberRegistrationExpired: {
    source: 'alliance.members',
    schema: z.object({ ...base, memberId: z.uuid() }),
  },
  MemberPreferencesChanged: {
    source: 'alliance.members',
    schema: z.object({
      ...base,
      ...memberFacts,
      /** Which of networks, interests and newsletter this change touched. */
      changed: z.array(z.enum(['networks', 'interests', 'newsletter'])),
    }),
  },
  MemberUnsubscribed: {
    source: 'alliance.members',
    schema: z.object({
      ...base,
      memberId: z.uuid(),
      organisationType: z.string().min(1),
      method: z.enum(['one-click-unsubscribe', 'unsubscribe-page', 'preferences-page', 'complaint']),
      /** The mail-out whose link (or complaint) it came from, when it came from one. */
      mailoutId: z.uuid().optional(),
    }),
  },
  MemberErased: {
    source: 'alliance.members',
    schema: z.object({
      ...base,
      memberId: z.uuid(),
      organisationType: z.string().min(1),
      /** Whether the member had confirmed (they leave the count of current members). Absent in events
       * written before it existed: those were confirmed members (only they could ask for erasure). */
      wasConfirmed: z.boolean().optional(),
      /** The person's keyed label (HMAC of the address), so erasure reaches what they did before
       * registering (guest bookings, RSVP requests, attendance). Absent in events written before it. */
      personKey: z
        .string()
        .regex(/^[0-9a-f]{32}$/)
        .optional(),
    }),
  },
  MemberLinkRequested: {
    source: 'alliance.members',
    schema: z.object({ ...base, memberId: z.uuid(), memberStatus: z.enum(['pending', 'confirmed']) }),
  },
  /**
   * Someone sent the registration form; whether the address is known is decided after the answer
   * (settle-member-request), so every address gets the same answer as fast. A claim check: the
   * form's fields stay in the request item (functions/members/member-request-store.ts), only its id
   * travels.
   */
  MemberRegistrationRequested: {
    source: 'alliance.members',
    schema: z.object({ ...base, requestId: z.uuid() }),
  },
  /** Someone asked for a fresh link by address; settled like a registration (the address stays in the request item). */
  MemberLinkRequestReceived: {
    source: 'alliance.members',
    schema: z.object({ ...base, requestId: z.uuid() }),
  },
  ActivityScheduled: {
    source: 'alliance.activities',
    schema: z.object({ ...base, ...activityFacts, capacity: z.number().int().positive().nullable() }),
  },
  ActivityRescheduled: {
    source: 'alliance.activities',
    schema: z.object({
      ...base,
      ...activityFacts,
      previousStartsAt: z.iso.datetime({ offset: true }),
      sequence: z.number().int().nonnegative(),
    }),
  },
  ActivityUpdated: {
    source: 'alliance.activities',
    schema: z.object({
      ...base,
      ...activityFacts,
      capacity: z.number().int().positive().nullable(),
      changed: z.array(z.string()),
    }),
  },
  ActivityCancelled: {
    source: 'alliance.activities',
    schema: z.object({ ...base, ...activityFacts }),
  },
  RsvpRequested: {
    source: 'alliance.activities',
    schema: z.object({ ...base, ...rsvpFacts }),
  },
  RsvpAccepted: {
    source: 'alliance.activities',
    schema: z.object({ ...base, ...rsvpFacts }),
  },
  RsvpWaitlisted: {
    source: 'alliance.activities',
    schema: z.object({ ...base, ...rsvpFacts }),
  },
  RsvpCancelled: {
    source: 'alliance.activities',
    schema: z.object({ ...base, ...rsvpFacts, previousStatus: z.enum(['accepted', 'waitlisted']) }),
  },
  RsvpPromoted: {
    source: 'alliance.activities',
    schema: z.object({ ...base, ...rsvpFacts }),
  },
  AttendanceRecorded: {
    source: 'alliance.activities',
    schema: z.object({
      ...base,
      ...activityFacts,
      /** A one-way key for the person (not their address), so unique attendees can be counted. */
      attendeeKey: z.string().min(8).max(64),
      member: z.boolean(),
    }),
  },
  ReminderSent: {
    source: 'alliance.reminders',
    schema: z.object({ ...base, ...rsvpFacts, offsetHours: z.number().int().positive() }),
  },
  /**
   * Starts (or carries on) a mail-out's dispatch. `run` numbers each start and resume: a dispatcher
   * holding an older run stops at its next checkpoint.
   */
  MailoutDispatchRequested: {
    source: 'alliance.mailouts',
    schema: z.object({
      ...base,
      mailoutId: z.uuid(),
      run: z.number().int().positive(),
      /** Why this run: a first start, a resume after a pause, a hand-over before the Lambda timeout. */
      reason: z.enum(['start', 'resume', 'handover']),
    }),
  },
  /** One recipient's e-mail moved on: sent, failed, delivered, bounced, complained, or first read. */
  MailoutRecipientUpdated: {
    source: 'alliance.mailouts',
    schema: z.object({
      ...base,
      mailoutId: z.uuid(),
      /** A one-way key of the delivery record (mail-out and member), never the address. */
      recipientKey: z.string().min(8).max(64),
      change: z.enum([
        'sent',
        'failed',
        'delivered',
        'bounced',
        'complained',
        /** The first human open or click: the recipient counts as a reader. */
        'read',
        'clicked',
        'machine-opened',
      ]),
      bounceType: z.enum(['permanent', 'transient']).optional(),
      /** When the mail-out started: its figures count in that period, whenever the event came. */
      mailoutStartedAt: z.iso.datetime({ offset: true }),
    }),
  },
  MailoutPaused: {
    source: 'alliance.mailouts',
    schema: z.object({
      ...base,
      mailoutId: z.uuid(),
      /**
       * `ses-account`: SES refused to send for the whole account (sending paused, identity unverified).
       * `body-not-rendered` / `body-unreadable`: the mail-out has no stored body to send (saved by an
       * earlier version), or one that cannot be read; resuming renders it again.
       */
      reason: z.enum([
        'staff',
        'bounce-rate',
        'complaint-rate',
        'ses-account',
        'body-not-rendered',
        'body-unreadable',
      ]),
      sent: z.number().int().nonnegative(),
      bounced: z.number().int().nonnegative(),
      complained: z.number().int().nonnegative(),
    }),
  },
  MailoutCompleted: {
    source: 'alliance.mailouts',
    schema: z.object({
      ...base,
      mailoutId: z.uuid(),
      outcome: z.enum(['sent', 'cancelled']),
      audienceSize: z.number().int().nonnegative(),
      sent: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
      startedAt: z.iso.datetime({ offset: true }),
    }),
  },
  /** An address SES reported as hard-bouncing or complaining: no more mail-outs or reminders to it. */
  MemberSuppressed: {
    source: 'alliance.members',
    schema: z.object({
      ...base,
      /** Absent when the address is not a member's (a guest's RSVP e-mail bounced). */
      memberId: z.uuid().optional(),
      reason: z.enum(['bounce', 'complaint']),
      mailoutId: z.uuid().optional(),
    }),
  },
  /** One view of a hosted page (the page's beacon): no cookie, address or user agent kept. */
  PageViewed: {
    source: 'alliance.tracking',
    schema: z.object({
      ...base,
      /** The hosted page's path, one of `sitePages` (shared/site-pages.ts). */
      page: z.string().min(1).max(100),
    }),
  },
  /**
   * Monthly figures kept outside the system (social media, the main website, past readership), as an
   * analyst imported them. A later import of the same month replaces the earlier value.
   */
  MetricValuesImported: {
    source: 'alliance.metrics',
    schema: z.object({
      ...base,
      metric: z.string().min(1).max(60),
      rows: z
        .array(z.object({ period: z.string().regex(/^\d{4}-\d{2}$/), value: z.number().nonnegative() }))
        .min(1)
        .max(1200),
    }),
  },
  /** A recorded attendee was asked, once, how the activity was. */
  FeedbackRequested: {
    source: 'alliance.activities',
    schema: z.object({
      ...base,
      ...activityFacts,
      /** The attendee's one-way key (as in AttendanceRecorded), never the address. */
      attendeeKey: z.string().min(8).max(64),
    }),
  },
  /** An attendee rated an activity (1–5); a second answer replaces the first (`previousRating`). */
  FeedbackGiven: {
    source: 'alliance.activities',
    schema: z.object({
      ...base,
      ...activityFacts,
      attendeeKey: z.string().min(8).max(64),
      rating: z.number().int().min(1).max(5),
      previousRating: z.number().int().min(1).max(5).nullable(),
      hasComment: z.boolean(),
    }),
  },
} as const;

export type DetailType = keyof typeof eventCatalogue;
export type EventDetail<T extends DetailType> = z.infer<(typeof eventCatalogue)[T]['schema']>;
/** What a publisher supplies: eventId and occurredAt may be filled in for it. */
export type NewEventDetail<T extends DetailType> = Omit<EventDetail<T>, 'eventId' | 'occurredAt'> &
  Partial<Pick<EventDetail<T>, 'eventId' | 'occurredAt'>>;

export const detailTypes = Object.keys(eventCatalogue) as DetailType[];

export const isDetailType = (value: string): value is DetailType => Object.hasOwn(eventCatalogue, value);

/** The EventBridge envelope a consumer receives. */
export const busEventSchema = z.object({
  version: z.string().optional(),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string().optional(),
  time: z.string(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.unknown(),
});
export type BusEvent = z.infer<typeof busEventSchema>;
