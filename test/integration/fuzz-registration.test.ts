/** Property-based fuzzing of the public registration endpoint against the running local runtime. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allEmails, api, memberIdFor, registration } from './helpers';

const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    'Ada\r\nBcc: victim@example.org',
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    'Zoë Ünïcødé 🚲 名前',
    '\u0000\u0007\u001b[31m',
    'a'.repeat(5000),
    '',
    '   ',
    'ada@example.org\r\nSubject: hi',
    'Robert"); DROP TABLE members;--',
  ),
);

const validEmail = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,12}$/), fc.constantFrom('example.org', 'example.com'))
  .map(
    ([local, domain]) =>
      `fuzz-${local.replace(/\.+$/, '').replace(/\.\.+/g, '.')}-${Math.random().toString(36).slice(2, 8)}@${domain}`,
  );

const fieldValue = fc.oneof(
  nastyString,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nastyString, { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

/** Mostly well-formed registrations with one or more fields replaced by something hostile. */
const mutatedRegistration = fc
  .record({
    email: fc.oneof(validEmail, nastyString),
    replacements: fc.dictionary(
      fc.constantFrom(
        'name',
        'organisation',
        'organisationType',
        'networks',
        'interests',
        'consent',
        'website',
        'extra',
      ),
      fieldValue,
      { maxKeys: 3 },
    ),
    newsletter: fc.oneof(fc.boolean(), fieldValue),
  })
  .map(({ email, replacements, newsletter }) => {
    const body: Record<string, unknown> = registration({ email });
    Object.assign(body, replacements);
    if (!('consent' in replacements))
      body.consent = { newsletter, privacyNotice: true, formVersion: '2026-11' };
    if (!('website' in replacements)) delete body.website;
    return body;
  });

const anyJson = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value));
const rawBodies = fc.oneof(
  anyJson,
  fc.string({ maxLength: 200 }),
  mutatedRegistration.map((body) => JSON.stringify(body).slice(0, -1)),
);

describe('fuzzing POST /api/members', () => {
  it('any registration body gets a 2xx or a clear 4xx, and a refused one stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedRegistration, async (body) => {
        const response = await api('POST', '/api/members', { body });
        expect(response.status, response.text).toBeLessThan(500);
        expect([202, 400, 413]).toContain(response.status);
        const parsed = response.json() as { error?: { code: string; message: string } };
        if (response.status !== 202) {
          expect(parsed.error?.message).toEqual(expect.any(String));
          if (typeof body.email === 'string' && body.email.length < 300) {
            expect(await memberIdFor(body.email.trim().toLowerCase())).toBeUndefined();
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it('any raw body or content type gets a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBodies,
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/octet-stream',
        ),
        async (rawBody, contentType) => {
          const response = await api('POST', '/api/members', {
            rawBody,
            headers: { 'content-type': contentType },
          });
          expect(response.status, response.text).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(response.json()).toMatchObject({
            error: { code: expect.any(String), message: expect.any(String) },
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('CR or LF in any field never reaches an e-mail header', async () => {
    const hostile = ['Ada\r\nBcc: victim@example.org', 'Org\nX-Injected: yes', 'Line\rbreak'];
    for (const text of hostile) {
      await api('POST', '/api/members', { body: registration({ name: text, organisation: text }) });
    }
    await api('GET', '/_local/bus/idle');
    const emails = await allEmails();
    expect(emails.length).toBeGreaterThan(0);
    for (const email of emails) {
      expect(email.subject).not.toMatch(/[\r\n]/);
      for (const to of email.destination.to) expect(to).not.toMatch(/[\r\n]/);
      for (const header of email.headers ?? []) expect(`${header.name}${header.value}`).not.toMatch(/[\r\n]/);
      expect(email.destination.to.join(' ')).not.toContain('victim@example.org');
    }
  });
});
