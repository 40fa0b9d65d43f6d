/**
 * Satisfaction feedback on the real local runtime: the `feedback-requests` schedule run by hand at
 * chosen times (twice at once, then days late), the rating links and page, answers, erasure, and
 * what staff see. One set of activities serves every test; the schedule runs once for all of them.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  bearerToken,
  type ConfirmedMember,
  confirmedMember,
  counter,
  createActivity,
  db,
  emailsTo,
  londonMonth,
  pathOf,
  randomLoopback,
  type StoredEmail,
  table,
  tokenOf,
  uniqueEmail,
  waitFor,
} from './helpers';

const hours = (count: number) => count * 3_600_000;
const days = (count: number) => count * 86_400_000;
const kind = 'policy-practice';

const feedbackMails = async (email: string) =>
  (await emailsTo(email)).filter((mail) => mail.subject.startsWith('How was'));

/** The link for one rating in a feedback e-mail, as a path on the runtime. */
function ratingLink(mail: StoredEmail | undefined, rating: number): string {
  const match = new RegExp(`https?://\\S*/api/feedback\\?token=[^\\s&]+&rating=${rating}`).exec(
    mail?.body.text ?? '',
  );
  if (!match) throw new Error(`no rating ${rating} link in:\n${mail?.body.text}`);
  return pathOf(match[0]);
}

const staff = () => bearerToken(['staff']);
const staffList = async (activityId: string) =>
  api('GET', `/api/activities/${activityId}/feedback`, { token: await staff() });

const attend = async (activityId: string, emails: string[]) => {
  const response = await api('POST', `/api/activities/${activityId}/attendance`, {
    body: { attendees: emails.map((email) => ({ email, name: 'Feedback Person' })) },
    token: await staff(),
  });
  expect(response.status, response.text).toBe(200);
};

/**
 * Runs the schedule as if at `atMs`. Unlike `runSchedule`, it does not wait for the bus to go idle:
 * the e-mails are sent by the run itself, and what the bus carries is waited for where it is read.
 */
async function runFeedbackRequests(atMs: number) {
  const response = await api('POST', '/_local/schedules/feedback-requests', {
    body: { time: new Date(atMs).toISOString() },
  });
  expect(response.status, response.text).toBe(200);
}

const past = (startMs: number) => ({
  kind,
  startsAt: new Date(startMs).toISOString(),
  endsAt: new Date(startMs + hours(1)).toISOString(),
});

let now: number;
let meeting: { id: string; startsAt: string };
let member: ConfirmedMember;
const people = {
  guest: uniqueEmail('feedback-guest'),
  suppressed: uniqueEmail('feedback-bounced'),
  atCancelled: uniqueEmail('feedback-cancelled'),
  atOld: uniqueEmail('feedback-old'),
};
let requestedBefore = 0;

beforeAll(async () => {
  now = Date.now();
  // On at the time of the first run; ended by the second. The wall clock never sees it end.
  const [on, cancelled, old, confirmed] = await Promise.all([
    createActivity({ ...past(now - hours(0.5)), title: 'Feedback <b>forum</b>' }),
    createActivity(past(now - hours(3))),
    createActivity(past(now - days(20))),
    confirmedMember(),
  ]);
  meeting = on;
  member = confirmed;
  requestedBefore = await counter(
    'feedback.requested',
    `kind=${kind}`,
    'month',
    londonMonth(new Date(on.startsAt)),
  );
  await Promise.all([
    attend(on.id, [people.guest, member.email, people.suppressed]),
    attend(cancelled.id, [people.atCancelled]),
    attend(old.id, [people.atOld]),
    db().send(
      new PutCommand({
        TableName: table('members'),
        Item: {
          pk: `SUPPRESSED#${people.suppressed}`,
          sk: 'SUPPRESSED',
          type: 'suppression',
          email: people.suppressed,
          reason: 'bounce',
          at: new Date().toISOString(),
        },
      }),
    ),
  ]);
  const cancelledNow = await api('POST', `/api/activities/${cancelled.id}/cancel`, { token: await staff() });
  expect(cancelledNow.status).toBe(200);

  await runFeedbackRequests(now);
  expect(await feedbackMails(people.guest)).toHaveLength(0);
  await Promise.all([runFeedbackRequests(now + hours(1)), runFeedbackRequests(now + hours(1))]);
  await runFeedbackRequests(now + days(5));
});

