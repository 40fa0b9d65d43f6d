import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../shared/csv';

/**
 * Reads CSV the way a spreadsheet does with a given separator: a cell that opens with a quote runs
 * to its closing quote ("" is a quote inside); anything after it up to the separator or a line break
 * is kept as is, a quote there included. (A `;` reading of a `,` file loses track of the quoting from
 * the second cell on: the worst case for a formula hidden after a `;`.)
 */
const readAs = (text: string, separator: ',' | ';' | '\t'): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let at = 0;
  while (at < text.length) {
    let cell = '';
    if (text[at] === '"') {
      at += 1;
      for (;;) {
        // An unclosed quote runs to the end of the file.
        const close = text.indexOf('"', at) < 0 ? text.length : text.indexOf('"', at);
        cell += text.slice(at, close);
        at = close + 1;
        if (text[at] !== '"') break;
        cell += '"';
        at += 1;
      }
    }
    while (at < text.length && text[at] !== separator && text[at] !== '\r' && text[at] !== '\n') {
      cell += text[at];
      at += 1;
    }
    row.push(cell);
    if (text[at] === separator) {
      at += 1;
    } else {
      at += text.startsWith('\r\n', at) ? 2 : 1;
      rows.push(row);
      row = [];
    }
  }
  return rows;
};

const formulaStart = /^[=+\-@\t\r]/;

const hostileText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc
    .tuple(
      fc.string({ maxLength: 6 }),
      fc.constantFrom(';', ',', '\t', '"', '\r\n', '\n', '\r'),
      fc.constantFrom('=', '+', '-', '@', '\t', '\r', '"', '"='),
      fc.string({ maxLength: 6 }),
    )
    .map((parts) => parts.join('')),
);

describe('CSV a spreadsheet cannot turn into a formula', () => {
  it('quotes every cell, the header and empty cells too', () => {
    expect(
      toCsv(
        ['name', 'note'],
        [
          ['Ada', null],
          ['Bob', undefined],
        ],
      ),
    ).toBe('"name","note"\r\n"Ada",""\r\n"Bob",""\r\n');
    expect(csvCell('Smith, Ada')).toBe('"Smith, Ada"');
    expect(csvCell('x"y')).toBe('"x""y"');
    expect(csvCell(12)).toBe('"12"');
  });

  it("puts a ' before text that starts like a formula, but leaves a negative number a number", () => {
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('+44 121')).toBe(`"'+44 121"`);
    expect(csvCell('-3')).toBe(`"'-3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tcmd')).toBe(`"'\tcmd"`);
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`);
    expect(csvCell(-3)).toBe('"-3"');
  });

  it('a spreadsheet splitting on ";" finds no formula, even where a cell holds "x;=cmd"', () => {
    const csv = toCsv(['name', 'organisation'], [['Smith;=1+1', 'Acme;=HYPERLINK("http://evil.example")']]);

    expect(readAs(csv, ';').flat()).toEqual([
      'name,"organisation"',
      `Smith;'=1+1,"Acme`,
      `'=HYPERLINK(""http://evil.example"")"`,
    ]);
  });

  it('a formula after a separator or line break inside a cell gets its apostrophe too', () => {
    expect(csvCell('Acme;=1+1')).toBe(`"Acme;'=1+1"`);
    expect(csvCell('a,-1')).toBe(`"a,'-1"`);
    expect(csvCell('line\n@cmd')).toBe(`"line\n'@cmd"`);
    expect(csvCell('a; -1, b')).toBe('"a; -1, b"');
  });

  it('whatever people type: read with ",", ";" or a tab, no cell starts a formula; read with "," each cell comes back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(hostileText, { minLength: 2, maxLength: 2 }), { maxLength: 4 }),
        (rows) => {
          const csv = toCsv(['first', 'second'], rows);
          for (const separator of [',', ';', '\t'] as const) {
            for (const cell of readAs(csv, separator).flat()) expect(cell).not.toMatch(formulaStart);
          }
          // Read with ",", every cell comes back as typed, but for the apostrophes that defuse a formula.
          const withoutApostrophes = (cells: string[][]) =>
            cells.map((row) => row.map((cell) => cell.replace(/'/g, '')));
          expect(withoutApostrophes(readAs(csv, ',').slice(1))).toEqual(withoutApostrophes(rows));
        },
      ),
      { numRuns: 500 },
    );
  });
});
