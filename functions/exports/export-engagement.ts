import * as z from 'zod';
import { toCsv } from '../../shared/csv';
import { asksForCsv, csvDownload, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { isCountedMetric } from '../counters/domain/counter-keys';
import { countedSeries, importedSeries } from './counter-reader';
import {
  buildRows,
  importedMonthRange,
  type MetricSeries,
  planExport,
  usesImported,
} from './domain/engagement';

const text = z.string().max(2000).optional();
const query = z.object({
  metrics: text,
  dimension: text,
  granularity: z
    .enum(['day', 'month', 'year'], { error: 'granularity must be day, month or year' })
    .optional(),
  from: text,
  to: text,
  format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).optional(),
});

/** Analysts: one row per period and metric, read from the counters (one query per metric). */
export const handler = route({ query }, async ({ query, event }) => {
  const plan = planExport(query, new Date());
  const [fromMonth, toMonth] = importedMonthRange(plan);
  const series = new Map<string, MetricSeries>(
    await Promise.all(
      plan.metrics.map(async (metric): Promise<[string, MetricSeries]> => {
        const [counted, imported] = await Promise.all([
          isCountedMetric(metric)
            ? countedSeries(metric, plan.dimension, plan.granularity, plan.from, plan.to)
            : undefined,
          usesImported(metric, plan) ? importedSeries(metric, fromMonth, toMonth) : undefined,
        ]);
        return [metric, { counted, imported }];
      }),
    ),
  );
  const rows = buildRows(plan, series);
  if (!asksForCsv(query.format, event.headers)) {
    const { periods: _periods, ...described } = plan;
    return json(200, { ...described, rows });
  }
  return csvDownload(
    `engagement-${plan.granularity}-${plan.from}-to-${plan.to}.csv`,
    toCsv(
      ['period', 'metric', 'value'],
      rows.map((row) => [row.period, row.metric, row.value]),
    ),
  );
});
