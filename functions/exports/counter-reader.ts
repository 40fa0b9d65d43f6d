/** Reads counter series for reports: one paginated Query per series, so a report's cost grows with
 * periods × metrics, never with raw events. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { tableName } from '../../shared/tables';

export type Granularity = 'day' | 'month' | 'year';

async function querySeries(pk: string, skFrom: string, skTo: string): Promise<Map<string, number>> {
  const series = new Map<string, number>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName('counters'),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': skFrom, ':to': skTo },
        ExpressionAttributeNames: { '#count': 'count' },
        ProjectionExpression: 'sk, #count',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const sk = String(item.sk);
      const period = sk.slice(sk.indexOf('#') + 1);
      series.set(period, Number(item.count ?? 0));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return series;
}

/** period → count for one counter series, periods in [from, to] (inclusive, strings of the granularity); absent = 0. One paginated Query. */
export function countedSeries(
  metric: string,
  dimension: string,
  granularity: Granularity,
  from: string,
  to: string,
): Promise<Map<string, number>> {
  return querySeries(`${metric}#${dimension}`, `${granularity}#${from}`, `${granularity}#${to}`);
}

/** month → imported value in [fromMonth, toMonth]. */
export function importedSeries(
  metric: string,
  fromMonth: string,
  toMonth: string,
): Promise<Map<string, number>> {
  return querySeries(`${metric}#imported`, `month#${fromMonth}`, `month#${toMonth}`);
}
