/**
 * The yearly evidence report from a history recorded through the API: 2009 against 2008, years no
 * other test touches (members and imported figures are global). Activities, attendance, imports and
 * feedback answers go through their routes. Feedback links are signed here as the feedback e-mail
 * would carry them: for past years no e-mail is sent, by design (`feedback.maxAgeDays`). Members
 * confirmed, web views and mail-out reads in 2009 cannot be made through the API today (they happen
 * now), so those few facts are put on the local bus as the events that record them, with past dates.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { personKeyWith } from '../../functions/activities/domain/rsvp';
import type { EvidenceReport } from '../../functions/exports/domain/evidence';
import { api, bearerToken, createActivity, pseudonymKey, tokenSecret } from './helpers';

const at = (day: string, time = '10:00') => ({
  startsAt: `${day}T${time}:00Z`,
  endsAt: `${day}T${time.replace(/^(\d\d)/, (hour) => String(Number(hour) + 2).padStart(2, '0'))}:00Z`,
});

interface HistoryEntry {
  key: string;
  kind: string;
  network: string;
  startsAt: string;
  endsAt: string;
  attendees: number;
  cancel?: boolean;
}

const history: HistoryEntry[] = [
  { key: 'A1', kind: 'alliance-meeting', network: 'smart-city-alliance', ...at('2008-03-12'), attendees: 3 },
  { key: 'A2', kind: 'working-group', network: 'working-groups', ...at('2008-06-10'), attendees: 2 },
  { key: 'A3', kind: 'festival', network: 'smart-city-alliance', ...at('2008-10-05'), attendees: 4 },
  { key: 'B1', kind: 'alliance-meeting', network: 'smart-city-alliance', ...at('2009-02-11'), attendees: 4 },
  { key: 'B2', kind: 'workshop', network: 'smart-city-alliance', ...at('2009-05-13'), attendees: 3 },
  { key: 'B3', kind: 'working-group', network: 'working-groups', ...at('2009-06-09'), attendees: 2 },
  { key: 'B4', kind: 'working-group', network: 'working-groups', ...at('2009-09-08'), attendees: 1 },
  {
    key: 'B5',
    kind: 'policy-practice',
    network: 'innovation-support-forum',
    ...at('2009-04-21'),
    attendees: 2,
  },
  {
    key: 'B6',
    kind: 'network-meeting',
    network: 'innovation-support-forum',
    ...at('2009-07-14'),
    attendees: 1,
  },
  { key: 'B7', kind: 'festival', network: 'smart-city-alliance', ...at('2009-10-04'), attendees: 6 },
  // Called off: it counts nowhere.
  {
    key: 'B8',
    kind: 'workshop',
    network: 'smart-city-alliance',
    ...at('2009-11-10'),
    attendees: 0,
    cancel: true,
  },
];

/** Ratings per activity, in the order the attendees answer; [2, 5] is one person changing their mind. */
const ratings: Record<string, Array<number | [number, number]>> = {
  A1: [4, 4, 3],
  B1: [5, 4, 4, 5],
  B2: [3, [2, 5]],
};

const imports: Record<string, Array<{ period: string; value: number }>> = {
  'social.engagement': [
    { period: '2008-01', value: 1200 },
    { period: '2008-05', value: 1800 },
    { period: '2008-11', value: 1500 },
    { period: '2009-03', value: 2700 },
    { period: '2009-06', value: 2100 },
  ],
  'mailouts.readers': [
    { period: '2008-02', value: 300 },
    { period: '2008-08', value: 400 },
    { period: '2009-02', value: 500 },
    { period: '2009-08', value: 737 },
  ],
  'website.views': [
    { period: '2008-04', value: 3000 },
    { period: '2008-09', value: 2400 },
    { period: '2009-04', value: 4000 },
    { period: '2009-09', value: 4990 },
  ],
};

const busEntry = (source: string, detailType: string, detail: Record<string, unknown>) => ({
  Source: source,
  DetailType: detailType,
  EventBusName: 'alliance',
  Detail: JSON.stringify({ eventId: randomUUID(), ...detail }),
});

const confirmed = (organisationType: string, occurredAt: string) =>
  busEntry('alliance.members', 'MemberConfirmed', {
    occurredAt,
    memberId: randomUUID(),
    organisationType,
    networks: ['smart-city-alliance'],
    interests: [],
    newsletter: true,
    registeredAt: occurredAt,
  });

