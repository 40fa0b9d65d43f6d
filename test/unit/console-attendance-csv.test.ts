import { describe, expect, it } from 'vitest';
import { parseCsv, previewAttendance } from '../../web/console/src/activities/attendance-csv';
import { isoToZoned, zonedToIso } from '../../web/console/src/zoned-time';

describe('attendance pasted as CSV, previewed before recording', () => {
  it('reads quoted names with commas, doubled quotes, CRLF lines and a byte-order mark', () => {
    expect(
      parseCsv('\uFEFFemail,name\r\na@example.org,"Smith, Ann"\r\nb@example.org,"The ""B"""\r\n'),
    ).toEqual([
      { line: 1, cells: ['email', 'name'] },
      { line: 2, cells: ['a@example.org', 'Smith, Ann'] },
      { line: 3, cells: ['b@example.org', 'The "B"'] },
    ]);
  });

  it('a bad address, a missing address and a repeated address are each reported on their own line and not sent', () => {
    const preview = previewAttendance(
      'Name,E-mail\nAnn,ann@example.org\nBob,not-an-address\nCat\nAnn again,ANN@example.org\n\nDee,dee@example.org',
    );
    expect(preview.rows.map((row) => [row.line, row.problems])).toEqual([
      [2, []],
      [3, ['“not-an-address” is not an e-mail address']],
      [4, ['The e-mail column is missing on this row']],
      [5, ['The same address as line 2: it is recorded once']],
      [7, []],
    ]);
    expect(preview.attendees).toEqual([
      { email: 'ann@example.org', name: 'Ann' },
      { email: 'dee@example.org', name: 'Dee' },
    ]);
  });

  it('without a header line, the e-mail comes first and the name second', () => {
    expect(previewAttendance('ann@example.org,Ann\nbob@example.org').attendees).toEqual([
      { email: 'ann@example.org', name: 'Ann' },
      { email: 'bob@example.org' },
    ]);
  });

  it('a header without an e-mail column, or nothing at all, is refused as a whole', () => {
    expect(previewAttendance('name,organisation\nAnn,Uni').problem).toMatch(/none is "email"/);
    expect(previewAttendance('  \n').problem).toMatch(/nothing to read/);
  });
});

describe('times typed in the alliance’s time zone', () => {
  it('a London winter time has offset +00:00, a summer time +01:00, whatever zone the browser is in', () => {
    expect(zonedToIso('2027-01-14T14:00', 'Europe/London')).toBe('2027-01-14T14:00:00+00:00');
    expect(zonedToIso('2027-07-14T14:00', 'Europe/London')).toBe('2027-07-14T14:00:00+01:00');
    expect(zonedToIso('2027-07-14T14:00', 'America/New_York')).toBe('2027-07-14T14:00:00-04:00');
    expect(zonedToIso('', 'Europe/London')).toBeUndefined();
  });

  it('the hours either side of a clock change land on the right side of it', () => {
    // London goes to BST at 01:00 UTC on 28 March 2027 and back at 01:00 UTC on 31 October 2027.
    expect(zonedToIso('2027-03-28T00:30', 'Europe/London')).toBe('2027-03-28T00:30:00+00:00');
    expect(zonedToIso('2027-03-28T02:30', 'Europe/London')).toBe('2027-03-28T02:30:00+01:00');
    expect(zonedToIso('2027-10-31T02:30', 'Europe/London')).toBe('2027-10-31T02:30:00+00:00');
  });

  it('a stored instant comes back as the same wall-clock time in the field', () => {
    expect(isoToZoned('2027-07-14T13:00:00.000Z', 'Europe/London')).toBe('2027-07-14T14:00');
    expect(isoToZoned('2027-01-14T00:00:00.000Z', 'Europe/London')).toBe('2027-01-14T00:00');
    expect(
      Date.parse(zonedToIso(isoToZoned('2027-07-14T13:00:00.000Z', 'Europe/London'), 'Europe/London') ?? ''),
    ).toBe(Date.parse('2027-07-14T13:00:00.000Z'));
  });
});
