/**
 * Monthly figures an analyst imports (`PUT /api/metrics/{id}`), as pure rules: the body read as JSON
 * rows or as CSV, and every row checked, so a request is stored whole or not at all.
 */
import { config } from '../../../shared/config';
import { type FieldProblem, Invalid, UnsupportedMediaType } from '../../../shared/errors';

export const maxImportRows = 1200;
export const firstMonth = '2000-01';
export const lastMonth = '2100-12';
/** More problems than this are summed up in one last line: the answer stays readable. */
const maxProblemsListed = 50;

export interface ImportRow {
  period: string;
  value: number;
}

/** A row as sent, before checking: its 1-based number among the data rows (after a CSV header). */
interface SentRow {
  row: number;
  period: unknown;
  value: unknown;
}

export function assertImportedMetric(metric: string | undefined): string {
  if (metric && config.externalMetrics.some((external) => external.id === metric)) return metric;
  throw new Invalid(`"${metric ?? ''}" is not a metric that can be imported.`, [
    {
      field: 'id',
      message: `use one of ${config.externalMetrics.map((external) => external.id).join(', ')} (externalMetrics in alliance.config.json)`,
    },
  ]);
}

/** Reads the body by its content type: a JSON array of `{ period, value }`, or CSV `period,value`. */
export function readSentRows(contentType: string | undefined, body: string): SentRow[] {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = body.replace(/^\uFEFF/, '');
  if (type === 'text/csv') return csvRows(text);
  if (type === 'application/json' || type.endsWith('+json')) return jsonRows(text);
  throw new UnsupportedMediaType('Send the rows as application/json or text/csv.');
}

function jsonRows(text: string): SentRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Invalid('The request body is not valid JSON.');
  }
  if (!Array.isArray(parsed)) {
    throw new Invalid('Send an array of rows.', [
      { field: '(body)', message: 'expected [{ "period": "YYYY-MM", "value": n }, ...]' },
    ]);
  }
  return parsed.map((item: unknown, index) => {
    const fields = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    return { row: index + 1, period: fields.period, value: fields.value };
  });
}

function csvRows(text: string): SentRow[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  const [header, ...data] = lines;
  const columns = csvLine(header ?? '').map((cell) => cell.trim().toLowerCase());
  if (columns.length !== 2 || columns[0] !== 'period' || columns[1] !== 'value') {
    throw new Invalid('The CSV needs the header line "period,value".', [
      { field: 'header', message: `found "${header ?? ''}"` },
    ]);
  }
  return data.map((line, index) => {
    const cells = csvLine(line).map((cell) => cell.trim());
    return {
      row: index + 1,
      period: cells[0],
      // A row with more or fewer cells than the header has no single value.
      value: cells.length === 2 ? cells[1] : undefined,
    };
  });
}

/** One CSV line's cells, RFC 4180 quoting (`"a,b"`, `""` for a quote). */
function csvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

const periodPattern = /^\d{4}-(0[1-9]|1[0-2])$/;
const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function checkedNumber(value: unknown): number | string {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && numberPattern.test(value)
        ? Number(value)
        : Number.NaN;
  if (Number.isNaN(number)) return 'is not a number';
  if (!Number.isFinite(number)) return 'is not a finite number';
  if (number < 0) return 'is negative';
  return number;
}

/** Every row checked; any problem rejects the whole request, naming each bad row and its period. */
export function checkRows(sent: SentRow[]): ImportRow[] {
  if (sent.length === 0) throw new Invalid('Send at least one row.', [{ field: 'rows', message: 'no rows' }]);
  if (sent.length > maxImportRows) {
    throw new Invalid(`At most ${maxImportRows} rows per import.`, [
      { field: 'rows', message: `${sent.length} rows sent` },
    ]);
  }
  const problems: FieldProblem[] = [];
  const firstRowOf = new Map<string, number>();
  const rows: ImportRow[] = [];
  for (const { row, period, value } of sent) {
    const shown = typeof period === 'string' ? period : JSON.stringify(period ?? null);
    const problem = (message: string) =>
      problems.push({ field: `row ${row}`, message: `period ${shown}: ${message}` });
    const checkedValue = checkedNumber(value);
    if (typeof period !== 'string' || !periodPattern.test(period))
      problem('the period must be a month, YYYY-MM');
    else if (period < firstMonth || period > lastMonth)
      problem(`the month must be from ${firstMonth} to ${lastMonth}`);
    else if (firstRowOf.has(period)) problem(`the same month is on row ${firstRowOf.get(period)}`);
    if (typeof checkedValue === 'string') problem(`the value ${checkedValue}`);
    if (typeof period === 'string' && !firstRowOf.has(period)) firstRowOf.set(period, row);
    if (typeof period === 'string' && typeof checkedValue === 'number')
      rows.push({ period, value: checkedValue });
  }
  if (problems.length > 0) {
    const listed = problems.slice(0, maxProblemsListed);
    if (problems.length > listed.length) {
      listed.push({ field: 'rows', message: `and ${problems.length - listed.length} more problems` });
    }
    throw new Invalid('Some rows need attention; nothing was imported.', listed);
  }
  return rows.sort((left, right) => left.period.localeCompare(right.period));
}
