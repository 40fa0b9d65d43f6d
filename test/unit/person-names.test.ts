import { describe, expect, it } from 'vitest';
import { attendanceSchema, rsvpRequestSchema } from '../../functions/activities/domain/rsvp';
import { registrationSchema } from '../../functions/members/domain/registration';

const registration = (name: string) => ({
  name,
  email: 'ada@example.org',
  organisation: 'Analytical Engines Ltd',
  organisationType: 'sme',
  networks: ['smart-city-alliance'],
  interests: [],
  consent: { newsletter: false, privacyNotice: true, formVersion: '2026-11' },
});

const nameProblem = (name: string) => {
  const result = registrationSchema.safeParse(registration(name));
  if (result.success) return undefined;
  const issues = result.error.issues.filter((issue) => issue.path.join('.') === 'name');
  return issues.map((issue) => issue.message).join('; ') || undefined;
};

const accepted = [
  'Ada Lovelace',
  "Zoë O'Brien-Łukasz",
  'Nguyễn Văn An',
  'St. John-Smith Jr.',
  'J. R. R. Tolkien',
  'J.R.R. Tolkien',
  'Dr. Martin Luther King Jr.',
  '李小龍',
  'محمد علی',
  'می\u200cخواهم', // ZWNJ between Persian letters is part of the spelling
  'Ms. A. N. Other',
];

const refused: Array<[string, string]> = [
  ['Your account is locked, verify at https://evil.example', 'Remove the web address from your name'],
  ['Verify at www.evil.example now', 'Remove the web address from your name'],
  ['Log in at evil.example/verify', 'Remove the web address from your name'],
  ['Visit evil.example today', 'Remove the web address from your name'],
  ['ftp://evil.example', 'Remove the web address from your name'],
  ['bob@example.org', 'Remove the e-mail address from your name'],
  ['Write to bob@example.org', 'Remove the e-mail address from your name'],
  ['Ada \u202eelpmaxe.live', 'Remove invisible or direction-changing characters from your name'],
  ['Ada \u2066Lovelace\u2069', 'Remove invisible or direction-changing characters from your name'],
  ['Ada\u200bLovelace', 'Remove invisible or direction-changing characters from your name'],
  ['Ada\u2060Lovelace', 'Remove invisible or direction-changing characters from your name'],
  ['Ada\ufeffLovelace', 'Remove invisible or direction-changing characters from your name'],
  ['Ada \ud800', 'Remove invisible or direction-changing characters from your name'],
  ['Ada\u0085Lovelace', 'Remove invisible or direction-changing characters from your name'],
  ['\u200b\u200b', 'Enter your name in visible letters'],
  ['\u200d \u2060', 'Enter your name in visible letters'],
  ['\u3164', 'Enter your name in visible letters'],
];

describe('which names a person can give', () => {
  it.each(accepted)('accepts %s', (name) => {
    expect(nameProblem(name)).toBeUndefined();
  });

  it.each(refused)('refuses %j, saying what to fix in the name', (name, message) => {
    expect(nameProblem(name)).toBe(message);
  });

  it('applies the same rule to names given when booking by e-mail', () => {
    const ok = rsvpRequestSchema.safeParse({ email: 'ada@example.org', name: 'Nguyễn Văn An' });
    expect(ok.success).toBe(true);
    expect(rsvpRequestSchema.safeParse({ email: 'ada@example.org', name: '' }).success).toBe(true);
    const phishing = rsvpRequestSchema.safeParse({
      email: 'victim@example.org',
      name: 'Your account is locked, verify at https://evil.example',
    });
    expect(phishing.success).toBe(false);
    expect(JSON.stringify(phishing.error?.issues)).toContain('Remove the web address from the name');
  });

  it('applies the same rule to names in an attendance upload', () => {
    const result = attendanceSchema.safeParse({
      attendees: [
        { email: 'ada@example.org', name: "Zoë O'Brien-Łukasz" },
        { email: 'bob@example.org', name: 'bob@example.org' },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['attendees.1.name', 'Remove the e-mail address from the name'],
    ]);
  });
});
