/**
 * Engagement exports, as pure rules: which metrics and dimensions exist (from the counting rules and
 * the config's external metrics, declared once each), what an export request means (periods, bounds,
 * defaults), and how counter series become rows. No I/O: the handlers read the counters.
 */
import { config, ids } from '../../../shared/config';
import { type FieldProblem, Invalid } from '../../../shared/errors';
import { sitePages } from '../../../shared/site-pages';
import { periodsOf } from '../../../shared/time';
import { countedMetrics, type DimensionName, isCountedMetric } from '../../counters/domain/counter-keys';
import type { Granularity } from '../counter-reader';

export const granularities: readonly Granularity[] = ['day', 'month', 'year'];
export const maxPeriods = 1000;
/** Without `from`, an export covers this many periods up to `to` (the current one by default). */
export const defaultSpan: Record<Granularity, number> = { day: 30, month: 12, year: 5 };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface DimensionValues {
  values?: Array<{ value: string; label: string }>;
  /** For a dimension whose values are ids made at run time (a mail-out's id). */
  format?: 'uuid';
}

const named = (items: Array<{ id: string; name: string }>) =>
  items.map((item) => ({ value: item.id, label: item.name }));

export const dimensionValues: Record<DimensionName, DimensionValues> = {
  kind: { values: named(config.activityKinds) },
  network: { values: named(config.networks) },
  organisationType: { values: named(config.organisationTypes) },
  mailout: { format: 'uuid' },
  page: { values: Object.entries(sitePages).map(([value, label]) => ({ value, label })) },
};

const allowedValues: Record<DimensionName, (value: string) => boolean> = {
  kind: (value) => ids.activityKinds.includes(value),
  network: (value) => ids.networks.includes(value),
  organisationType: (value) => ids.organisationTypes.includes(value),
  mailout: (value) => uuidPattern.test(value),
  page: (value) => Object.hasOwn(sitePages, value),
};

const externalById = new Map(config.externalMetrics.map((metric) => [metric.id, metric]));
export const isImportedMetric = (metric: string): boolean => externalById.has(metric);
const isKnownMetric = (metric: string): boolean => isCountedMetric(metric) || isImportedMetric(metric);
const declaredDimensions = (metric: string): readonly DimensionName[] =>
  isCountedMetric(metric) ? countedMetrics[metric].dimensions : [];

export interface MetricDescription {
  id: string;
  meaning: string;
  unit: string;
  source: 'counted' | 'imported' | 'both';
  /** `flow`: so many in a period; `net`: changes to a running total. */
  adds: 'flow' | 'net';
  granularities: Granularity[];
  dimensions: Array<{ name: DimensionName; example: string } & DimensionValues>;
}

/** Every metric an export can name, generated from the counting rules and `externalMetrics`. */
export function describeMetrics(): MetricDescription[] {
  const metricIds = [...Object.keys(countedMetrics), ...config.externalMetrics.map((metric) => metric.id)];
  return [...new Set(metricIds)].map((id) => {
    const external = externalById.get(id);
    const counted = isCountedMetric(id)
      ? (countedMetrics[id] as { meaning: string; kind?: 'net' })
      : undefined;
    return {
      id,
      meaning: counted
        ? counted.meaning + (external ? `; plus imported figures: ${external.label}` : '')
        : (external?.label ?? id),
      unit: external?.unit ?? 'count',
      source: counted && external ? 'both' : counted ? 'counted' : 'imported',
      adds: counted?.kind === 'net' ? 'net' : 'flow',
      // Imported figures are monthly: a day export of such a metric needs a dimension (counted only).
      granularities: external ? ['month', 'year'] : [...granularities],
      dimensions: declaredDimensions(id).map((name) => ({
        name,
        example: `${name}=${dimensionValues[name].values?.[0]?.value ?? '<uuid>'}`,
        ...dimensionValues[name],
      })),
    };
  });
}

