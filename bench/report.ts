/** Figures from a run of timed calls, and a plain-text table to print them in. */

export interface Timed {
  /** Milliseconds from the call going out to its answer. */
  latencyMs: number;
}

/** Nearest-rank percentile of an ascending list (p in 0..100). */
export function percentile(ascending: number[], p: number): number {
  if (ascending.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * ascending.length);
  return ascending[Math.min(ascending.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function latencySummary(calls: Timed[]) {
  const sorted = calls.map((call) => call.latencyMs).sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a');
export const perSecond = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} /s` : 'n/a');

/** A table with a header row, left-aligned first column and right-aligned figures. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('   ')
      .trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('   ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
