import { describe, expect, it } from 'vitest';
import {
  consentAtConfirmation,
  consentAtSignUp,
  normaliseEmail,
  registrationSchema,
} from '../../functions/members/domain/registration';

const valid = {
  name: 'Ada Lovelace',
  email: 'Ada@Example.org',
  organisation: 'Analytical Engines Ltd',
  organisationType: 'sme',
  networks: ['smart-city-alliance'],
  interests: ['mobility'],
  consent: { newsletter: true, privacyNotice: true, formVersion: '2026-11' },
};

const problems = (input: unknown) => {
  const result = registrationSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('what counts as a valid registration', () => {
  it('accepts the documented example and trims what people type', () => {
    const parsed = registrationSchema.parse({ ...valid, name: '  Ada Lovelace ' });
    expect(parsed.name).toBe('Ada Lovelace');
    expect(parsed.interests).toEqual(['mobility']);
  });

  it('refuses a name or organisation with a line break, so it can never reach a header', () => {
    expect(problems({ ...valid, name: 'Ada\r\nBcc: x@example.org' })).toEqual(['name']);
    expect(problems({ ...valid, organisation: 'Org\nX: y' })).toEqual(['organisation']);
  });

  it('refuses networks, interests and organisation types that are not in the config', () => {
    expect(
      problems({ ...valid, networks: ['nope'], interests: ['golf'], organisationType: 'club' }).sort(),
    ).toEqual(['interests.0', 'networks.0', 'organisationType']);
  });

  it('needs at least one network, no repeats, and the privacy notice accepted', () => {
    expect(problems({ ...valid, networks: [] })).toEqual(['networks']);
    expect(problems({ ...valid, networks: ['smart-city-alliance', 'smart-city-alliance'] })).toEqual([
      'networks',
    ]);
    expect(problems({ ...valid, consent: { ...valid.consent, privacyNotice: false } })).toEqual([
      'consent.privacyNotice',
    ]);
  });

  it('refuses unknown fields and an address that is not an e-mail address', () => {
    expect(problems({ ...valid, admin: true })).toEqual(['']);
    expect(problems({ ...valid, email: 'not-an-address' })).toEqual(['email']);
    expect(problems({ ...valid, email: `${'a'.repeat(250)}@example.org` })).toEqual(['email']);
  });

  it('keys one member per address whatever its case', () => {
    expect(normaliseEmail(' Ada@Example.ORG ')).toBe('ada@example.org');
  });
});

describe('consent evidence', () => {
  it('records each purpose at sign-up, and confirms only what was given', () => {
    const registration = registrationSchema.parse({
      ...valid,
      consent: { ...valid.consent, newsletter: false },
    });
    const atSignUp = consentAtSignUp(registration, '2026-11-27T10:00:00.000Z');
    expect(atSignUp.map((entry) => `${entry.purpose}:${entry.action}`)).toEqual([
      'privacy-notice:given',
      'newsletter:refused',
    ]);

    const atConfirmation = consentAtConfirmation(atSignUp, '2026-11-27T10:05:00.000Z');

    expect(atConfirmation).toEqual([
      expect.objectContaining({
        purpose: 'privacy-notice',
        action: 'confirmed',
        method: 'email-link',
        at: '2026-11-27T10:05:00.000Z',
        formVersion: '2026-11',
      }),
    ]);
  });
});
