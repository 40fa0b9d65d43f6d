/**
 * The transactional outbox. A handler writes its state change and the events that announce it in
 * one DynamoDB transaction: one outbox item per event, in a table the catalogue marks `outbox`.
 * The table's stream carries each new outbox item to the bus (an EventBridge Pipe in the cloud, the
 * local runtime's relay on one machine), so a change is never stored without its events, nor an
 * event published for a change that was not stored.
 *
 * Event ids are fixed when the item is written, so a relay that delivers twice gives consumers the
 * same eventId twice, which they ignore.
 */
import { randomUUID } from 'node:crypto';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { type DetailType, type EventDetail, eventCatalogue, type NewEventDetail } from './events';
import { type TableName, tableName } from './tables';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type Publishable = { [T in DetailType]: { detailType: T; detail: NewEventDetail<T> } }[DetailType];

/** How long a published outbox item is kept before TTL removes it (it is only a record by then). */
const keepSeconds = 24 * 3600;

/** The `type` attribute that marks an outbox item; the pipe's filter matches on it. */
export const outboxItemType = 'outbox';

/**
 * What the pipe (and the local relay) does with a stream record, declared once: only inserted
 * outbox items pass; the event's detail-type, source and time come from the item, and its detail is
 * the item's `detail` (JSON text of the validated detail).
 */
export const outboxPipe = {
  filterPattern: {
    eventName: ['INSERT'],
    dynamodb: { NewImage: { type: { S: [outboxItemType] } } },
  },
  target: {
    detailType: '$.dynamodb.NewImage.detailType.S',
    source: '$.dynamodb.NewImage.source.S',
    time: '$.dynamodb.NewImage.time.S',
    inputTemplate: '<$.dynamodb.NewImage.detail.S>',
  },
} as const;

export interface OutboxItem {
  pk: string;
  sk: 'OUTBOX';
  type: typeof outboxItemType;
  detailType: DetailType;
  source: string;
  /** JSON text of the detail, validated against the event catalogue. */
  detail: string;
  /** When the thing happened (the event's `occurredAt`), ISO 8601. */
  time: string;
  expiresAt: number;
}

/** Builds a validated event: fills eventId and occurredAt, then checks the detail against its schema. */
export function buildEvent<T extends DetailType>(detailType: T, detail: NewEventDetail<T>): EventDetail<T> {
  const complete = { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...detail };
  return eventCatalogue[detailType].schema.parse(complete) as EventDetail<T>;
}

/** The outbox item for one event (validated; eventId and occurredAt filled in when missing). */
export function outboxItem(event: Publishable, correlationId?: string): OutboxItem {
  const detail = buildEvent(event.detailType, {
    ...event.detail,
    correlationId: event.detail.correlationId ?? correlationId,
  } as never) as { eventId: string; occurredAt: string };
  return {
    pk: `OUTBOX#${detail.eventId}`,
    sk: 'OUTBOX',
    type: outboxItemType,
    detailType: event.detailType,
    source: eventCatalogue[event.detailType].source,
    detail: JSON.stringify(detail),
    time: new Date(detail.occurredAt).toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + keepSeconds,
  };
}

/**
 * Transaction items that announce `events` through `table`'s outbox. Put them in the same
 * TransactWrite as the change they announce. No condition: writing the same event again (a retried
 * request with a deterministic event id) changes nothing the relay sends on, since only inserts pass.
 */
export function announce(table: TableName, events: Publishable[], correlationId?: string): TransactItem[] {
  return events.map((event) => ({
    Put: { TableName: tableName(table), Item: outboxItem(event, correlationId) },
  }));
}
