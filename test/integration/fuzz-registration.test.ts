/** Property-based fuzzing of the public registration endpoint against the running local runtime. */

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import {
  api,
  bearerToken,
  createActivity,
  db,
  memberIdFor,
  registration,
  table,
  uniqueEmail,
  waitForEmails,
} from './helpers';

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
});

/**
 * Text that validation accepts and that ends up in a header: a person's name (never in a header
 * today, but registration is where it enters), an activity's title (RSVP subjects) and a mail-out's
 * subject. Every field that reaches a header refuses CR, LF, NUL and U+2028 at the edge, so those are
 * also planted straight into stored items, as data written before validation existed would be: the
 * e-mail sender must fold them whatever the store holds.
 */
describe('hostile text in e-mail headers', () => {
  /** What every accepted text field lets through and a mail reader could still trip on. */
  const headerTrick = fc.constantFrom(
    'Bcc: victim@example.org',
    // "\r\nBcc: victim@example.org" as an RFC 2047 encoded word, and a Q-encoded CR LF.
    '=?utf-8?b?DQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?=',
    '=?UTF-8?Q?=0D=0AX-Injected:_yes?=',
    // NEL and CSI: C1 controls, which no field refuses and some readers break lines on.
    '\u0085X-Injected: yes',
    '\u009b31m',
    '"Quoted" <angle> ; comma, colon:',
    'Zoë Ünïcødé 名前 🚲',
    'fold'.repeat(40),
  );
  const acceptedTitle = fc
    .array(headerTrick, { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join(' ').slice(0, 200));
  /** Names refuse addresses, links and controls; these look like headers and still pass. */
  const acceptedNames = [
    '=?utf-8?b?DQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?=',
    'Ada =?UTF-8?Q?=0D=0AX-Injected:_yes?= Lovelace',
    `Zoë "Bcc: victim" <yes> ${'W'.repeat(150)}`,
  ];
  const storedHostile = 'Legacy\r\nBcc: victim@example.org\u0000\u2028X-Injected: yes\rLine\nEnd';

  const expectedHeaders = new Set([
    'from',
    'to',
    'reply-to',
    'subject',
    'message-id',
    'date',
    'mime-version',
    'content-type',
    'content-transfer-encoding',
    'list-unsubscribe',
    'list-unsubscribe-post',
  ]);

  /** The e-mail as the emulator would put it on the wire (its .eml export). */
  async function rawEmail(messageId: string): Promise<string> {
    const response = await fetch(
      `${inject('sesUrl')}/get-emlContent?messageId=${encodeURIComponent(messageId)}`,
    );
    const { body } = (await response.json()) as { body: string | { data: number[] } };
    return typeof body === 'string' ? body : Buffer.from(body.data).toString('utf8');
  }

  async function expectOneLineHeaders(address: string, count: number) {
    const emails = await waitForEmails(address, count);
    for (const email of emails) {
      // What the sender handed SES: every header value on one line, no control character at all.
      const values = [
        email.subject,
        email.from,
        ...email.destination.to,
        ...(email.headers ?? []).flatMap((header) => [header.name, header.value]),
      ];
      for (const value of values) expect(value, JSON.stringify(value)).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
      expect(email.destination.to).toEqual([address]);
      // On the wire: only the headers the system writes, none of them with a stray line.
      const head = (await rawEmail(email.messageId)).split(/\r\n\r\n/, 1)[0] ?? '';
      for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
        expect(line, JSON.stringify(line)).toMatch(/^[A-Za-z][A-Za-z0-9-]*: /);
        expect(expectedHeaders, line).toContain(line.slice(0, line.indexOf(':')).toLowerCase());
      }
    }
  }

  it('names, activity titles and mail-out subjects, accepted or planted, reach e-mail as one-line headers and add none', async () => {
    const staff = await bearerToken(['staff']);

    for (const name of acceptedNames) {
      const body = registration({ name });
      expect((await api('POST', '/api/members', { body })).status).toBe(202);
      await expectOneLineHeaders(body.email, 1);
    }

    await fc.assert(
      fc.asyncProperty(acceptedTitle, async (title) => {
        const activity = await createActivity({ title });
        const email = uniqueEmail('header-fuzz');
        const asked = await api('POST', `/api/activities/${activity.id}/rsvps`, {
          body: { email, name: 'Guest Person' },
        });
        expect(asked.status, asked.text).toBe(202);
        await expectOneLineHeaders(email, 1);
      }),
      { numRuns: 3 },
    );

    await fc.assert(
      fc.asyncProperty(acceptedTitle, async (subject) => {
        const created = await api('POST', '/api/mailouts', {
          token: staff,
          body: { subject, markdown: 'Hello.' },
        });
        expect(created.status, created.text).toBe(201);
        const email = uniqueEmail('header-fuzz');
        const { id } = created.json() as { id: string };
        expect(
          (await api('POST', `/api/mailouts/${id}/test`, { token: staff, body: { to: [email] } })).status,
        ).toBe(202);
        await expectOneLineHeaders(email, 1);
      }),
      { numRuns: 3 },
    );

    const legacyActivity = await createActivity();
    await db().send(
      new UpdateCommand({
        TableName: table('activities'),
        Key: { pk: `ACTIVITY#${legacyActivity.id}`, sk: 'META' },
        UpdateExpression: 'SET title = :title',
        ExpressionAttributeValues: { ':title': storedHostile },
      }),
    );
    const rsvpEmail = uniqueEmail('header-legacy');
    await api('POST', `/api/activities/${legacyActivity.id}/rsvps`, {
      body: { email: rsvpEmail, name: 'Guest' },
    });
    await expectOneLineHeaders(rsvpEmail, 1);

    const legacyMailout = await api('POST', '/api/mailouts', {
      token: staff,
      body: { subject: 'Legacy', markdown: 'Hello.' },
    });
    const { id: mailoutId } = legacyMailout.json() as { id: string };
    await db().send(
      new UpdateCommand({
        TableName: table('mailouts'),
        Key: { pk: `MAILOUT#${mailoutId}`, sk: 'MAILOUT' },
        UpdateExpression: 'SET subject = :subject',
        ExpressionAttributeValues: { ':subject': storedHostile },
      }),
    );
    const testEmail = uniqueEmail('header-legacy');
    await api('POST', `/api/mailouts/${mailoutId}/test`, { token: staff, body: { to: [testEmail] } });
    await expectOneLineHeaders(testEmail, 1);
  });
});
