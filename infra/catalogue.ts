/**
 * The one catalogue: every table, route, subscription and schedule, with the handler it runs and
 * what that handler may touch. The CDK app and the local runtime are both built by walking it.
 */
import type { DetailType } from '../shared/events';
import type { RouteAccess } from '../shared/http/access';
import type { TableName } from '../shared/tables';

export type { RouteAccess, TableName };

export type Access = 'read' | 'write';

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

/** A table's keys and indexes; its name in code and its binding are in shared/tables.ts. */
export interface TableDeclaration {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  timeToLiveAttribute?: string;
  globalIndexes?: Array<{ name: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute }>;
  /**
   * Holds outbox items (see shared/outbox.ts): a state change and the events announcing it are
   * written in one transaction. CDK gives such a table a stream and an EventBridge Pipe to the bus;
   * the local runtime's relay reads the same stream from DynamoDB Local. Needs `timeToLiveAttribute`,
   * which tidies published outbox items away.
   */
  outbox?: true;
}

export const tables = {
  members: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
    outbox: true,
    // Sparse: only unconfirmed registrations carry these, so expiry reads just them.
    globalIndexes: [
      {
        name: 'pending',
        partitionKey: { name: 'pendingPk', type: 'S' },
        sortKey: { name: 'pendingSince', type: 'S' },
      },
      // Sparse: only profiles that may receive mail-outs (confirmed, newsletter consent, not
      // suppressed) carry `audiencePk`, so an audience is read without touching anyone else.
      {
        name: 'audience',
        partitionKey: { name: 'audiencePk', type: 'S' },
        sortKey: { name: 'memberId', type: 'S' },
      },
    ],
  },
  activities: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    // Unconfirmed e-mail RSVP requests and published outbox items lapse by themselves.
    timeToLiveAttribute: 'expiresAt',
    outbox: true,
    globalIndexes: [
      // Activities by start time: the public listing and the reminder run read ranges of it.
      {
        name: 'byStart',
        partitionKey: { name: 'listPk', type: 'S' },
        sortKey: { name: 'startsAt', type: 'S' },
      },
      // A member's bookings and attendance, for their data export and for erasure.
      { name: 'byMember', partitionKey: { name: 'memberId', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
      // A person's bookings, pending RSVP requests and attendance by their keyed label (personKey),
      // for erasure and the data export: those made before registering carry no member id.
      {
        name: 'byPerson',
        partitionKey: { name: 'personKey', type: 'S' },
        sortKey: { name: 'sk', type: 'S' },
      },
    ],
  },
  mailouts: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    // Published outbox items lapse by themselves.
    timeToLiveAttribute: 'expiresAt',
    outbox: true,
    globalIndexes: [
      // Every mail-out, newest first.
      {
        name: 'byCreated',
        partitionKey: { name: 'listPk', type: 'S' },
        sortKey: { name: 'createdAt', type: 'S' },
      },
      // Sparse: only scheduled mail-outs carry these, so the start-up schedule reads just them.
      { name: 'due', partitionKey: { name: 'duePk', type: 'S' }, sortKey: { name: 'dueAt', type: 'S' } },
    ],
  },
  /** One delivery record per (mail-out, member): who was sent what, and what became of it. */
  deliveries: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalIndexes: [
      // A member's delivery records, for erasure.
      { name: 'byMember', partitionKey: { name: 'memberId', type: 'S' }, sortKey: { name: 'pk', type: 'S' } },
    ],
  },
  /**
   * The outbox of the metrics and tracking capabilities: analysts' imports and page views are only
   * events (counters keep the figures), so this table holds little but outbox items.
   */
  metrics: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
    outbox: true,
  },
  counters: {
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
  },
  idempotency: {
    partitionKey: { name: 'id', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
  },
  limits: {
    partitionKey: { name: 'id', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
  },
} as const satisfies Record<TableName, TableDeclaration>;

/** What a handler is allowed to reach; CDK turns this into its IAM policy, nothing more. */
export interface Uses {
  tables?: Partial<Record<TableName, Access>>;
  /**
   * The events this handler announces. They go out through the outbox of a table it writes (never
   * by PutEvents from the handler), so in the cloud this grants nothing beyond that table; locally
   * an outbox item of any other detail-type is refused.
   */
  publishes?: DetailType[];
  sendsEmail?: boolean;
  /** Reads the SES account's sending quota (`ses:GetAccount`), to pace a mail-out to it. */
  readsSendQuota?: boolean;
  tokenSecret?: boolean;
  /** Reads the pseudonym key: computes keyed labels of addresses or IPs (booking ids, person keys,
   * limit keys). */
  pseudonymKey?: boolean;
}

export interface HandlerEntry {
  /** Path of the handler file from the repo root; it exports `handler`. */
  handler: string;
  uses: Uses;
  /** Lambda timeout in seconds (default 10). */
  timeoutSeconds?: number;
  /**
   * Reserved concurrency: at most this many instances at once, whatever invokes it (an event source
   * mapping's maximum concurrency cannot go below 2).
   */
  reservedConcurrency?: number;
}

/** The groups the access levels refer to (`analyst` routes also admit `staff`). */
export const userGroups = ['staff', 'analyst'] as const satisfies readonly Exclude<RouteAccess, 'public'>[];

export interface RouteEntry extends HandlerEntry {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: `/api/${string}`;
  /** `public`: no token. `staff`: group staff. `analyst`: group analyst or staff. */
  access: RouteAccess;
  /** The operation's title in the OpenAPI document; by default it is the handler's name in words. */
  summary?: string;
}

export interface EventPattern {
  source?: string[];
  'detail-type'?: string[];
  detail?: Record<string, unknown>;
}

/**
 * How a subscription's queue feeds its handler: rule → SQS queue → Lambda event source mapping
 * (in the cloud), the local bus's queue of the same name (on one machine).
 */
export interface QueueSettings {
  /** Records per invocation; above 10 needs a batching window (an SQS event source rule). */
  batchSize: number;
  /** Seconds to gather a fuller batch before invoking; 0 invokes as soon as records arrive. */
  batchingWindowSeconds: number;
  /** Invocations in hand at once (event source mapping maximumConcurrency, 2 to 1000). */
  maxConcurrency: number;
  /** Receives before a record is moved to the subscription's dead-letter queue (default 5). */
  maxReceiveCount?: number;
}

export interface SubscriptionEntry extends HandlerEntry {
  name: string;
  pattern: EventPattern;
  queue: QueueSettings;
}

export interface ScheduleEntry extends HandlerEntry {
  name: string;
  /** EventBridge schedule expression: `rate(15 minutes)` or `cron(0 3 * * ? *)` (UTC). */
  expression: string;
}

const memberTokens = { tokenSecret: true } as const;

export const routes: RouteEntry[] = [
  {
    method: 'GET',
    path: '/api/form-options',
    access: 'public',
    handler: 'functions/site/get-form-options.ts',
    uses: {},
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    access: 'public',
    summary: 'This API as an OpenAPI 3.1 document',
    // Generated from this catalogue and the handlers' zod schemas: `npm run openapi`.
    handler: 'functions/site/get-openapi.ts',
    uses: {},
  },
  {
    method: 'POST',
    path: '/api/members',
    access: 'public',
    handler: 'functions/members/register-member.ts',
    // write: the request (a claim check) and its event, through the members table's outbox.
    uses: { tables: { members: 'write', limits: 'write' }, publishes: ['MemberRegistrationRequested'] },
  },
  {
    method: 'GET',
    path: '/api/members/confirm',
    access: 'public',
    handler: 'functions/members/show-confirm-page.ts',
    uses: { ...memberTokens },
  },
  {
    method: 'POST',
    path: '/api/members/confirm',
    access: 'public',
    handler: 'functions/members/confirm-member.ts',
    uses: { tables: { members: 'write' }, publishes: ['MemberConfirmed'], ...memberTokens },
  },
  {
    method: 'POST',
    path: '/api/members/links',
    access: 'public',
    handler: 'functions/members/request-member-link.ts',
    // write: the request is announced through the members table's outbox.
    uses: { tables: { members: 'write', limits: 'write' }, publishes: ['MemberLinkRequestReceived'] },
  },
  {
    method: 'GET',
    path: '/api/preferences',
    access: 'public',
    handler: 'functions/members/show-preferences.ts',
    uses: { tables: { members: 'read' }, ...memberTokens },
  },
  {
    method: 'PUT',
    path: '/api/preferences',
    access: 'public',
    handler: 'functions/members/update-preferences.ts',
    uses: {
      tables: { members: 'write' },
      publishes: ['MemberPreferencesChanged', 'MemberUnsubscribed'],
      ...memberTokens,
    },
  },
  {
    method: 'GET',
    path: '/api/unsubscribe',
    access: 'public',
    handler: 'functions/members/show-unsubscribe-page.ts',
    uses: { tables: { members: 'read' }, ...memberTokens },
  },
  {
    method: 'POST',
    path: '/api/unsubscribe',
    access: 'public',
    handler: 'functions/members/unsubscribe-member.ts',
    uses: { tables: { members: 'write' }, publishes: ['MemberUnsubscribed'], ...memberTokens },
  },
  {
    method: 'GET',
    path: '/api/members/data',
    access: 'public',
    handler: 'functions/members/export-member-data.ts',
    // pseudonymKey: finds bookings made before registering by the person's keyed label.
    uses: { tables: { members: 'read', activities: 'read' }, ...memberTokens, pseudonymKey: true },
  },
  {
    method: 'POST',
    path: '/api/members/erase',
    access: 'public',
    handler: 'functions/members/erase-member.ts',
    // pseudonymKey: MemberErased carries the person's keyed label, so erasure reaches guest bookings.
    uses: { tables: { members: 'write' }, publishes: ['MemberErased'], ...memberTokens, pseudonymKey: true },
  },
  {
    method: 'GET',
    path: '/api/members/{id}/consent',
    access: 'staff',
    handler: 'functions/members/get-member-consent.ts',
    uses: { tables: { members: 'read' } },
  },
  {
    // The address goes in the body, never the URL: URLs reach CloudFront and access logs.
    method: 'POST',
    path: '/api/members/consent/lookup',
    access: 'staff',
    handler: 'functions/members/find-member-consent.ts',
    summary: "A member's consent record, found by e-mail address",
    uses: { tables: { members: 'read' } },
  },
  {
    method: 'POST',
    path: '/api/activities',
    access: 'staff',
    handler: 'functions/activities/create-activity.ts',
    uses: { tables: { activities: 'write' }, publishes: ['ActivityScheduled'] },
  },
  {
    method: 'GET',
    path: '/api/activities',
    access: 'public',
    handler: 'functions/activities/list-activities.ts',
    uses: { tables: { activities: 'read' } },
  },
  {
    method: 'GET',
    path: '/api/activities/{id}',
    access: 'public',
    handler: 'functions/activities/get-activity.ts',
    uses: { tables: { activities: 'read' } },
  },
  {
    method: 'GET',
    path: '/api/activities/{id}/calendar.ics',
    access: 'public',
    handler: 'functions/activities/download-calendar.ts',
    uses: { tables: { activities: 'read' } },
  },
  {
    method: 'PATCH',
    path: '/api/activities/{id}',
    access: 'staff',
    handler: 'functions/activities/update-activity.ts',
    uses: { tables: { activities: 'write' }, publishes: ['ActivityUpdated', 'ActivityRescheduled'] },
  },
  {
    method: 'POST',
    path: '/api/activities/{id}/cancel',
    access: 'staff',
    handler: 'functions/activities/cancel-activity.ts',
    uses: { tables: { activities: 'write' }, publishes: ['ActivityCancelled'] },
  },
  {
    method: 'POST',
    path: '/api/activities/{id}/rsvps',
    access: 'public',
    handler: 'functions/activities/request-rsvp.ts',
    uses: {
      tables: { activities: 'write', members: 'read', limits: 'write' },
      publishes: ['RsvpRequested', 'RsvpAccepted', 'RsvpWaitlisted'],
      ...memberTokens,
      pseudonymKey: true,
    },
  },
  {
    method: 'GET',
    path: '/api/activities/{id}/rsvps',
    access: 'staff',
    handler: 'functions/activities/list-rsvps.ts',
    uses: { tables: { activities: 'read' } },
  },
  {
    method: 'POST',
    path: '/api/activities/{id}/attendance',
    access: 'staff',
    handler: 'functions/activities/record-attendance.ts',
    uses: {
      tables: { activities: 'write', members: 'read' },
      publishes: ['AttendanceRecorded'],
      pseudonymKey: true,
    },
    // API Gateway's HTTP API answers 503 after 30 s whatever the function does: finish inside it.
    timeoutSeconds: 29,
  },
  {
    method: 'GET',
    path: '/api/rsvps/confirm',
    access: 'public',
    handler: 'functions/activities/show-rsvp-confirm-page.ts',
    uses: { tables: { activities: 'read' }, ...memberTokens },
  },
  {
    method: 'POST',
    path: '/api/rsvps/confirm',
    access: 'public',
    handler: 'functions/activities/confirm-rsvp.ts',
    // members read: a link whose member was erased meanwhile books nothing.
    uses: {
      tables: { activities: 'write', members: 'read' },
      publishes: ['RsvpAccepted', 'RsvpWaitlisted'],
      ...memberTokens,
    },
  },
  {
    method: 'GET',
    path: '/api/rsvps/cancel',
    access: 'public',
    handler: 'functions/activities/show-rsvp-cancel-page.ts',
    uses: { tables: { activities: 'read' }, ...memberTokens },
  },
  {
    method: 'POST',
    path: '/api/rsvps/cancel',
    access: 'public',
    handler: 'functions/activities/cancel-rsvp.ts',
    uses: { tables: { activities: 'write' }, publishes: ['RsvpCancelled'], ...memberTokens },
  },
  {
    method: 'GET',
    path: '/api/activities/{id}/feedback',
    access: 'staff',
    handler: 'functions/feedback/list-feedback.ts',
    uses: { tables: { activities: 'read' } },
  },
  {
    method: 'GET',
    path: '/api/feedback',
    access: 'public',
    handler: 'functions/feedback/show-feedback-page.ts',
    uses: { tables: { activities: 'read' }, ...memberTokens },
  },
  {
    method: 'POST',
    path: '/api/feedback',
    access: 'public',
    handler: 'functions/feedback/give-feedback.ts',
    uses: {
      tables: { activities: 'write', limits: 'write' },
      publishes: ['FeedbackGiven'],
      ...memberTokens,
    },
  },
  {
    method: 'POST',
    path: '/api/track/pageview',
    access: 'public',
    handler: 'functions/tracking/track-pageview.ts',
    uses: { tables: { metrics: 'write', limits: 'write' }, publishes: ['PageViewed'] },
  },
  {
    method: 'PUT',
    path: '/api/metrics/{id}',
    access: 'analyst',
    handler: 'functions/metrics/import-metric.ts',
    uses: { tables: { metrics: 'write' }, publishes: ['MetricValuesImported'] },
  },
  {
    method: 'GET',
    path: '/api/exports/engagement',
    access: 'analyst',
    handler: 'functions/exports/export-engagement.ts',
    uses: { tables: { counters: 'read' } },
    timeoutSeconds: 29,
  },
  {
    method: 'GET',
    path: '/api/exports/engagement/metrics',
    access: 'analyst',
    handler: 'functions/exports/list-engagement-metrics.ts',
    uses: {},
  },
  {
    method: 'GET',
    path: '/api/exports/evidence',
    access: 'analyst',
    handler: 'functions/exports/evidence-report.ts',
    uses: { tables: { counters: 'read' } },
    timeoutSeconds: 29,
  },
  ...mailoutRoutes(),
];

/** The staff's mail-out API: drafts, audience, test, send, pause/resume/cancel, results. */
function mailoutRoutes(): RouteEntry[] {
  const read = { tables: { mailouts: 'read' } } as const;
  const change = (publishes: DetailType[] = []): Uses => ({ tables: { mailouts: 'write' }, publishes });
  const staff = (
    method: RouteEntry['method'],
    path: `/api/${string}`,
    name: string,
    uses: Uses,
    extra: Partial<RouteEntry> = {},
  ): RouteEntry => ({
    method,
    path,
    access: 'staff',
    handler: `functions/mailouts/${name}.ts`,
    uses,
    ...extra,
  });
  return [
    staff('POST', '/api/mailouts', 'create-mailout', change()),
    // Renders a draft as the e-mail (the sender's renderer); reads and writes nothing.
    staff(
      'POST',
      '/api/mailouts/preview',
      'preview-mailout',
      {},
      { summary: 'Preview a mail-out as its e-mail' },
    ),
    staff('GET', '/api/mailouts', 'list-mailouts', read),
    staff('GET', '/api/mailouts/{id}', 'get-mailout', { tables: { mailouts: 'read', counters: 'read' } }),
    staff('PATCH', '/api/mailouts/{id}', 'update-mailout', change()),
    staff('GET', '/api/mailouts/{id}/audience', 'preview-audience', {
      tables: { mailouts: 'read', members: 'read' },
    }),
    staff('POST', '/api/mailouts/{id}/test', 'send-test-mailout', {
      tables: { mailouts: 'read' },
      sendsEmail: true,
      tokenSecret: true,
    }),
    staff('POST', '/api/mailouts/{id}/send', 'send-mailout', change(['MailoutDispatchRequested'])),
    staff('POST', '/api/mailouts/{id}/pause', 'pause-mailout', change(['MailoutPaused'])),
    staff('POST', '/api/mailouts/{id}/resume', 'resume-mailout', change(['MailoutDispatchRequested'])),
    staff('POST', '/api/mailouts/{id}/cancel', 'cancel-mailout', change(['MailoutCompleted'])),
    staff(
      'GET',
      '/api/mailouts/{id}/recipients',
      'list-recipients',
      { tables: { mailouts: 'read', deliveries: 'read' } },
      // A large mail-out's records are read page by page: finish inside API Gateway's 30 s.
      { timeoutSeconds: 29 },
    ),
    staff(
      'POST',
      '/api/mailouts/{id}/resend-undelivered',
      'resend-undelivered',
      { tables: { mailouts: 'write', deliveries: 'read', members: 'read' } },
      { timeoutSeconds: 29 },
    ),
  ];
}

/**
 * The transactional e-mail senders share the SES send rate with the mail-out dispatcher: at most two
 * invocations each, each sending one message at a time, so together they hold no more sends in hand
 * than one second of the send rate, while the dispatcher paces itself to the rate less
 * `mail.sendRateHeadroom` (checked by the infra tests).
 */
const emailSenderQueue: QueueSettings = { batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 2 };

export const subscriptions: SubscriptionEntry[] = [
  {
    // Decides after the answer whether a registration or link request is for a new, pending or
    // confirmed address, so the public answer takes the same path (and time) for every address.
    name: 'settle-member-request',
    pattern: {
      source: ['alliance.members'],
      'detail-type': ['MemberRegistrationRequested', 'MemberLinkRequestReceived'],
    },
    handler: 'functions/members/settle-member-request.ts',
    uses: {
      tables: { members: 'write', limits: 'write', idempotency: 'write' },
      publishes: ['MemberRegistered', 'MemberRegistrationRepeated', 'MemberLinkRequested'],
    },
    queue: { batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 2 },
  },
  {
    name: 'send-registration-email',
    pattern: {
      source: ['alliance.members'],
      'detail-type': ['MemberRegistered', 'MemberRegistrationRepeated', 'MemberLinkRequested'],
    },
    handler: 'functions/members/send-registration-email.ts',
    uses: { tables: { members: 'read', idempotency: 'write' }, sendsEmail: true, ...memberTokens },
    queue: emailSenderQueue,
  },
  {
    name: 'send-welcome-email',
    pattern: { source: ['alliance.members'], 'detail-type': ['MemberConfirmed'] },
    handler: 'functions/members/send-welcome-email.ts',
    uses: { tables: { members: 'read', idempotency: 'write' }, sendsEmail: true, ...memberTokens },
    queue: emailSenderQueue,
  },
  {
    name: 'send-rsvp-email',
    pattern: {
      source: ['alliance.activities'],
      'detail-type': ['RsvpRequested', 'RsvpAccepted', 'RsvpWaitlisted', 'RsvpPromoted', 'RsvpCancelled'],
    },
    handler: 'functions/activities/send-rsvp-email.ts',
    uses: { tables: { activities: 'read', idempotency: 'write' }, sendsEmail: true, ...memberTokens },
    queue: emailSenderQueue,
  },
  {
    name: 'promote-waitlist',
    pattern: {
      source: ['alliance.activities'],
      'detail-type': ['RsvpCancelled', 'ActivityUpdated'],
    },
    handler: 'functions/activities/promote-waitlist.ts',
    uses: { tables: { activities: 'write', idempotency: 'write' }, publishes: ['RsvpPromoted'] },
    // A promotion is one transaction per person moved up; the queue's visibility timeout is six
    // times this, and a duplicate that finds the event in hand waits that long.
    timeoutSeconds: 30,
    queue: { batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 2 },
  },
  {
    name: 'notify-activity-change',
    pattern: { source: ['alliance.activities'], 'detail-type': ['ActivityRescheduled', 'ActivityCancelled'] },
    handler: 'functions/activities/notify-activity-change.ts',
    // write: it takes one marker per recipient, so a retried run never notifies anyone twice.
    uses: { tables: { activities: 'write', idempotency: 'write' }, sendsEmail: true, ...memberTokens },
    // Resumable: every recipient has a marker, so a run cut short by the timeout is redelivered
    // and carries on where it stopped. Six times this is how long a duplicate in hand waits.
    timeoutSeconds: 60,
    // One change per invocation: a change may mean a notice to everyone booked.
    queue: { ...emailSenderQueue, batchSize: 1 },
  },
  {
    name: 'erase-member-bookings',
    pattern: { source: ['alliance.members'], 'detail-type': ['MemberErased'] },
    handler: 'functions/activities/erase-member-bookings.ts',
    uses: { tables: { activities: 'write', idempotency: 'write' }, publishes: ['RsvpCancelled'] },
    queue: { batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 2 },
  },
  {
    name: 'dispatch-mailout',
    pattern: { source: ['alliance.mailouts'], 'detail-type': ['MailoutDispatchRequested'] },
    handler: 'functions/mailouts/dispatch-mailout.ts',
    uses: {
      tables: { mailouts: 'write', deliveries: 'write', members: 'read' },
      publishes: ['MailoutDispatchRequested', 'MailoutRecipientUpdated', 'MailoutPaused', 'MailoutCompleted'],
      sendsEmail: true,
      readsSendQuota: true,
      ...memberTokens,
    },
    // Paced sending, checkpointed as it goes; it hands over to a fresh invocation 20 s before this.
    // Short, so a run that died is retried soon (the queue's visibility timeout is six times it).
    timeoutSeconds: 60,
    // One dispatcher at a time, so two never pace against each other (reserved concurrency 1; the
    // queue's maximum concurrency cannot go below 2). A hand-over waiting for the one instance may
    // be received several times, hence the higher receive limit.
    reservedConcurrency: 1,
    queue: { batchSize: 1, batchingWindowSeconds: 0, maxConcurrency: 2, maxReceiveCount: 20 },
  },
  {
    name: 'track-email-event',
    pattern: {
      source: ['aws.ses'],
      'detail-type': [
        'Email Sent',
        'Email Delivered',
        'Email Bounced',
        'Email Complaint Received',
        'Email Rejected',
        'Email Delivery Delayed',
        'Email Opened',
        'Email Clicked',
      ],
    },
    handler: 'functions/mailouts/track-email-event.ts',
    uses: {
      tables: { deliveries: 'write', mailouts: 'write', members: 'write', idempotency: 'write' },
      publishes: ['MailoutRecipientUpdated', 'MailoutPaused', 'MemberSuppressed', 'MemberUnsubscribed'],
    },
    queue: { batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 2 },
  },
  {
    name: 'notify-mailout-paused',
    pattern: { source: ['alliance.mailouts'], 'detail-type': ['MailoutPaused'] },
    handler: 'functions/mailouts/notify-mailout-paused.ts',
    uses: { tables: { mailouts: 'read', idempotency: 'write' }, sendsEmail: true },
    queue: emailSenderQueue,
  },
  {
    name: 'erase-member-deliveries',
    pattern: { source: ['alliance.members'], 'detail-type': ['MemberErased'] },
    handler: 'functions/mailouts/erase-member-deliveries.ts',
    uses: { tables: { deliveries: 'write', idempotency: 'write' } },
    timeoutSeconds: 60,
    queue: { batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 2 },
  },
  {
    name: 'update-counters',
    pattern: {
      source: [
        'alliance.members',
        'alliance.activities',
        'alliance.reminders',
        'alliance.mailouts',
        'alliance.tracking',
      ],
      'detail-type': [
        'MemberRegistered',
        'MemberConfirmed',
        'MemberUnsubscribed',
        'MemberErased',
        'ActivityScheduled',
        'ActivityRescheduled',
        'ActivityCancelled',
        'RsvpAccepted',
        'RsvpPromoted',
        'RsvpWaitlisted',
        'RsvpCancelled',
        'AttendanceRecorded',
        'ReminderSent',
        'MailoutRecipientUpdated',
        'MailoutCompleted',
        'PageViewed',
        'FeedbackRequested',
        'FeedbackGiven',
      ],
    },
    handler: 'functions/counters/update-counters.ts',
    uses: { tables: { counters: 'write' } },
    // Large batches netted into few transactions; two at a time so hot counter items are not fought over.
    queue: { batchSize: 100, batchingWindowSeconds: 1, maxConcurrency: 2 },
  },
  {
    name: 'record-imported-metrics',
    pattern: { source: ['alliance.metrics'], 'detail-type': ['MetricValuesImported'] },
    handler: 'functions/counters/record-imported-metrics.ts',
    // Each month's value is set (not added) with the import's time, so order and repeats do not matter.
    uses: { tables: { counters: 'write' } },
    timeoutSeconds: 30,
    queue: { batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 2 },
  },
];

export const schedules: ScheduleEntry[] = [
  {
    name: 'reminders',
    expression: 'rate(15 minutes)',
    handler: 'functions/reminders/send-reminders.ts',
    // members read: suppressed addresses get no reminders.
    uses: {
      tables: { activities: 'write', members: 'read' },
      sendsEmail: true,
      publishes: ['ReminderSent'],
      ...memberTokens,
    },
    timeoutSeconds: 300,
  },
  {
    name: 'start-scheduled-mailouts',
    expression: 'rate(1 minute)',
    handler: 'functions/mailouts/start-scheduled-mailouts.ts',
    uses: { tables: { mailouts: 'write' }, publishes: ['MailoutDispatchRequested'] },
    timeoutSeconds: 60,
  },
  {
    name: 'feedback-requests',
    expression: 'rate(1 hour)',
    handler: 'functions/feedback/send-feedback-requests.ts',
    // write: one marker per (activity, attendee), so a rerun or a late run never asks twice;
    // members read: suppressed addresses are not mailed.
    uses: {
      tables: { activities: 'write', members: 'read' },
      sendsEmail: true,
      publishes: ['FeedbackRequested'],
      ...memberTokens,
    },
    timeoutSeconds: 300,
  },
  {
    name: 'expire-unconfirmed',
    expression: 'cron(30 3 * * ? *)',
    handler: 'functions/members/expire-unconfirmed.ts',
    uses: { tables: { members: 'write' }, publishes: ['MemberRegistrationExpired'] },
    timeoutSeconds: 300,
  },
];

/** A stable, readable id for a handler, used for function names and logs: `members-register-member`. */
export const handlerId = (entry: HandlerEntry): string =>
  entry.handler
    .replace(/^functions\//, '')
    .replace(/\.ts$/, '')
    .replace(/\//g, '-');

/** Receives before a record goes to the dead-letter queue, when a subscription does not say. */
export const defaultMaxReceiveCount = 5;

/**
 * A queue's visibility timeout: six times the function timeout plus the batching window, as AWS
 * advises for Lambda event sources, so a record in hand is never handed to a second invocation.
 */
export const visibilityTimeoutSeconds = (entry: SubscriptionEntry): number =>
  6 * (entry.timeoutSeconds ?? defaultTimeoutSeconds) + entry.queue.batchingWindowSeconds;

export const defaultTimeoutSeconds = 10;

export const allHandlerEntries = (): HandlerEntry[] => [...routes, ...subscriptions, ...schedules];

/** Route key (`POST /api/activities`) → access level, what shared/http/access.ts checks a caller against. */
export const routeAccessEntries = (entries: readonly RouteEntry[] = routes): Array<[string, RouteAccess]> =>
  entries.map((route) => [`${route.method} ${route.path}`, route.access]);
