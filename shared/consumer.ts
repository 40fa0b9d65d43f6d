/**
 * The wrapper for every bus subscriber: parses the detail with the catalogue's schema, carries the
 * correlation id into the logs, and runs the handler at most once per (consumer, eventId), so a
 * duplicate or replayed delivery does nothing twice.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { dynamo } from './clients';
import {
  type BusEvent,
  busEventSchema,
  type DetailType,
  type EventDetail,
  eventCatalogue,
  isDetailType,
} from './events';
import { logger, withLogKeys } from './logger';
import { tableName } from './tables';

export interface ConsumedEvent<T extends DetailType> {
  detailType: T;
  detail: EventDetail<T>;
  envelope: BusEvent;
}

type Handler<T extends DetailType> = (event: ConsumedEvent<T>) => Promise<void>;

const lockSeconds = 120;
const rememberSeconds = 90 * 24 * 3600;

export function parseBusEvent<T extends DetailType>(raw: unknown, accepted: readonly T[]): ConsumedEvent<T> {
  const envelope = busEventSchema.parse(raw);
  const detailType = envelope['detail-type'];
  if (!isDetailType(detailType) || !(accepted as readonly string[]).includes(detailType)) {
    throw new Error(`unexpected detail-type ${detailType}`);
  }
  const detail = eventCatalogue[detailType].schema.parse(envelope.detail) as EventDetail<T>;
  return { detailType: detailType as T, detail, envelope };
}

/** A consumer whose effect is outside DynamoDB (e-mail): guarded by an idempotency record. */
export function consumer<T extends DetailType>(name: string, accepted: readonly T[], handle: Handler<T>) {
  return async (raw: unknown, _context?: Context): Promise<void> => {
    const event = parseBusEvent(raw, accepted);
    const keys = { consumer: name, eventId: event.detail.eventId, correlationId: event.detail.correlationId };
    await withLogKeys(keys, () => handleOnce(name, event, handle));
  };
}

async function handleOnce<T extends DetailType>(
  name: string,
  event: ConsumedEvent<T>,
  handle: Handler<T>,
): Promise<void> {
  const key = `${name}#${event.detail.eventId}`;
  if (!(await acquire(key))) {
    logger.info('duplicate delivery ignored', { detailType: event.detailType });
    return;
  }
  try {
    await handle(event);
  } catch (error) {
    await dynamo.send(new DeleteCommand({ TableName: tableName('idempotency'), Key: { id: key } }));
    throw error;
  }
  await dynamo.send(
    new UpdateCommand({
      TableName: tableName('idempotency'),
      Key: { id: key },
      UpdateExpression: 'SET #status = :done',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':done': 'COMPLETED' },
    }),
  );
}

/** Takes the record for this event: false when it is done, or still in hand elsewhere (then the
 * bus retries, and by then the other delivery has finished or its lock has lapsed). */
async function acquire(key: string): Promise<boolean> {
  const now = Math.floor(Date.now() / 1000);
  try {
    await dynamo.send(
      new PutCommand({
        TableName: tableName('idempotency'),
        Item: {
          id: key,
          status: 'IN_PROGRESS',
          lockedUntil: now + lockSeconds,
          expiresAt: now + rememberSeconds,
        },
        ConditionExpression: 'attribute_not_exists(id) OR (#status = :inProgress AND lockedUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':now': now },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      if (error.Item?.status?.S === 'IN_PROGRESS') {
        throw new Error('the same event is being handled by another delivery; retry later');
      }
      return false;
    }
    throw error;
  }
}