export interface ExportQuery {
  metrics?: string;
  dimension?: string;
  granularity?: Granularity;
  from?: string;
  to?: string;
}

export interface ExportPlan {
  metrics: string[];
  dimension: string;
  granularity: Granularity;
  from: string;
  to: string;
  periods: string[];
}

/** What an export asks for, with every problem named at once (400) rather than the first. */
export function planExport(query: ExportQuery, now: Date): ExportPlan {
  const problems: FieldProblem[] = [];
  const granularity = query.granularity ?? 'month';
  const metrics = [
    ...new Set(
      (query.metrics ?? '')
        .split(',')
        .map((metric) => metric.trim())
        .filter(Boolean),
    ),
  ];
  if (metrics.length === 0)
    problems.push({ field: 'metrics', message: 'name at least one metric, e.g. activities.held' });
  for (const metric of metrics.filter((metric) => !isKnownMetric(metric))) {
    problems.push({
      field: 'metrics',
      message: `unknown metric "${metric}" (see GET /api/exports/engagement/metrics)`,
    });
  }
  const known = metrics.filter(isKnownMetric);
  const dimension = (query.dimension ?? 'all').trim() || 'all';
  problems.push(...dimensionProblems(dimension, known));
  if (granularity === 'day' && dimension === 'all') {
    for (const metric of known.filter(isImportedMetric)) {
      problems.push({
        field: 'granularity',
        message: `${metric} includes imported monthly figures: ask for month or year`,
      });
    }
  }
  const current = periodsOf(now)[granularity];
  const to = query.to === undefined ? current : parseBound(query.to, granularity, 'to', problems);
  const from =
    query.from === undefined
      ? to && shiftPeriod(granularity, to, 1 - defaultSpan[granularity])
      : parseBound(query.from, granularity, 'from', problems);
  if (from && to) {
    const count = countPeriods(granularity, from, to);
    if (count < 1) problems.push({ field: 'from', message: `from (${from}) is after to (${to})` });
    else if (count > maxPeriods) {
      problems.push({
        field: 'to',
        message: `${from} to ${to} is ${count} ${granularity}s; at most ${maxPeriods} periods per export`,
      });
    }
  }
  if (problems.length > 0 || !from || !to)
    throw new Invalid('Some query parameters need attention.', problems);
  return { metrics, dimension, granularity, from, to, periods: enumeratePeriods(granularity, from, to) };
}

function dimensionProblems(dimension: string, metrics: string[]): FieldProblem[] {
  if (dimension === 'all') return [];
  const [name = '', value = ''] = dimension.split(/=(.*)/s);
  if (!Object.hasOwn(dimensionValues, name) || value === '') {
    return [
      {
        field: 'dimension',
        message: `unknown dimension "${dimension}": use all or name=value with a name among ${Object.keys(dimensionValues).join(', ')}`,
      },
    ];
  }
  const problems: FieldProblem[] = [];
  if (!allowedValues[name as DimensionName](value)) {
    problems.push({ field: 'dimension', message: `unknown ${name} "${value}"` });
  }
  for (const metric of metrics.filter(
    (metric) => !declaredDimensions(metric).includes(name as DimensionName),
  )) {
    problems.push({
      field: 'dimension',
      message: `${metric} is not kept by ${name}${isCountedMetric(metric) ? '' : ' (imported figures are kept for all only)'}`,
    });
  }
  return problems;
}

