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
import { withLogKeys } from './logger';
import { tableName } from './tables';

export interface ConsumedEvent<T extends DetailType> {
  detailType: T;
  detail: EventDetail<T>;
  envelope: BusEvent;
}

type Handler<T extends DetailType> = (event: ConsumedEvent<T>) => Promise<void>;

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
  handle: Handler<T>,
): QueueHandler {
  const idempotencyConfig = new IdempotencyConfig({
    // The payload handed to the idempotent function is the event id: one record per (consumer, event).
    expiresAfterSeconds: rememberSeconds,
  });
  const handleOnce = makeIdempotent(
    async (_eventId: string, event: ConsumedEvent<T>): Promise<void> => {
      await handle(event);
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
  const processRecord = async (record: SQSRecord): Promise<void> => {
    const event = eventOfRecord(record, accepted);
    const keys = { consumer: name, eventId: event.detail.eventId, correlationId: event.detail.correlationId };
    await withLogKeys(keys, () => handleOnce(event.detail.eventId, event));
  };
  return async (event, context) => {
    idempotencyConfig.registerLambdaContext(context);
    return processPartialResponse(event, processRecord, processor, {
      context,
      // One at a time: an e-mail sender's concurrency is what its queue allows, not its batch size.
      processInParallel: false,
      // A batch that failed whole is reported record by record too, so the queue redelivers it.
      throwOnFullBatchFailure: false,
    });
  };
}
