/**
 * The yearly evidence report: each configured line's figure for a year and the year before, read
 * from counters through a `SeriesReader`, so the rules are tested without AWS and the cost grows with
 * lines × months, never with raw events.
 */
import type { EvidenceLine } from '../../../shared/config';
import { periodsOf } from '../../../shared/time';
import { countedMetrics, isCountedMetric } from '../../counters/domain/counter-keys';
import {
  type Clock,
  memoised,
  type Series,
  type SeriesReader,
  seriesOf,
  startedMonths,
  type Term,
  total,
  totalBefore,
} from './evidence-series';
import { changePercentOf, fillText, newNetworkText } from './evidence-text';

export type { Granularity, SeriesReader } from './evidence-series';

const roundOne = (value: number) => Math.round(value * 10) / 10;

export type BreakdownDimension = NonNullable<EvidenceLine['breakdownBy']>;

export interface EvidenceSettings {
  lines: EvidenceLine[];
  networks: Array<{ id: string; name: string }>;
  /** Ids of the metrics analysts import (`externalMetrics`). */
  externalMetrics: string[];
  /** The values each breakdown dimension takes (organisation types, kinds, networks). */
  dimensionValues: Record<BreakdownDimension, string[]>;
}

export interface EvidenceLineFigures {
  id: string;
  label: string;
  /** Null only for an average with nothing to average. */
  value: number | null;
  previousValue: number | null;
  /** Whole-number change against the year before; null when there is nothing to compare with. */
  changePercent: number | null;
  text: string;
  /** For an average: the number it is over (the answers). */
  count?: number;
  previousCount?: number;
  /** The year's figure by `breakdownBy` value (members by organisation type). */
  breakdown?: Record<string, number | null>;
  /** Month by month (January first), for the chart: running totals for `endOfYear`. */
  monthly: { year: number[]; previousYear: number[] };
}

export interface NewNetwork {
  network: string;
  name: string;
  meetings: number;
  text: string;
}

export interface EvidenceReport {
  year: number;
  lines: EvidenceLineFigures[];
  newNetworks: NewNetwork[];
}

/** The counters a line adds up. Imported values exist only unfiltered (dimension `all`). */
function termsOf(metric: string, line: EvidenceLine, settings: EvidenceSettings, only?: string): Term[] {
  const counted = (dimension: string, sign: 1 | -1 = 1): Term => ({
    source: 'counted',
    metric,
    dimension,
    sign,
  });
  const filter = line.filter ?? {};
  if (only !== undefined) return isCountedMetric(metric) ? [counted(only)] : [];
  const terms: Term[] = [];
  if (isCountedMetric(metric)) {
    if (filter.kinds) terms.push(...filter.kinds.map((kind) => counted(`kind=${kind}`)));
    else if (filter.networks) terms.push(...filter.networks.map((network) => counted(`network=${network}`)));
    else
      terms.push(counted('all'), ...(filter.excludeKinds ?? []).map((kind) => counted(`kind=${kind}`, -1)));
  }
  if (!line.filter && settings.externalMetrics.includes(metric)) terms.push({ source: 'imported', metric });
  return terms;
}

/**
 * What in the `evidence` config the counters cannot answer: a metric neither counted nor imported,
 * or a filter or breakdown on a dimension the metric is not kept by. Checked at synth and at local
 * start-up, so a wrong line never reaches a report as a silent 0.
 */
export function evidenceConfigProblems(lines: EvidenceLine[], externalMetrics: string[]): string[] {
  const problems: string[] = [];
  for (const line of lines) {
    for (const metric of [line.metric, ...(line.per ? [line.per] : [])]) {
      if (!isCountedMetric(metric) && !externalMetrics.includes(metric)) {
        problems.push(
          `evidence line "${line.id}": ${metric} is neither a counted metric nor in externalMetrics`,
        );
        continue;
      }
      const kept: readonly string[] = isCountedMetric(metric) ? countedMetrics[metric].dimensions : [];
      const filter = line.filter ?? {};
      const needed = [
        ...(filter.kinds || filter.excludeKinds ? ['kind'] : []),
        ...(filter.networks ? ['network'] : []),
        ...(line.breakdownBy ? [line.breakdownBy] : []),
      ];
      for (const dimension of needed) {
        if (!kept.includes(dimension)) {
          problems.push(`evidence line "${line.id}": ${metric} is not counted by ${dimension}`);
        }
      }
    }
  }
  return problems;
}

const filterDimension = { kinds: 'kind', excludeKinds: 'kind', networks: 'network' } as const;

/** The breakdown values a line can honestly give: those its filter keeps, on the filter's dimension. */
function breakdownValues(line: EvidenceLine, settings: EvidenceSettings): string[] {
  const dimension = line.breakdownBy;
  if (!dimension) return [];
  const values = settings.dimensionValues[dimension];
  const filter = line.filter ?? {};
  const [used] = (Object.keys(filter) as Array<keyof typeof filterDimension>).filter((key) => filter[key]);
  if (!used) return values;
  if (filterDimension[used] !== dimension) {
    throw new Error(`evidence line ${line.id}: a ${used} filter cannot be broken down by ${dimension}`);
  }
  if (used === 'kinds') return values.filter((value) => filter.kinds?.includes(value));
  if (used === 'networks') return values.filter((value) => filter.networks?.includes(value));
  return values.filter((value) => !filter.excludeKinds?.includes(value));
}

