/**
 * The wrapper for every bus subscriber. In the cloud a subscription is rule → SQS queue → Lambda,
 * so a handler receives a batch of SQS records, each carrying one EventBridge event; on one machine
 * the local bus hands it the same shape. Per record this:
 * - parses the envelope and the detail with the event catalogue's schema;
 * - carries the correlation id into the logs;
 * - runs the handler at most once per (consumer, eventId) with Powertools Idempotency (DynamoDB
 *   persistence), so a duplicate, a replay or a redelivery does nothing twice. The in-progress lock
 *   lasts until the invocation's own deadline (its Lambda timeout), so it always outlasts the run
 *   it guards, and a crashed run's lock lapses for the redelivery.
 * Records are processed one after another with Powertools' batch processor, and only the records
 * that failed are reported back (ReportBatchItemFailures): the queue redelivers just those, and
 * moves them to the subscription's dead-letter queue after its receive limit.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoBase } from './clients';
import {
  type BusEvent,
  busEventSchema,
  type DetailType,
  type EventDetail,
  eventCatalogue,
  isDetailType,
} from './events';
import { type LogKeys, lambdaContextKeys, withLogKeys } from './logger';
import { withMetrics } from './metrics';
import { type SesEventDetail, sesEventDetailSchema, sesSource } from './ses-events';
import { tableName } from './tables';

export interface ConsumedEvent<T extends DetailType> {
  detailType: T;
  detail: EventDetail<T>;
  envelope: BusEvent;
}

type Handler<E> = (event: E, context: Context) => Promise<void>;

/** How long a handled event is remembered: longer than any redelivery or archive replay window we run. */
const rememberSeconds = 90 * 24 * 3600;

/**
 * The event a queue record carries. The detail arrives as an object; a relay that hands it on as
 * JSON text (a pipe's input template can) is read the same way.
 */
export function parseBusEvent<T extends DetailType>(raw: unknown, accepted: readonly T[]): ConsumedEvent<T> {
  const envelope = busEventSchema.parse(raw);
  const detailType = envelope['detail-type'];
  if (!isDetailType(detailType) || !(accepted as readonly string[]).includes(detailType)) {
    throw new Error(`unexpected detail-type ${detailType}`);
  }
  const rawDetail = typeof envelope.detail === 'string' ? JSON.parse(envelope.detail) : envelope.detail;
  const detail = eventCatalogue[detailType].schema.parse(rawDetail) as EventDetail<T>;
  return { detailType: detailType as T, detail, envelope };
}

/** The EventBridge event inside one SQS record. */
export function eventOfRecord<T extends DetailType>(
  record: SQSRecord,
  accepted: readonly T[],
): ConsumedEvent<T> {
  return parseBusEvent(JSON.parse(record.body) as unknown, accepted);
}

export type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** A consumer whose effect is outside DynamoDB (e-mail): each event handled once per consumer. */
export function consumer<T extends DetailType>(
  name: string,
  accepted: readonly T[],
  handle: Handler<ConsumedEvent<T>>,
  options: ConsumerOptions = {},
): QueueHandler {
  return queueConsumer(
    name,
    (record) => {
      const event = eventOfRecord(record, accepted);
      return { event, eventId: event.detail.eventId, correlationId: event.detail.correlationId };
    },
    handle,
    options,
  );
}

/** SES's own sending events (source `aws.ses`) as a consumer receives them. */
export interface ConsumedSesEvent {
  detailType: string;
  detail: SesEventDetail;
  envelope: BusEvent;
}

/** A consumer of SES's events: each (EventBridge) event handled once per consumer. */
export function sesEventConsumer(name: string, handle: Handler<ConsumedSesEvent>): QueueHandler {
  return queueConsumer(
    name,
    (record) => {
      const envelope = busEventSchema.parse(JSON.parse(record.body));
      if (envelope.source !== sesSource) throw new Error(`unexpected source ${envelope.source}`);
      const raw = typeof envelope.detail === 'string' ? JSON.parse(envelope.detail) : envelope.detail;
      const event = {
        detailType: envelope['detail-type'],
        detail: sesEventDetailSchema.parse(raw),
        envelope,
      };
      return { event, eventId: envelope.id };
    },
    handle,
    {},
  );
}

export interface ConsumerOptions {
  /**
   * False for a handler that guards its own effects (leases, conditional writes) and must be able to
   * run again on a redelivery at once, rather than wait out an in-progress lock until the
   * invocation's deadline.
   */
  idempotent?: boolean;
}

function queueConsumer<E>(
  name: string,
  parse: (record: SQSRecord) => { event: E; eventId: string; correlationId?: string },
  handle: Handler<E>,
  options: ConsumerOptions,
): QueueHandler {
  const idempotencyConfig = new IdempotencyConfig({
    // The payload handed to the idempotent function is the event id: one record per (consumer, event).
    expiresAfterSeconds: rememberSeconds,
  });
  let context: Context | undefined;
  // Only an idempotent consumer reads the idempotency table (and its name, at load): a consumer that
  // guards its own effects is granted no such table and must still start.
  const handleOnce =
    options.idempotent === false
      ? undefined
      : makeIdempotent(
          // The event travels boxed: the second argument of an idempotent function must not look like a Lambda context.
          async (_eventId: string, boxed: { event: unknown }): Promise<void> => {
            await handle(boxed.event as E, context as Context);
          },
          {
            persistenceStore: new DynamoDBPersistenceLayer({
              tableName: tableName('idempotency'),
              keyAttr: 'id',
              expiryAttr: 'expiresAt',
              awsSdkV3Client: dynamoBase,
            }),
            config: idempotencyConfig,
            keyPrefix: name,
            dataIndexArgument: 0,
          },
        );
  const processor = new BatchProcessor(EventType.SQS);
  let invocationKeys: LogKeys = {};
  const processRecord = async (record: SQSRecord): Promise<void> => {
    const { event, eventId, correlationId } = parse(record);
    const keys = { ...invocationKeys, consumer: name, eventId, correlationId };
    await withLogKeys(keys, () =>
      handleOnce ? handleOnce(eventId, { event }) : handle(event, context as Context),
    );
  };
  return async (event, invocationContext) => {
    context = invocationContext;
    invocationKeys = lambdaContextKeys(invocationContext);
    idempotencyConfig.registerLambdaContext(invocationContext);
    return withMetrics(() =>
      processPartialResponse(event, processRecord, processor, {
        context: invocationContext,
        // One at a time: an e-mail sender's concurrency is what its queue allows, not its batch size.
        processInParallel: false,
        // A batch that failed whole is reported record by record too, so the queue redelivers it.
        throwOnFullBatchFailure: false,
      }),
    );
  };
}
