/**
 * Attendance pasted or uploaded as CSV, read in the browser into rows to preview before anything is
 * recorded: each row keeps its line number and what is wrong with it. Pure, tested without a browser.
 */

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF); commas, or semicolons when a line has no comma. */
export function parseCsv(text: string): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  const source = text.replace(/^\uFEFF/, '');
  const separator = /^[^,\n]*;/.test(source) && !source.split('\n')[0]?.includes(',') ? ';' : ',';
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.some((value) => value.trim() !== '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (let index = 0; index < source.length; index++) {
    const character = source[index];
    if (quoted) {
      if (character === '"' && source[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (character === '"') quoted = false;
      else {
        if (character === '\n') line++;
        cell += character;
      }
    } else if (character === '"' && cell.trim() === '') {
      cell = '';
      quoted = true;
    } else if (character === separator) {
      cells.push(cell);
      cell = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && source[index + 1] === '\n') index++;
      endRow();
      line++;
      rowLine = line;
    } else cell += character;
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

export interface PreviewRow {
  /** The line of the pasted text or file the row starts on, as a person counts (from 1). */
  line: number;
  email: string;
  name: string;
  problems: string[];
}

export interface AttendancePreview {
  rows: PreviewRow[];
  /** A problem with the whole text (nothing to read, no e-mail column): nothing can be recorded. */
  problem?: string;
  /** The rows without problems, as the API takes them. */
  attendees: Array<{ email: string; name?: string }>;
}

const emailHeader = /^(e-?mail|e-?mail address)$/i;
const nameHeader = /^(name|full name|attendee|attendee name)$/i;
const emailShape = /^[^\s@",;<>]+@[^\s@",;<>]+\.[^\s@",;<>]+$/;

/**
 * Reads attendees: a header line naming an `email` (or `e-mail`) column and optionally a `name`
 * column, or no header at all with e-mail first and name second. A row without an e-mail, with a
 * malformed one, or repeating an earlier row's address is reported on that row and not recorded.
 */
export function previewAttendance(text: string): AttendancePreview {
  const table = parseCsv(text);
  const first = table[0];
  if (!first)
    return {
      rows: [],
      attendees: [],
      problem: 'There is nothing to read: paste CSV lines or choose a file.',
    };
  const headers = first.cells.map((cell) => cell.trim());
  const hasHeader = headers.some((cell) => emailHeader.test(cell) || nameHeader.test(cell));
  let emailColumn = 0;
  let nameColumn: number | undefined = 1;
  if (hasHeader) {
    emailColumn = headers.findIndex((cell) => emailHeader.test(cell));
    const foundName = headers.findIndex((cell) => nameHeader.test(cell));
    nameColumn = foundName === -1 ? undefined : foundName;
    if (emailColumn === -1) {
      return {
        rows: [],
        attendees: [],
        problem: `The first line names the columns (${headers.join(', ')}) but none is "email": name the e-mail column "email".`,
      };
    }
  }
  const seen = new Map<string, number>();
  const rows = (hasHeader ? table.slice(1) : table).map(({ line, cells }) => {
    const email = (cells[emailColumn] ?? '').trim();
    const name = nameColumn === undefined ? '' : (cells[nameColumn] ?? '').trim();
    const problems: string[] = [];
    if (cells.length <= emailColumn) problems.push('The e-mail column is missing on this row');
    else if (email === '') problems.push('The e-mail address is empty');
    else if (!emailShape.test(email)) problems.push(`“${email}” is not an e-mail address`);
    else {
      const key = email.toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined) problems.push(`The same address as line ${earlier}: it is recorded once`);
      else seen.set(key, line);
    }
    if (name.length > 200) problems.push('The name is longer than 200 characters');
    return { line, email, name, problems };
  });
  if (rows.length === 0)
    return { rows, attendees: [], problem: 'There are no attendees under the header line.' };
  return {
    rows,
    attendees: rows
      .filter((row) => row.problems.length === 0)
      .map((row) => (row.name ? { email: row.email, name: row.name } : { email: row.email })),
  };
}
