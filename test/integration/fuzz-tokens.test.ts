/** Property-based fuzzing of every endpoint that takes a token from a link. */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type ConfirmedMember,
  confirmedMember,
  createActivity,
  memberItems,
  randomLoopback,
  tokenOf,
} from './helpers';

const endpoints: Array<[method: string, path: string]> = [
  ['GET', '/api/members/confirm'],
  ['POST', '/api/members/confirm'],
  ['GET', '/api/preferences'],
  ['PUT', '/api/preferences'],
  ['GET', '/api/unsubscribe'],
  ['POST', '/api/unsubscribe'],
  ['GET', '/api/members/data'],
  ['POST', '/api/members/erase'],
  ['GET', '/api/feedback'],
  ['POST', '/api/feedback'],
  ['GET', '/api/rsvps/confirm'],
  ['POST', '/api/rsvps/confirm'],
  ['GET', '/api/rsvps/cancel'],
  ['POST', '/api/rsvps/cancel'],
];

let member: ConfirmedMember;

beforeAll(async () => {
  member = await confirmedMember();
});

const purposes = ['confirm', 'preferences', 'unsubscribe', 'erase', 'rsvp', 'feedback', 'admin', ''];

const decodedBytes = (token: string) =>
  token
    .split('.')
    .map((segment) => Buffer.from(segment, 'base64url').toString('hex'))
    .join('.');

/** Tokens a person, a scanner or an attacker might send, around a real one. */
const hostileToken = (realToken: string) =>
  fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.nat({ max: 200 }).map((cut) => realToken.slice(0, cut)),
    fc
      .tuple(fc.nat({ max: 150 }), fc.string({ minLength: 1, maxLength: 5 }))
      .map(([at, junk]) => realToken.slice(0, at) + junk + realToken.slice(at + junk.length))
      // A change to the spare bits of a segment's last base64url character (or junk equal to what it
      // replaced) leaves the very same token: that is not a hostile one.
      .filter((mutated) => decodedBytes(mutated) !== decodedBytes(realToken)),
    fc.constantFrom(
      '',
      '....',
      'a.b.c',
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      `${realToken}${realToken}`,
      'x'.repeat(5000),
    ),
    // Well-formed tokens signed with the wrong key, or for any purpose and subject.
    fc
      .tuple(fc.constantFrom(...purposes), fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })))
      .map(([purpose, subject]) => ({ purpose, subject }))
      .chain(({ purpose, subject }) =>
        fc.constant(
          new SignJWT({})
            .setProtectedHeader({ alg: 'HS256' })
            .setIssuer('alliance')
            .setAudience(purpose || 'x')
            .setSubject(subject || 'x')
            .sign(new TextEncoder().encode('not-the-real-secret-but-long-enough-to-sign-with')),
        ),
      ),
  );

const bodies = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 2 }),
  fc.record(
    { networks: fc.array(fc.string(), { maxLength: 3 }), newsletter: fc.oneof(fc.boolean(), fc.string()) },
    { requiredKeys: [] },
  ),
);

describe('fuzzing the token-taking endpoints', () => {
  it('garbage, truncated and re-signed tokens never produce a 5xx, and change nothing', async () => {
    const before = await memberItems(member.memberId);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        hostileToken(tokenOf(member.preferencesUrl)),
        bodies,
        async ([method, path], tokenOrPromise, body) => {
          const token = await tokenOrPromise;
          const response = await api(
            method,
            `${path}?token=${encodeURIComponent(token)}`,
            body === undefined ? {} : { body },
          );
          expect(
            response.status,
            `${method} ${path} → ${response.text.slice(0, 200)}`,
          ).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 140 },
    );
    expect(await memberItems(member.memberId)).toEqual(before);
  });

  it('a query string with odd shapes is refused cleanly', async () => {
    for (const query of [
      'token=a&token=b',
      'token',
      'token=%zz',
      `token=${'%41'.repeat(3000)}`,
      'token[]=x',
    ]) {
      for (const [method, path] of endpoints) {
        const response = await api(method, `${path}?${query}`);
        expect(response.status, `${method} ${path}?${query.slice(0, 30)}`).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
    }
  });

  it('hostile activity ids and links-request bodies get a clean answer, never a 5xx', async () => {
    const activity = await createActivity({ title: `Fuzz target ${Date.now()}` });
    const hostileId = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.uuid(),
      fc.constantFrom('..', '%2e%2e', 'null', "' OR 1=1 --", 'x'.repeat(2000), `${activity.id}x`),
    );
    const clean = (method: string, path: string, status: number, text: string) => {
      expect(status, `${method} ${path.slice(0, 80)} → ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(200);
      expect(status, `${method} ${path.slice(0, 80)} → ${text.slice(0, 200)}`).toBeLessThan(500);
    };
    await fc.assert(
      fc.asyncProperty(hostileId, fc.boolean(), async (id, calendar) => {
        const path = `/api/activities/${encodeURIComponent(id)}${calendar ? '/calendar.ics' : ''}`;
        const response = await api('GET', path);
        clean('GET', path, response.status, response.text);
      }),
      { numRuns: 40 },
    );
    for (const path of [`/api/activities/${activity.id}`, `/api/activities/${activity.id}/calendar.ics`]) {
      expect((await api('GET', path)).status, path).toBe(200);
    }
    const linksBody = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record(
        { email: fc.oneof(fc.string({ maxLength: 300 }), fc.emailAddress(), fc.jsonValue({ maxDepth: 1 })) },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(linksBody, async (body) => {
        const response = await api('POST', '/api/members/links', { body, fromIp: randomLoopback() });
        clean('POST', '/api/members/links', response.status, response.text);
      }),
      { numRuns: 30 },
    );
  });
});