describe('asking attendees for feedback', () => {
  it('each attendee of an activity that has ended gets one e-mail with five rating links, however often and late the schedule runs', async () => {
    const [guestMails, memberMails] = await Promise.all([
      feedbackMails(people.guest),
      feedbackMails(member.email),
    ]);

    expect(guestMails).toHaveLength(1);
    expect(memberMails).toHaveLength(1);
    expect(guestMails[0]?.subject).toBe('How was Feedback <b>forum</b>?');
    expect(guestMails[0]?.body.html).toContain('Feedback &lt;b&gt;forum&lt;/b&gt;');
    for (const rating of [1, 2, 3, 4, 5])
      expect(ratingLink(guestMails[0], rating)).toContain('/api/feedback?token=');
    await waitFor(
      'the requests to be counted',
      async () =>
        (await counter(
          'feedback.requested',
          `kind=${kind}`,
          'month',
          londonMonth(new Date(meeting.startsAt)),
        )) ===
        requestedBefore + 2,
    );
  });

  it('nobody at a cancelled activity or one that ended more than 14 days ago, and no suppressed address, is asked', async () => {
    expect(await feedbackMails(people.atCancelled)).toHaveLength(0);
    expect(await feedbackMails(people.atOld)).toHaveLength(0);
    expect(await feedbackMails(people.suppressed)).toHaveLength(0);
  });
});

describe('answering', () => {
  it('opening the rating links records nothing; the page shows the rating chosen, and a link that is not valid gets the usual page', async () => {
    const [mail] = await feedbackMails(people.guest);
    const opened = await Promise.all(
      [1, 2, 3, 4, 5].map((rating) =>
        api('GET', ratingLink(mail, rating), { headers: { accept: 'text/html' } }),
      ),
    );
    const tampered = await api(
      'GET',
      `/api/feedback?token=${tokenOf(`http://x${ratingLink(mail, 4)}`)}x&rating=4`,
      {
        headers: { accept: 'text/html' },
      },
    );

    expect(opened.map((page) => page.status)).toEqual([200, 200, 200, 200, 200]);
    const page = opened[3]?.text ?? '';
    expect(page).toContain('Feedback &lt;b&gt;forum&lt;/b&gt;');
    expect(page).toContain('value="4" required checked');
    expect(page.match(/ checked/g)).toHaveLength(1);
    expect(page).not.toContain('<script');
    expect(tampered.status).toBe(400);
    expect(tampered.text).toContain('This link is not valid');
    expect((await staffList(meeting.id)).json()).toMatchObject({ responses: 0, answers: [] });
  });

  it('a second answer replaces the first: staff see one answer, and the counters one response with the new rating', async () => {
    const month = londonMonth(new Date(meeting.startsAt));
    const before = {
      responses: await counter('feedback.responses', `kind=${kind}`, 'month', month),
      ratingSum: await counter('feedback.ratingSum', `kind=${kind}`, 'month', month),
    };
    const link = ratingLink((await feedbackMails(people.guest))[0], 4);

    const first = await api('POST', link, {
      rawBody: 'rating=4&comment=Too+long%2C+but+useful',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    const second = await api('POST', link, {
      body: { rating: 2, comment: 'On reflection: <b>too long</b>' },
    });

    expect(first.status).toBe(200);
    expect(first.text).toContain('Thank you for your feedback');
    expect(second.json()).toMatchObject({ rating: 2, replaced: true });
    expect((await staffList(meeting.id)).json()).toMatchObject({
      responses: 1,
      averageRating: 2,
      answers: [{ rating: 2, comment: 'On reflection: <b>too long</b>' }],
    });
    await waitFor(
      'the answers to be counted',
      async () =>
        (await counter('feedback.ratingSum', `kind=${kind}`, 'month', month)) === before.ratingSum + 2 &&
        (await counter('feedback.responses', `kind=${kind}`, 'month', month)) === before.responses + 1,
    );
    await api('GET', '/_local/bus/idle');
    expect(await counter('feedback.responses', `kind=${kind}`, 'month', month)).toBe(before.responses + 1);
    expect(await counter('feedback.ratingSum', `kind=${kind}`, 'month', month)).toBe(before.ratingSum + 2);
  });

  it('a bad rating or a comment over 1,000 characters is refused with the field named', async () => {
    const link = ratingLink((await feedbackMails(people.guest))[0], 3);

    const [badRating, longComment] = await Promise.all([
      api('POST', link, { body: { rating: 9 } }),
      api('POST', link, { body: { rating: 3, comment: 'x'.repeat(1001) } }),
    ]);

    expect(badRating.status).toBe(400);
    expect(badRating.json()).toMatchObject({ error: { details: [{ field: 'rating' }] } });
    expect(longComment.json()).toMatchObject({ error: { details: [{ field: 'comment' }] } });
  });

  it('one address that sends more than 60 answers in an hour is told to slow down', async () => {
    const link = ratingLink((await feedbackMails(people.guest))[0], 3);
    const fromIp = randomLoopback();
    // Answers behind a broken link still spend the allowance, and record nothing.
    const broken = link.replace('token=', 'token=x');
    const statuses = [];
    for (let batch = 0; batch < 6; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => api('POST', broken, { body: { rating: 3 }, fromIp })),
      );
      statuses.push(...answers.map((answer) => answer.status));
    }
    const over = await api('POST', link, { body: { rating: 3 }, fromIp });

    expect(new Set(statuses)).toEqual(new Set([400]));
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBeDefined();
  });
});

