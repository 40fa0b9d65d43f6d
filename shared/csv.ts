/**
 * CSV for spreadsheets, after OWASP's CSV-injection advice. Every cell is quoted (RFC 4180), and
 * text that starts like a formula (=, +, -, @, tab, CR) gets a leading `'`, which a spreadsheet
 * reads as "this is text". A spreadsheet that splits on `;` or a tab (many locales do) loses track
 * of the quoting after the first cell, so the same `'` also goes after any separator or line break
 * inside a cell that a formula (or a quote opening one) follows: no reading can split one out.
 * A number is never a formula, so a negative one stays a number.
 */
const formulaStart = /^[=+\-@\t\r]/;
// A separator that ends the text is followed by the closing quote, which opens one in such a reading.
const formulaAfterSeparator = /([,;\t\r\n])(?=[=+\-@\t\r"]|$)/g;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value !== 'number') {
    text = text.replace(formulaAfterSeparator, "$1'");
    if (formulaStart.test(text)) text = `'${text}`;
  }
  return `"${text.replace(/"/g, '""')}"`;
}

export const toCsv = (header: string[], rows: unknown[][]): string =>
  `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
