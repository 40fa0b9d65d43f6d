/** Property-based fuzzing of the page-view beacon and of a feedback answer behind a valid link. */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { personKeyWith } from '../../functions/activities/domain/rsvp';
import { api, bearerToken, createActivity, pseudonymKey, tokenSecret, uniqueEmail } from './helpers';

const contentTypes = fc.constantFrom(
  'application/json',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
);

const rawBodies = fc.oneof(
  fc.json({ maxDepth: 2 }),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .record({
      page: fc.oneof(
        fc.string({ maxLength: 120 }),
        fc.constantFrom('/', '/activities.html', '/../etc', '/\r\n/', '/?token=x'),
      ),
    })
    .map((body) => JSON.stringify(body)),
  fc.constantFrom('', '{}', 'null', '[]', '{"page":null}', '{"page":"/"}', `{"page":"${'/'.repeat(5000)}"}`),
);

describe('fuzzing the page-view beacon', () => {
  it('any body, content type or user agent gets a 204 or a clear 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBodies,
        contentTypes,
        fc.oneof(
          fc.constant('Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36'),
          fc.string({ maxLength: 80 }),
        ),
        async (body, contentType, userAgent) => {
          const response = await api('POST', '/api/track/pageview', {
            rawBody: body,
            headers: {
              ...(contentType ? { 'content-type': contentType } : {}),
              'user-agent': userAgent.replace(/[^\x20-\x7e]/g, ''),
            },
          });
          expect([204, 400, 413, 415, 429], `${response.status} ${response.text.slice(0, 200)}`).toContain(
            response.status,
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('fuzzing a feedback answer', () => {
  let token = '';

  beforeAll(async () => {
    const staff = await bearerToken(['staff']);
    const activity = await createActivity({
      startsAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
      endsAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
    });
    const email = uniqueEmail('fuzz-feedback');
    const recorded = await api('POST', `/api/activities/${activity.id}/attendance`, {
      token: staff,
      body: { attendees: [{ email, name: 'Fuzz Attendee' }] },
    });
    expect(recorded.status, recorded.text).toBe(200);
    token = await new SignJWT({ a: personKeyWith(pseudonymKey(), email) })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('alliance')
      .setAudience('feedback')
      .setSubject(activity.id)
      .setIssuedAt()
      .sign(new TextEncoder().encode(tokenSecret()));
  });

  it('any answer body behind a valid link gets a 200 or a clear 4xx, never a 5xx', async () => {
    const answers = fc.oneof(
      fc.record(
        {
          rating: fc.oneof(
            fc.integer({ min: -2, max: 8 }),
            fc.double(),
            fc.string({ maxLength: 5 }),
            fc.constant(null),
          ),
          comment: fc.oneof(
            fc.string({ maxLength: 1100 }),
            fc.string({ unit: 'binary', maxLength: 200 }),
            fc.integer(),
          ),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(answers, async (body) => {
        const response = await api('POST', `/api/feedback?token=${encodeURIComponent(token)}`, { body });
        expect(response.status, response.text.slice(0, 200)).toBeLessThan(500);
        // Only a whole rating from 1 to 5 is recorded (as a number, or as the text a form posts).
        if (response.status === 200) {
          expect([1, 2, 3, 4, 5]).toContain(Number((body as { rating?: unknown }).rating));
        }
      }),
      { numRuns: 50 },
    );
  });
});