describe('erasure and what staff see', () => {
  it("erasure removes a member's comment but keeps the rating; their link takes no more answers", async () => {
    const link = ratingLink((await feedbackMails(member.email))[0], 5);
    expect(
      (await api('POST', link, { body: { rating: 5, comment: 'Met my future co-founder' } })).status,
    ).toBe(200);
    const preferences = await api(
      'GET',
      `/api/preferences?token=${encodeURIComponent(tokenOf(member.preferencesUrl))}`,
    );
    const { erase } = (preferences.json() as { links: { erase: string } }).links;

    expect((await api('POST', pathOf(erase))).status).toBe(200);

    const answers = await waitFor('the comment to be erased', async () => {
      const list = (await staffList(meeting.id)).json() as {
        answers: Array<{ rating: number; comment: string | null }>;
      };
      return list.answers.some((answer) => answer.comment === 'Met my future co-founder')
        ? undefined
        : list.answers;
    });
    expect(answers.map((answer) => answer.rating).sort()).toEqual([2, 5]);
    const again = await api('POST', link, { body: { rating: 1 } });
    expect(again.status).toBe(410);
    expect((await api('GET', link, { headers: { accept: 'text/html' } })).status).toBe(410);
  });

  it('staff see ratings and comments with no names or addresses, as JSON or CSV; an analyst is refused', async () => {
    const [json, csv, analyst] = await Promise.all([
      staffList(meeting.id),
      api('GET', `/api/activities/${meeting.id}/feedback?format=csv`, { token: await staff() }),
      api('GET', `/api/activities/${meeting.id}/feedback`, { token: await bearerToken(['analyst']) }),
    ]);

    expect(json.json()).toMatchObject({
      activityId: meeting.id,
      title: 'Feedback <b>forum</b>',
      distribution: { 1: 0, 2: 1, 3: 0, 4: 0, 5: expect.any(Number) },
    });
    expect(json.text).not.toContain(people.guest);
    expect(json.text).not.toContain('Feedback Person');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe('"rating","comment","answeredAt"');
    expect(csv.text).toContain('"2","On reflection: <b>too long</b>","');
    expect(analyst.status).toBe(403);
  });
});