/** History the API can only record as it happens: members joining and leaving, 10 web views, 2 readers. */
const pastEvents = () => [
  confirmed('university', '2008-05-14T09:00:00Z'),
  confirmed('university', '2008-05-14T09:05:00Z'),
  confirmed('sme', '2008-05-14T09:10:00Z'),
  confirmed('business', '2009-03-10T09:00:00Z'),
  confirmed('university', '2009-03-10T09:05:00Z'),
  busEntry('alliance.members', 'MemberErased', {
    occurredAt: '2009-08-20T09:00:00Z',
    memberId: randomUUID(),
    organisationType: 'university',
    wasConfirmed: true,
  }),
  ...Array.from({ length: 2 }, (_, index) =>
    busEntry('alliance.mailouts', 'MailoutRecipientUpdated', {
      occurredAt: '2009-08-03T10:00:00Z',
      mailoutId: randomUUID(),
      recipientKey: `reader-2009-${index}-${randomUUID().slice(0, 8)}`,
      change: 'read',
      mailoutStartedAt: '2009-08-03T09:00:00Z',
    }),
  ),
  ...Array.from({ length: 10 }, (_, index) =>
    busEntry('alliance.tracking', 'PageViewed', {
      occurredAt: `2009-09-${String(10 + index).padStart(2, '0')}T12:00:00Z`,
      page: '/',
    }),
  ),
];

/** A rating link's token, signed as the feedback e-mail signs it (activity, and the attendee's key). */
const feedbackToken = (activityId: string, email: string) =>
  new SignJWT({ a: personKeyWith(pseudonymKey(), email) })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('alliance')
    .setAudience('feedback')
    .setSubject(activityId)
    .setIssuedAt()
    .sign(new TextEncoder().encode(tokenSecret()));

async function answer(activityId: string, email: string, rating: number) {
  const token = await feedbackToken(activityId, email);
  const response = await api('POST', `/api/feedback?token=${encodeURIComponent(token)}`, {
    body: { rating },
  });
  expect(response.status, response.text).toBe(200);
}

async function recordActivity(entry: HistoryEntry, staff: string) {
  const { key, attendees, cancel, ...fields } = entry;
  const activity = await createActivity({ ...fields, title: `Evidence history ${key}` });
  if (cancel) {
    const cancelled = await api('POST', `/api/activities/${activity.id}/cancel`, { token: staff });
    expect(cancelled.status, cancelled.text).toBe(200);
    return;
  }
  const emails = Array.from(
    { length: attendees },
    (_, index) => `evidence-${key}-${index}-${randomUUID().slice(0, 6)}@example.org`,
  );
  const recorded = await api('POST', `/api/activities/${activity.id}/attendance`, {
    body: { attendees: emails.map((email) => ({ email, name: 'Evidence Attendee' })) },
    token: staff,
  });
  expect(recorded.status, recorded.text).toBe(200);
  await Promise.all(
    (ratings[key] ?? []).map(async (given, index) => {
      const email = emails[index] as string;
      for (const rating of Array.isArray(given) ? given : [given]) await answer(activity.id, email, rating);
    }),
  );
}

const expectedLines = [
  { id: 'events', value: 5, previousValue: 2, changePercent: 150, text: '5 events' },
  { id: 'attendees', value: 16, previousValue: 7, changePercent: 129, text: 'a total of 16 attendees' },
  {
    id: 'working-group-meetings',
    value: 2,
    previousValue: 1,
    changePercent: 100,
    text: '2 working-group meetings',
  },
  {
    id: 'policy-practice-events',
    value: 1,
    previousValue: 0,
    changePercent: null,
    text: '1 innovation policy and practice event',
  },
  {
    id: 'festival-attendees',
    value: 6,
    previousValue: 4,
    changePercent: 50,
    text: 'the festival, with 6 attendees',
  },
  {
    id: 'social-peak-engagement',
    value: 2700,
    previousValue: 1800,
    changePercent: 50,
    text: 'a 50% increase in peak engagement on social media',
  },
  {
    id: 'mailout-readership',
    value: 1239,
    previousValue: 700,
    changePercent: 77,
    text: 'a 77% increase in mail-out readership',
  },
  {
    id: 'web-peak-monthly-views',
    value: 5000,
    previousValue: 3000,
    changePercent: 67,
    text: 'a 67% increase in peak monthly web views',
  },
  {
    id: 'satisfaction',
    value: 4.3,
    previousValue: 3.7,
    changePercent: 16,
    text: 'an average satisfaction rating of 4.3 out of 5, from 6 answers',
  },
  { id: 'members', value: 4, previousValue: 3, changePercent: 33, text: '4 members at the end of 2009' },
];

const expectedNewNetworks = [
  {
    network: 'innovation-support-forum',
    name: 'Innovation Support Forum',
    meetings: 2,
    text: 'a new network, the Innovation Support Forum, with 2 meetings',
  },
];

let analyst: string;
let recordedFrom: string;
const report = (format: 'json' | 'csv' | 'html') =>
  api('GET', `/api/exports/evidence?year=2009&format=${format}`, { token: analyst });

