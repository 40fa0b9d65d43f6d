import { describe, expect, it } from 'vitest';
import type { Activity } from '../../functions/activities/domain/activity';
import { calendarInvite } from '../../functions/activities/domain/calendar';

const activity: Activity = {
  activityId: '0b7e2c44-5d1a-4f0e-8a3b-6c9d2e1f4a50',
  kind: 'alliance-meeting',
  network: 'smart-city-alliance',
  title: 'Smart mobility showcase',
  description: 'Demos',
  startsAt: '2027-01-14T14:00:00Z',
  endsAt: '2027-01-14T16:00:00Z',
  venue: 'Birmingham Science Park',
  onlineUrl: 'https://meet.example.org/abc',
  capacity: 40,
  status: 'scheduled',
  sequence: 0,
  accepted: 12,
  createdAt: '2026-11-01T10:00:00Z',
  updatedAt: '2026-11-01T10:00:00Z',
};

interface ContentLine {
  name: string;
  params: Record<string, string[]>;
  value: string;
}

/** Unfolds the physical lines (RFC 5545 3.1): a CRLF followed by one space or tab continues the line. */
const unfold = (text: string): string[] => {
  expect(text.endsWith('\r\n')).toBe(true);
  return text
    .slice(0, -2)
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n');
};

/** RFC 6868: ^n is a line break, ^' a double quote, ^^ a caret; any other ^ stands for itself. */
const decodeParameter = (value: string) =>
  value.replace(/\^(n|'|\^)/g, (_, code: string) => (code === 'n' ? '\n' : code === "'" ? '"' : '^'));

/** A strict reading of RFC 5545's contentline grammar; throws where a client would choke. */
const parseContentLine = (line: string): ContentLine => {
  const nameMatch = /^[A-Za-z0-9-]+/.exec(line);
  if (!nameMatch) throw new Error(`no property name in ${JSON.stringify(line)}`);
  let at = nameMatch[0].length;
  const params: Record<string, string[]> = {};
  while (line[at] === ';') {
    const paramName = /^[A-Za-z0-9-]+=/.exec(line.slice(at + 1));
    if (!paramName) throw new Error(`bad parameter name at ${at} in ${JSON.stringify(line)}`);
    at += 1 + paramName[0].length;
    const values: string[] = [];
    for (;;) {
      // quoted-string: DQUOTE *QSAFE-CHAR DQUOTE; paramtext: *SAFE-CHAR (no controls, DQUOTE, ';', ':', ',').
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
      const piece = /^"([^"\u0000-\u001f\u007f]*)"|^([^";:,\u0000-\u001f\u007f]*)/.exec(line.slice(at));
      if (!piece) throw new Error(`bad parameter value at ${at} in ${JSON.stringify(line)}`);
      values.push(decodeParameter(piece[1] ?? piece[2] ?? ''));
      at += piece[0].length;
      if (line[at] !== ',') break;
      at += 1;
    }
    params[paramName[0].slice(0, -1).toUpperCase()] = values;
  }
  if (line[at] !== ':') throw new Error(`expected ':' at ${at} in ${JSON.stringify(line)}`);
  return { name: nameMatch[0].toUpperCase(), params, value: line.slice(at + 1) };
};

const propertiesOf = (text: string) => unfold(text).map(parseContentLine);
const property = (text: string, name: string) => {
  const found = propertiesOf(text).find((line) => line.name === name);
  if (!found) throw new Error(`no ${name} in the invite`);
  return found;
};

/** Reads a TEXT value back (RFC 5545 3.3.11). */
const unescapeText = (value: string) =>
  value.replace(/\\([\\;,nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? '\n' : char));

// Every control character a person could paste: C0 (less CR, LF), DEL and C1.
const controls = [
  ...Array.from({ length: 0x20 }, (_, code) => code).filter((code) => code !== 0x0a && code !== 0x0d),
  0x7f,
  0x85,
  0x9b,
]
  .map((code) => String.fromCharCode(code))
  .join('');

const rawControlOtherThanCrlf = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)|(?<!\r)\n/.test(text);

describe('calendar invites that a calendar client can read whatever people type', () => {
  it('an attendee named with double quotes gets a valid CN that reads back as their name (RFC 6868)', () => {
    const name = 'Ada "The Countess" Lovelace ^ Byron';
    const invite = calendarInvite(activity, {
      method: 'REQUEST',
      attendee: { email: 'ada@example.org', name },
      includeOnlineLink: true,
    });

    const attendee = property(invite, 'ATTENDEE');
    expect(attendee.params.CN).toEqual([name]);
    expect(attendee.value.toLowerCase()).toBe('mailto:ada@example.org');
  });

  it('a line break or control character in an attendee name does not reach the invite', () => {
    const invite = calendarInvite(activity, {
      method: 'CANCEL',
      attendee: { email: 'ada@example.org', name: `Ada\r\nBcc: x${controls}Lovelace` },
      includeOnlineLink: false,
    });

    expect(rawControlOtherThanCrlf(invite)).toBe(false);
    expect(property(invite, 'ATTENDEE').params.CN).toEqual(['Ada Bcc: x Lovelace']);
  });

  it('control characters in the title, description and venue are removed; line breaks become \\n', () => {
    const invite = calendarInvite(
      {
        ...activity,
        title: `Smart${controls}mobility\r\nshowcase`,
        description: `Demos\r\nand talks\rand${controls}more\n\nBring, a; laptop\\`,
        venue: `Birmingham\u0000Science\tPark`,
      },
      { method: 'PUBLISH', includeOnlineLink: false },
    );

    expect(rawControlOtherThanCrlf(invite)).toBe(false);
    expect(unescapeText(property(invite, 'SUMMARY').value)).toBe('Smart mobility showcase');
    expect(unescapeText(property(invite, 'DESCRIPTION').value)).toBe(
      'Demos\nand talks\nand more\n\nBring, a; laptop\\',
    );
    expect(unescapeText(property(invite, 'LOCATION').value)).toBe(
      'Birmingham Science Park / Online (link sent to booked attendees)',
    );
  });

  it('every line of an ordinary invite parses as an iCalendar content line', () => {
    const invite = calendarInvite(activity, {
      method: 'REQUEST',
      attendee: { email: 'ada@example.org', name: 'Ada Lovelace' },
      includeOnlineLink: true,
    });

    expect(rawControlOtherThanCrlf(invite)).toBe(false);
    expect(propertiesOf(invite).map((line) => line.name)).toContain('ORGANIZER');
    expect(property(invite, 'ATTENDEE').params.CN).toEqual(['Ada Lovelace']);
  });
});
