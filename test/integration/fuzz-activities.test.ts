/** Property-based fuzzing of the activity and RSVP endpoints against the running runtime. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, bearerToken, createActivity, scanAll } from './helpers';

const hostile = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    'Line\r\nBreak',
    '',
    '🚲 Zoë',
    'x'.repeat(6000),
    '2027-13-45T99:99:99Z',
    'https://',
    'javascript:alert(1)',
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
);

const activityBody = fc
  .record({
    replacements: fc.dictionary(
      fc.constantFrom(
        'kind',
        'network',
        'title',
        'description',
        'startsAt',
        'endsAt',
        'venue',
        'onlineUrl',
        'capacity',
        'extra',
      ),
      hostile,
      { maxKeys: 3 },
    ),
  })
  .map(({ replacements }) => ({
    kind: 'workshop',
    network: 'smart-city-alliance',
    title: 'Fuzz workshop',
    startsAt: '2027-02-01T10:00:00Z',
    endsAt: '2027-02-01T12:00:00Z',
    venue: 'Hall',
    capacity: 10,
    ...replacements,
  }));

const activityItems = async () => (await scanAll('activities')).filter((item) => item.sk === 'META').length;

let activityId: string;
beforeAll(async () => {
  activityId = (await createActivity({ capacity: 3 })).id;
});

describe('fuzzing the activity endpoints', () => {
  it('any activity body gets a 201 or a clear 400, and a refused one stores nothing', async () => {
    const token = await bearerToken(['staff']);
    await fc.assert(
      fc.asyncProperty(activityBody, async (body) => {
        const before = await activityItems();
        const response = await api('POST', '/api/activities', { token, body });
        expect(response.status, response.text.slice(0, 300)).toBeLessThan(500);
        expect([201, 400, 413]).toContain(response.status);
        if (response.status !== 201) expect(await activityItems()).toBe(before);
      }),
      { numRuns: 40 },
    );
  });

  it('any change to an activity gets a 200 or a clear 4xx, never a 5xx', async () => {
    const token = await bearerToken(['staff']);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('title', 'startsAt', 'endsAt', 'capacity', 'venue', 'onlineUrl', 'nope'),
          hostile,
          { maxKeys: 2 },
        ),
        async (body) => {
          const response = await api('PATCH', `/api/activities/${activityId}`, { token, body });
          expect(response.status, response.text.slice(0, 300)).toBeLessThan(500);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('any RSVP body gets a 2xx or a clear 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.dictionary(fc.constantFrom('email', 'name', 'memberToken', 'extra'), hostile, { maxKeys: 3 }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        fc.constantFrom(activityId, 'not-a-uuid', '00000000-0000-4000-8000-000000000000'),
        async (body, id) => {
          const response = await api('POST', `/api/activities/${id}/rsvps`, { body });
          expect(response.status, response.text.slice(0, 300)).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('any attendance list gets a 200 or a clear 400, never a 5xx', async () => {
    const token = await bearerToken(['staff']);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            attendees: fc.array(
              fc.dictionary(fc.constantFrom('email', 'name', 'x'), hostile, { maxKeys: 2 }),
              { maxLength: 4 },
            ),
          }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        async (body) => {
          const response = await api('POST', `/api/activities/${activityId}/attendance`, { token, body });
          expect(response.status, response.text.slice(0, 300)).toBeLessThan(500);
        },
      ),
      { numRuns: 40 },
    );
  });
});
