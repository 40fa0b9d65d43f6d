import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { tableName } from '../../shared/tables';
import { retryOnConflict } from '../../shared/transactions';
import { type CounterIncrement, counterKey, type DistinctIncrement } from './domain/counter-keys';

/** DynamoDB allows 100 items in one transaction; one goes to the event's marker. */
const maxIncrementsPerEvent = 99;

/**
 * Applies an event's increments exactly once: a marker item for the event id is written in the same
 * transaction, on the condition that it does not exist yet. Returns false for an event already counted.
 */
export async function applyOnce(
  eventId: string,
  detailType: string,
  increments: CounterIncrement[],
): Promise<boolean> {
  if (increments.length === 0) return true;
  if (increments.length > maxIncrementsPerEvent) {
    throw new Error(
      `${detailType} would move ${increments.length} counters; at most ${maxIncrementsPerEvent} fit one transaction`,
    );
  }
  const table = tableName('counters');
  try {
    await retryOnConflict(() =>
      dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: {
                  pk: `EVENT#${eventId}`,
                  sk: 'COUNTED',
                  detailType,
                  countedAt: new Date().toISOString(),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...increments.map((increment) => ({
              Update: {
                TableName: table,
                Key: counterKey(increment),
                UpdateExpression:
                  'ADD #count :by SET metric = :metric, dimension = :dimension, granularity = :granularity, period = :period',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: {
                  ':by': increment.by,
                  ':metric': increment.metric,
                  ':dimension': increment.dimension,
                  ':granularity': increment.granularity,
                  ':period': increment.period,
                },
              },
            })),
          ],
        }),
      ),
    );
    return true;
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    ) {
      return false;
    }
    throw error;
  }
}

/**
 * Counts `member` once in a distinct counter: a marker item per (counter, member) is written with
 * the increment, on the condition that it does not exist. Safe to repeat.
 */
export async function applyDistinct(increment: DistinctIncrement): Promise<boolean> {
  const table = tableName('counters');
  const key = counterKey(increment);
  try {
    await retryOnConflict(() =>
      dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { pk: `DISTINCT#${key.pk}#${key.sk}`, sk: increment.member },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: table,
                Key: key,
                UpdateExpression:
                  'ADD #count :one SET metric = :metric, dimension = :dimension, granularity = :granularity, period = :period',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: {
                  ':one': 1,
                  ':metric': increment.metric,
                  ':dimension': increment.dimension,
                  ':granularity': increment.granularity,
                  ':period': increment.period,
                },
              },
            },
          ],
        }),
      ),
    );
    return true;
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    ) {
      return false;
    }
    throw error;
  }
}