interface Figures {
  value: number | null;
  previousValue: number | null;
  count?: number;
  previousCount?: number;
  monthly: EvidenceLineFigures['monthly'];
}

async function figuresOf(
  line: EvidenceLine,
  settings: EvidenceSettings,
  context: { year: number; clock: Clock; reader: SeriesReader },
  only?: string,
): Promise<Figures> {
  const { year, clock, reader } = context;
  const series = (metric: string) =>
    seriesOf(termsOf(metric, line, settings, only), year, clock, reader, line.aggregate === 'endOfYear');
  const main = await series(line.metric);
  switch (line.aggregate) {
    case 'sum':
      return { value: total(main.year), previousValue: total(main.previousYear), monthly: monthlyOf(main) };
    case 'peakMonth':
      return {
        value: Math.max(...main.year),
        previousValue: Math.max(...main.previousYear),
        monthly: monthlyOf(main),
      };
    case 'endOfYear': {
      const running = (start: number, values: number[]) => {
        let sum = start;
        return values.map((value) => {
          sum += value;
          return sum;
        });
      };
      const previousYear = running(main.opening, main.previousYear);
      const thisYear = running(previousYear[11] ?? main.opening, main.year);
      return {
        value: thisYear[11] ?? 0,
        previousValue: previousYear[11] ?? 0,
        monthly: { year: thisYear, previousYear },
      };
    }
    case 'average': {
      const per = await series(line.per ?? '');
      const average = (sum: number, count: number) => (count > 0 ? roundOne(sum / count) : null);
      const byMonth = (sums: number[], counts: number[]) =>
        sums.map((sum, index) => average(sum, counts[index] ?? 0) ?? 0);
      return {
        value: average(total(main.year), total(per.year)),
        previousValue: average(total(main.previousYear), total(per.previousYear)),
        count: total(per.year),
        previousCount: total(per.previousYear),
        monthly: {
          year: byMonth(main.year, per.year),
          previousYear: byMonth(main.previousYear, per.previousYear),
        },
      };
    }
  }
}

const monthlyOf = (series: Series) => ({ year: series.year, previousYear: series.previousYear });

async function lineFigures(
  line: EvidenceLine,
  settings: EvidenceSettings,
  context: { year: number; clock: Clock; reader: SeriesReader },
): Promise<EvidenceLineFigures> {
  const values = breakdownValues(line, settings);
  const [figures, breakdown] = await Promise.all([
    figuresOf(line, settings, context),
    Promise.all(
      values.map(async (value) => figuresOf(line, settings, context, `${line.breakdownBy}=${value}`)),
    ),
  ]);
  const changePercent = changePercentOf(figures.value, figures.previousValue);
  return {
    id: line.id,
    label: line.label,
    value: figures.value,
    previousValue: figures.previousValue,
    changePercent,
    text: fillText(line, { ...figures, changePercent, year: context.year }),
    ...(figures.count === undefined
      ? {}
      : { count: figures.count, previousCount: figures.previousCount ?? 0 }),
    ...(line.breakdownBy
      ? { breakdown: Object.fromEntries(values.map((value, index) => [value, breakdown[index]?.value ?? 0])) }
      : {}),
    monthly: figures.monthly,
  };
}

/** Networks whose first activity (not cancelled, started) falls in `year`, with their meetings that year. */
async function newNetworksOf(
  settings: EvidenceSettings,
  context: { year: number; clock: Clock; reader: SeriesReader },
): Promise<NewNetwork[]> {
  const { year, clock, reader } = context;
  const found = await Promise.all(
    settings.networks.map(async ({ id, name }) => {
      const term: Term = {
        source: 'counted',
        metric: 'activities.held',
        dimension: `network=${id}`,
        sign: 1,
      };
      const [before, months] = await Promise.all([
        totalBefore(term, year, clock, reader),
        startedMonths(term, year, clock, reader),
      ]);
      const meetings = total(months);
      return before <= 0 && meetings > 0
        ? { network: id, name, meetings, text: newNetworkText(name, meetings) }
        : null;
    }),
  );
  return found.filter((network): network is NewNetwork => network !== null);
}

/** The report for `year` as it stands at `now` (the current year counts only what has started). */
export async function evidenceReport(
  year: number,
  now: Date,
  settings: EvidenceSettings,
  reader: SeriesReader,
): Promise<EvidenceReport> {
  const periods = periodsOf(now);
  const context = {
    year,
    clock: { year: Number(periods.year), month: periods.month, day: periods.day },
    reader: memoised(reader),
  };
  const [lines, newNetworks] = await Promise.all([
    Promise.all(settings.lines.map((line) => lineFigures(line, settings, context))),
    newNetworksOf(settings, context),
  ]);
  return { year, lines, newNetworks };
}
