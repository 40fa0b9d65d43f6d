import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { consumer } from '../../shared/consumer';
import { logger } from '../../shared/logger';
import { tableName } from '../../shared/tables';

/** Writes at a time: a 1,200-row import finishes well within the function's timeout. */
const parallelWrites = 20;

/**
 * Keeps analysts' imported monthly figures beside the counters (`<metric>#imported`, `month#YYYY-MM`).
 * Each month is SET, not added, on the condition that no later import holds it (by the import's
 * `occurredAt`, then its event id), so duplicates, replays and any delivery order end the same way:
 * the latest import wins. Naturally idempotent, so no idempotency record is kept.
 */
export const handler = consumer(
  'record-imported-metrics',
  ['MetricValuesImported'],
  async ({ detail }) => {
    // One spelling of the instant, so the stored times compare as text in time order.
    const importedAt = new Date(detail.occurredAt).toISOString();
    let kept = 0;
    for (let start = 0; start < detail.rows.length; start += parallelWrites) {
      const chunk = detail.rows.slice(start, start + parallelWrites);
      const written = await Promise.all(
        chunk.map((row) => setMonth(detail.metric, row.period, row.value, importedAt, detail.eventId)),
      );
      kept += written.filter(Boolean).length;
    }
    logger.info('imported metric recorded', { metric: detail.metric, rows: detail.rows.length, kept });
  },
  { idempotent: false },
);

async function setMonth(metric: string, month: string, value: number, at: string, eventId: string) {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName('counters'),
        Key: { pk: `${metric}#imported`, sk: `month#${month}` },
        UpdateExpression:
          'SET #count = :value, importedAt = :at, importEventId = :id, metric = :metric, dimension = :dimension, granularity = :granularity, period = :period',
        ConditionExpression:
          'attribute_not_exists(importedAt) OR importedAt < :at OR (importedAt = :at AND importEventId <= :id)',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: {
          ':value': value,
          ':at': at,
          ':id': eventId,
          ':metric': metric,
          ':dimension': 'imported',
          ':granularity': 'month',
          ':period': month,
        },
      }),
    );
    return true;
  } catch (error) {
    // A later import already holds this month.
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