describe('the yearly evidence report', () => {
  beforeAll(async () => {
    recordedFrom = new Date(Date.now() - 1000).toISOString();
    const staff = await bearerToken(['staff']);
    analyst = await bearerToken(['analyst']);
    const events = pastEvents();
    const injectPast = (entries: typeof events) =>
      api('POST', '/_local/events', { body: { Entries: entries } });
    const [imported, injected] = await Promise.all([
      Promise.all(
        Object.entries(imports).map(([metric, rows]) =>
          api('PUT', `/api/metrics/${metric}`, { body: rows, token: analyst }),
        ),
      ),
      Promise.all([injectPast(events.slice(0, 10)), injectPast(events.slice(10))]),
      ...history.map((entry) => recordActivity(entry, staff)),
    ]);
    expect(imported.map((response) => response.status)).toEqual([202, 202, 202]);
    expect(injected.map((response) => response.json())).toEqual([
      expect.objectContaining({ FailedEntryCount: 0 }),
      expect.objectContaining({ FailedEntryCount: 0 }),
    ]);
    await api('GET', '/_local/bus/idle');
  }, 60_000);

  it('a whole year recorded through the API gives back every evidence line exactly, in JSON, CSV and HTML', async () => {
    const [json, csv, html] = await Promise.all([report('json'), report('csv'), report('html')]);

    expect(json.status, json.text).toBe(200);
    const body = json.json() as EvidenceReport;
    expect(body.year).toBe(2009);
    expect(
      body.lines.map(({ id, value, previousValue, changePercent, text }) => ({
        id,
        value,
        previousValue,
        changePercent,
        text,
      })),
    ).toEqual(expectedLines);
    expect(body.lines.find((line) => line.id === 'members')?.breakdown).toEqual({
      university: 2,
      'local-authority': 0,
      business: 1,
      sme: 1,
      voluntary: 0,
      other: 0,
    });
    expect(body.newNetworks).toEqual(expectedNewNetworks);

    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="evidence-2009.csv"');
    const labels = Object.fromEntries(body.lines.map((line) => [line.id, line.label]));
    expect(csv.text).toBe(
      [
        '"id","label","value","previousValue","changePercent","text"',
        '"events","Events","5","2","150","5 events"',
        '"attendees","Attendees at events","16","7","129","a total of 16 attendees"',
        '"working-group-meetings","Working-group meetings","2","1","100","2 working-group meetings"',
        '"policy-practice-events","Policy and practice events","1","0","","1 innovation policy and practice event"',
        '"festival-attendees","Festival attendees","6","4","50","the festival, with 6 attendees"',
        `"social-peak-engagement","${labels['social-peak-engagement']}","2700","1800","50","a 50% increase in peak engagement on social media"`,
        '"mailout-readership","Mail-out readership","1239","700","77","a 77% increase in mail-out readership"',
        '"web-peak-monthly-views","Peak monthly web views","5000","3000","67","a 67% increase in peak monthly web views"',
        '"satisfaction","Average satisfaction (1 to 5)","4.3","3.7","16","an average satisfaction rating of 4.3 out of 5, from 6 answers"',
        '"members","Members at the end of the year","4","3","33","4 members at the end of 2009"',
        '',
      ].join('\r\n'),
    );

    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.text).not.toMatch(/<script/i);
    expect(html.text).toContain('West Midlands Smart City Alliance: evidence report 2009');
    for (const line of expectedLines) expect(html.text).toContain(`<p class="text">${line.text}</p>`);
    expect(html.text).toContain('77% up on 2008');
    expect(html.text).toContain('No figure for 2008 to compare with');
    expect(html.text.match(/<svg[^>]*role="img"/g)).toHaveLength(expectedLines.length);
    expect(html.text).toContain('<li>a new network, the Innovation Support Forum, with 2 meetings</li>');
  });

  it('gives the same report after the archive is replayed twice', async () => {
    const before = (await report('json')).text;

    // The events this file caused: those of the API calls (timed now) and the history put on the
    // bus (timed 2008 and 2009). The whole archive's replay is replay.test.ts's.
    const [recorded, history] = [
      await api('POST', '/_local/replay', { body: { times: 2, from: recordedFrom } }),
      await api('POST', '/_local/replay', {
        body: { times: 2, from: '2008-01-01T00:00:00Z', to: '2010-01-01T00:00:00Z' },
      }),
    ];

    expect(recorded.status).toBe(200);
    expect(history.status).toBe(200);
    expect((recorded.json() as { replayed: number }).replayed).toBeGreaterThan(0);
    expect((history.json() as { replayed: number }).replayed).toBeGreaterThan(0);
    expect((await report('json')).text).toBe(before);
  });

  it('refuses a year outside 2000 to 2100, a malformed one, and a format it does not make', async () => {
    const [early, late, words, format, anonymous] = await Promise.all([
      api('GET', '/api/exports/evidence?year=1999', { token: analyst }),
      api('GET', '/api/exports/evidence?year=2101', { token: analyst }),
      api('GET', '/api/exports/evidence?year=0x7D9', { token: analyst }),
      api('GET', '/api/exports/evidence?year=2009&format=pdf', { token: analyst }),
      api('GET', '/api/exports/evidence?year=2009'),
    ]);
    expect([early.status, late.status, words.status, format.status, anonymous.status]).toEqual([
      400, 400, 400, 400, 401,
    ]);
    expect(early.json()).toMatchObject({
      error: {
        code: 'invalid_request',
        details: [{ field: 'year', message: 'year must be between 2000 and 2100' }],
      },
    });
  });
});
