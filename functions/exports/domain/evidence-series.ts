/**
 * Reading counter series for the evidence report, counting only what has started: every month of a
 * past year, nothing of a future one, and the current month up to today (its day counters).
 */
export type Granularity = 'day' | 'month' | 'year';

/** How the report reads counters (functions/exports/counter-reader.ts in a handler, a map in tests). */
export interface SeriesReader {
  /** period → count of `${metric}#${dimension}` for periods in [from, to]; absent periods are left out. */
  counted(
    metric: string,
    dimension: string,
    granularity: Granularity,
    from: string,
    to: string,
  ): Promise<Map<string, number>>;
  /** month → imported value of an external metric, months in [fromMonth, toMonth]. */
  imported(metric: string, fromMonth: string, toMonth: string): Promise<Map<string, number>>;
}

/** One series a figure adds up: a counted counter (added or taken away) or the imported values. */
export type Term =
  | { source: 'counted'; metric: string; dimension: string; sign: 1 | -1 }
  | { source: 'imported'; metric: string };

/** Now, as the alliance's calendar has it. */
export interface Clock {
  year: number;
  month: string;
  day: string;
}

const monthsOf = (year: number) =>
  Array.from({ length: 12 }, (_, index) => `${year}-${String(index + 1).padStart(2, '0')}`);
export const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
const addInto = (into: number[], values: number[], sign = 1) =>
  values.forEach((value, index) => {
    into[index] = (into[index] ?? 0) + sign * value;
  });

/** The same query asked twice (two lines reading one counter) is read once. */
export function memoised(reader: SeriesReader): SeriesReader {
  const seen = new Map<string, Promise<Map<string, number>>>();
  const once = (key: string, read: () => Promise<Map<string, number>>) => {
    const known = seen.get(key);
    if (known) return known;
    const reading = read();
    seen.set(key, reading);
    return reading;
  };
  return {
    counted: (...args) => once(`c|${args.join('|')}`, () => reader.counted(...args)),
    imported: (...args) => once(`i|${args.join('|')}`, () => reader.imported(...args)),
  };
}

/**
 * A year's twelve months of one term, counting only what has started by now: nothing of a future
 * year, nothing after this month, and this month only up to today (its day counters).
 */
export async function startedMonths(
  term: Term,
  year: number,
  clock: Clock,
  reader: SeriesReader,
): Promise<number[]> {
  if (year > clock.year) return Array(12).fill(0);
  const months = monthsOf(year);
  const [first, last] = [months[0] ?? '', months[11] ?? ''];
  const series =
    term.source === 'counted'
      ? await reader.counted(term.metric, term.dimension, 'month', first, last)
      : await reader.imported(term.metric, first, last);
  const values = months.map((month) => series.get(month) ?? 0);
  if (year < clock.year) return values;
  const thisMonth = months.indexOf(clock.month);
  if (term.source === 'counted') {
    const days = await reader.counted(term.metric, term.dimension, 'day', `${clock.month}-01`, clock.day);
    values[thisMonth] = total([...days.values()]);
  }
  return values.map((value, index) => (index > thisMonth ? 0 : value));
}

/** Everything a term added up to before `year` began (a stock's opening figure). */
export async function totalBefore(
  term: Term,
  year: number,
  clock: Clock,
  reader: SeriesReader,
): Promise<number> {
  const lastWholeYear = Math.min(year - 1, clock.year - 1);
  let sum = 0;
  if (lastWholeYear >= 0) {
    const series =
      term.source === 'counted'
        ? await reader.counted(
            term.metric,
            term.dimension,
            'year',
            '0000',
            String(lastWholeYear).padStart(4, '0'),
          )
        : await reader.imported(term.metric, '0000-01', `${String(lastWholeYear).padStart(4, '0')}-12`);
    sum += total([...series.values()]);
  }
  if (clock.year < year) sum += total(await startedMonths(term, clock.year, clock, reader));
  return sum;
}

export interface Series {
  opening: number;
  previousYear: number[];
  year: number[];
}

export async function seriesOf(
  terms: Term[],
  year: number,
  clock: Clock,
  reader: SeriesReader,
  withOpening: boolean,
) {
  const series: Series = { opening: 0, previousYear: Array(12).fill(0), year: Array(12).fill(0) };
  await Promise.all(
    terms.map(async (term) => {
      const sign = term.source === 'counted' ? term.sign : 1;
      const [previousYear, thisYear, opening] = await Promise.all([
        startedMonths(term, year - 1, clock, reader),
        startedMonths(term, year, clock, reader),
        withOpening ? totalBefore(term, year - 1, clock, reader) : 0,
      ]);
      addInto(series.previousYear, previousYear, sign);
      addInto(series.year, thisYear, sign);
      series.opening += sign * opening;
    }),
  );
  return series;
}

/** The counters a line adds up. Imported values exist only unfiltered (dimension `all`). */