const boundPattern = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** YYYY, YYYY-MM or YYYY-MM-DD as a period of the granularity; a coarser bound covers its whole span. */
export function parseBound(
  text: string,
  granularity: Granularity,
  edge: 'from' | 'to',
  problems: FieldProblem[],
): string | undefined {
  const match = boundPattern.exec(text.trim());
  const year = Number(match?.[1]);
  const month = match?.[2] === undefined ? undefined : Number(match[2]);
  const day = match?.[3] === undefined ? undefined : Number(match[3]);
  const valid =
    match &&
    year >= 1000 &&
    (month === undefined || (month >= 1 && month <= 12)) &&
    (day === undefined || (month !== undefined && day >= 1 && day <= daysIn(year, month)));
  if (!valid) {
    problems.push({ field: edge, message: `"${text}" is not a date: use YYYY, YYYY-MM or YYYY-MM-DD` });
    return undefined;
  }
  if (granularity === 'year') return String(year);
  const monthOf = month ?? (edge === 'from' ? 1 : 12);
  if (granularity === 'month') return `${year}-${pad(monthOf)}`;
  const dayOf = day ?? (edge === 'from' ? 1 : daysIn(year, monthOf));
  return `${year}-${pad(monthOf)}-${pad(dayOf)}`;
}

const monthIndex = (period: string) => Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1;
const dayIndex = (period: string) => Date.parse(`${period}T00:00:00Z`) / 86_400_000;

/** How many periods from `from` to `to`, both included (0 or less when `from` is after `to`). */
export function countPeriods(granularity: Granularity, from: string, to: string): number {
  if (granularity === 'year') return Number(to) - Number(from) + 1;
  if (granularity === 'month') return monthIndex(to) - monthIndex(from) + 1;
  return dayIndex(to) - dayIndex(from) + 1;
}

/** The period `steps` after (or before, when negative) `period`. */
export function shiftPeriod(granularity: Granularity, period: string, steps: number): string {
  if (granularity === 'year') return String(Number(period) + steps);
  if (granularity === 'month') {
    const index = monthIndex(period) + steps;
    return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
  }
  return new Date((dayIndex(period) + steps) * 86_400_000).toISOString().slice(0, 10);
}

export function enumeratePeriods(granularity: Granularity, from: string, to: string): string[] {
  const count = Math.max(0, countPeriods(granularity, from, to));
  return Array.from({ length: count }, (_, step) => shiftPeriod(granularity, from, step));
}

/** The months whose imported figures an export needs: its own months, or every month of its years. */
export function importedMonthRange(plan: Pick<ExportPlan, 'granularity' | 'from' | 'to'>): [string, string] {
  return plan.granularity === 'year' ? [`${plan.from}-01`, `${plan.to}-12`] : [plan.from, plan.to];
}

/** Whether an export of `metric` adds imported figures (they are kept monthly, for `all` only). */
export const usesImported = (metric: string, plan: Pick<ExportPlan, 'dimension' | 'granularity'>): boolean =>
  isImportedMetric(metric) && plan.dimension === 'all' && plan.granularity !== 'day';

export interface ExportRow {
  period: string;
  metric: string;
  value: number;
}

export interface MetricSeries {
  counted?: Map<string, number>;
  /** Imported figures by month. */
  imported?: Map<string, number>;
}

/** One row per period and metric, in that order; a period with no counter is 0; imported figures
 * are added (summed into years for a yearly export). */
export function buildRows(plan: ExportPlan, series: Map<string, MetricSeries>): ExportRow[] {
  const importedByPeriod = new Map<string, Map<string, number>>();
  for (const metric of plan.metrics) {
    const byPeriod = new Map<string, number>();
    for (const [month, value] of series.get(metric)?.imported ?? []) {
      const period = plan.granularity === 'year' ? month.slice(0, 4) : month;
      byPeriod.set(period, (byPeriod.get(period) ?? 0) + value);
    }
    importedByPeriod.set(metric, byPeriod);
  }
  return plan.periods.flatMap((period) =>
    plan.metrics.map((metric) => {
      const counted = series.get(metric)?.counted?.get(period) ?? 0;
      const imported = importedByPeriod.get(metric)?.get(period) ?? 0;
      // Imported figures may have decimals: keep sums free of binary floating-point dust.
      return { period, metric, value: Math.round((counted + imported) * 1e6) / 1e6 };
    }),
  );
}
