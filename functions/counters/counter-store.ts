import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { tableName } from '../../shared/tables';
import { retryOnConflict } from '../../shared/transactions';
import { type CounterIncrement, counterKey } from './domain/counter-keys';
import { type CountingUnit, groupIncrements } from './domain/counting-plan';

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

const markerPut = (unit: CountingUnit) => ({
  Put: {
    TableName: tableName('counters'),
    Item: unit.marker,
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/**
 * Writes one packed group: every unit's marker (on the condition that it is new) and the group's
 * netted increments, in one transaction. When some markers already exist (events counted before),
 * those units are dropped and the rest written again, so they still count exactly once.
 * Returns how many units were applied now.
 */
export async function applyGroup(group: CountingUnit[]): Promise<number> {
  let pending = group;
  while (pending.length > 0) {
    const increments = groupIncrements(pending);
    try {
      await retryOnConflict(() =>
        dynamo.send(
          new TransactWriteCommand({
            TransactItems: [...pending.map(markerPut), ...increments.map(increase)],
          }),
        ),
      );
      return pending.length;
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      const counted = new Set(
        pending.filter((_, index) => reasons[index]?.Code === 'ConditionalCheckFailed'),
      );
      if (counted.size === 0) throw error;
      pending = pending.filter((unit) => !counted.has(unit));
    }
  }
  return 0;
}
