import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { tableName } from '../../shared/tables';
import { isFirstConditionFailure, retryOnConflict } from '../../shared/transactions';
import { type CounterIncrement, counterKey, type DistinctIncrement } from './domain/counter-keys';

/** DynamoDB allows 100 items in one transaction; one goes to the marker. */
const maxIncrementsPerEvent = 99;

const increase = (increment: CounterIncrement) => ({
  Update: {
    TableName: tableName('counters'),
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
});

/**
 * Writes a marker item and the increments in one transaction, on the condition that the marker does
 * not exist yet: the increments happen exactly once per marker. False when the marker was there.
 */
async function onceWithMarker(
  marker: Record<string, unknown>,
  increments: CounterIncrement[],
): Promise<boolean> {
  try {
    await retryOnConflict(() =>
      dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName('counters'),
                Item: marker,
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...increments.map(increase),
          ],
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isFirstConditionFailure(error)) return false;
    throw error;
  }
}

/** Applies an event's increments exactly once, keyed by its event id. False for an event already counted. */
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
  return onceWithMarker(
    { pk: `EVENT#${eventId}`, sk: 'COUNTED', detailType, countedAt: new Date().toISOString() },
    increments,
  );
}

/** Counts `member` once in a distinct counter (unique attendees), however often it is named. */
export async function applyDistinct(increment: DistinctIncrement): Promise<boolean> {
  const key = counterKey(increment);
  const { member, ...counter } = increment;
  return onceWithMarker({ pk: `DISTINCT#${key.pk}#${key.sk}`, sk: member }, [{ ...counter, by: 1 }]);
}
