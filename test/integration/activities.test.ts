import { describe, expect, it } from 'vitest';
import {
  api,
  bearerToken,
  calendarOf,
  confirmedMember,
  counter,
  createActivity,
  emailsTo,
  linkIn,
  pathOf,
  randomLoopback,
  registration,
  rsvpByEmail,
  rsvpLink,
  type StoredEmail,
  scanAll,
  tokenOf,
  uniqueEmail,
  waitFor,
  waitForEmails,
} from './helpers';

const staff = () => bearerToken(['staff']);
const lastMailTo = async (email: string, count: number) =>
  (await waitForEmails(email, count))[count - 1] as StoredEmail;

describe('booking a place', () => {
  it('a full activity waitlists the next RSVP, and each person gets the right e-mail', async () => {
    const activity = await createActivity({ capacity: 2 });
    const [ann, bob, cat] = [uniqueEmail('ann'), uniqueEmail('bob'), uniqueEmail('cat')];

    const answers = [
      await rsvpByEmail(activity.id, ann),
      await rsvpByEmail(activity.id, bob),
      await rsvpByEmail(activity.id, cat),
    ];

    expect(answers.map((answer) => answer.status)).toEqual(['accepted', 'accepted', 'waitlisted']);
    const booked = await lastMailTo(ann, 2);
    expect(booked.subject).toMatch(/you are booked/i);
    expect(calendarOf(booked)).toContain('METHOD:REQUEST');
    const waiting = await lastMailTo(cat, 2);
    expect(waiting.subject).toMatch(/waitlist/i);
    expect(calendarOf(waiting)).toBeUndefined();
    const listed = (await api('GET', `/api/activities/${activity.id}`)).json() as { placesLeft: number };
    expect(listed.placesLeft).toBe(0);
  });

  it('cancelling frees the seat and promotes the first on the waitlist, who is told by e-mail', async () => {
    const activity = await createActivity({ capacity: 1 });
    const [ann, bob, cat] = [uniqueEmail('ann'), uniqueEmail('bob'), uniqueEmail('cat')];
    await rsvpByEmail(activity.id, ann);
    await rsvpByEmail(activity.id, bob);
    await rsvpByEmail(activity.id, cat);
    const cancelLink = linkIn((await lastMailTo(ann, 2)).body.text ?? '', '/api/rsvps/cancel?token=');

    const page = await api('GET', pathOf(cancelLink), { headers: { accept: 'text/html' } });
    expect(page.text).toContain('Cancel my place');
    const cancelled = await api('POST', pathOf(cancelLink));

    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    const promoted = await lastMailTo(bob, 3);
    expect(promoted.subject).toMatch(/a place opened up/i);
    expect(calendarOf(promoted)).toContain('METHOD:REQUEST');
    const cancellation = await lastMailTo(ann, 3);
    expect(calendarOf(cancellation)).toContain('METHOD:CANCEL');
    const rsvps = (
      await api('GET', `/api/activities/${activity.id}/rsvps`, { token: await staff() })
    ).json() as {
      rsvps: Array<{ email: string; status: string; waitlistPosition: number | null }>;
    };
    expect(rsvps.rsvps.map((rsvp) => [rsvp.email, rsvp.status, rsvp.waitlistPosition])).toEqual([
      [bob, 'accepted', null],
      [cat, 'waitlisted', 1],
      [ann, 'cancelled', null],
    ]);
    expect((await emailsTo(cat)).length).toBe(2);
  });

  it('a waitlisted person can leave the waitlist, and nobody is promoted in their place', async () => {
    const activity = await createActivity({ capacity: 1 });
    const [ann, bob] = [uniqueEmail('ann'), uniqueEmail('bob')];
    await rsvpByEmail(activity.id, ann);
    await rsvpByEmail(activity.id, bob);
    const leaveLink = linkIn((await lastMailTo(bob, 2)).body.text ?? '', '/api/rsvps/cancel?token=');

    expect((await api('POST', pathOf(leaveLink))).status).toBe(200);
    expect((await api('POST', pathOf(leaveLink))).status).toBe(200);

    await api('GET', '/_local/bus/idle');
    const rsvps = (
      await api('GET', `/api/activities/${activity.id}/rsvps`, { token: await staff() })
    ).json() as { rsvps: Array<{ email: string; status: string }> };
    expect(rsvps.rsvps.map((rsvp) => rsvp.status)).toEqual(['accepted', 'cancelled']);
  });

  it('60 people booking 15 places at once get exactly 15 places and 45 waitlist spots, each person once', async () => {
    const activity = await createActivity({ capacity: 15 });
    const people = Array.from(
      { length: 60 },
      (_, index) => `rush-${index}-${activity.id.slice(0, 8)}@example.org`,
    );
    const links = await Promise.all(people.map((email) => rsvpLink(activity.id, email)));
    const repeats = links.slice(0, 10);

    const responses = await Promise.all(
      [...links, ...repeats].map((link) => api('POST', link, { fromIp: randomLoopback() })),
    );

    // Every request answered 200 (the failures, if any, shown with their answers).
    expect(
      responses.filter((response) => response.status !== 200).map((response) => response.text.slice(0, 200)),
    ).toEqual([]);
    const rsvps = (
      await api('GET', `/api/activities/${activity.id}/rsvps`, { token: await staff() })
    ).json() as {
      rsvps: Array<{ email: string; status: string }>;
    };
    expect(rsvps.rsvps).toHaveLength(60);
    expect(new Set(rsvps.rsvps.map((rsvp) => rsvp.email)).size).toBe(60);
    expect(rsvps.rsvps.filter((rsvp) => rsvp.status === 'accepted')).toHaveLength(15);
    expect(rsvps.rsvps.filter((rsvp) => rsvp.status === 'waitlisted')).toHaveLength(45);
    const answers = responses.slice(0, 60).map((response) => (response.json() as { status: string }).status);
    const repeatAnswers = responses
      .slice(60)
      .map((response) => (response.json() as { status: string }).status);
    expect(repeatAnswers).toEqual(answers.slice(0, 10));
  });

  it('the same RSVP sent twice gives one booking', async () => {
    const activity = await createActivity();
    const email = uniqueEmail('twice');
    const link = await rsvpLink(activity.id, email);

    const first = await api('POST', link);
    const second = await api('POST', link);

    expect([first.json(), second.json()].map((answer) => (answer as { status: string }).status)).toEqual([
      'accepted',
      'accepted',
    ]);
    await waitForEmails(email, 1);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(email)).toHaveLength(1);
  });

  it('a member books at once with their member token', async () => {
    const member = await confirmedMember();
    const activity = await createActivity();

    const booked = await api('POST', `/api/activities/${activity.id}/rsvps`, {
      body: { memberToken: tokenOf(member.preferencesUrl) },
    });

    expect(booked.status).toBe(200);
    expect(booked.json()).toMatchObject({ status: 'accepted' });
    const mail = await lastMailTo(member.email, 3);
    expect(mail.subject).toMatch(/you are booked/i);
    expect(mail.body.text).toContain('/preferences.html?token=');
    expect(mail.body.text).toContain('/api/unsubscribe?token=');
  });

  it('a cancelled or past activity cannot be booked', async () => {
    const past = await createActivity({ startsAt: '2020-03-05T10:00:00Z', endsAt: '2020-03-05T12:00:00Z' });
    const cancelled = await createActivity();
    await api('POST', `/api/activities/${cancelled.id}/cancel`, { token: await staff() });

    const pastAnswer = await api('POST', `/api/activities/${past.id}/rsvps`, {
      body: { email: uniqueEmail() },
    });
    const cancelledAnswer = await api('POST', `/api/activities/${cancelled.id}/rsvps`, {
      body: { email: uniqueEmail() },
    });
    const unknown = await api('POST', '/api/activities/00000000-0000-4000-8000-000000000000/rsvps', {
      body: { email: uniqueEmail() },
    });

    expect(pastAnswer.json()).toMatchObject({ error: { code: 'activity_started' } });
    expect(cancelledAnswer.json()).toMatchObject({ error: { code: 'activity_cancelled' } });
    expect([pastAnswer.status, cancelledAnswer.status, unknown.status]).toEqual([410, 410, 404]);
  });
});

describe('the online link stays private', () => {
  it('never appears in a public response, only in the e-mails of accepted attendees', async () => {
    const onlineUrl = `https://meet.example.org/secret-${Date.now()}`;
    const activity = await createActivity({ onlineUrl, venue: null, capacity: 1 });
    const [ann, bob] = [uniqueEmail('ann'), uniqueEmail('bob')];
    const requested = await api('POST', `/api/activities/${activity.id}/rsvps`, { body: { email: ann } });
    const requestMail = await lastMailTo(ann, 1);
    const confirmLink = linkIn(requestMail.body.text ?? '', '/api/rsvps/confirm?token=');
    const confirmPage = await api('GET', pathOf(confirmLink), { headers: { accept: 'text/html' } });
    const confirmed = await api('POST', pathOf(confirmLink));
    await rsvpByEmail(activity.id, bob);

    const publicResponses = [
      await api('GET', '/api/activities'),
      await api('GET', `/api/activities/${activity.id}`),
      await api('GET', `/api/activities/${activity.id}/calendar.ics`),
      requested,
      confirmPage,
      confirmed,
    ];
    for (const response of publicResponses) expect(response.text).not.toContain(onlineUrl);
    expect(requestMail.body.text).not.toContain(onlineUrl);
    expect((await lastMailTo(ann, 2)).body.text).toContain(onlineUrl);
    expect(calendarOf(await lastMailTo(ann, 2))).toContain(onlineUrl);
    expect((await lastMailTo(bob, 2)).body.text).not.toContain(onlineUrl);
    const ics = publicResponses[2];
    expect(ics?.headers['content-type']).toContain('text/calendar');
    expect(ics?.text).toContain('BEGIN:VEVENT');
  });
});

describe('attendance', () => {
  it("attendance uploaded twice counts once, bucketed by the activity's date, with unique people", async () => {
    const heldBefore = await counter('activities.held', 'kind=working-group', 'month', '2020-03');
    const activity = await createActivity({
      kind: 'working-group',
      startsAt: '2020-03-05T10:00:00Z',
      endsAt: '2020-03-05T12:00:00Z',
    });
    const member = await confirmedMember();
    const guest = uniqueEmail('guest');
    const attendees = [
      { email: member.email, name: 'Member Person' },
      { email: guest, name: 'Guest Person' },
      { email: guest.toUpperCase() },
    ];
    const before = {
      total: await counter('attendees.total', 'kind=working-group', 'year', '2020'),
      unique: await counter('attendees.unique', 'kind=working-group', 'year', '2020'),
    };

    const first = await api('POST', `/api/activities/${activity.id}/attendance`, {
      body: { attendees },
      token: await staff(),
    });
    const second = await api('POST', `/api/activities/${activity.id}/attendance`, {
      body: { attendees },
      token: await staff(),
    });

    expect(first.json()).toEqual({ recorded: 2, alreadyRecorded: 0, duplicatesInRequest: 1 });
    expect(second.json()).toEqual({ recorded: 0, alreadyRecorded: 2, duplicatesInRequest: 1 });
    await waitFor(
      'attendance to be counted',
      async () =>
        (await counter('attendees.total', 'kind=working-group', 'year', '2020')) === before.total + 2,
    );
    await api('GET', '/_local/bus/idle');
    expect(await counter('attendees.total', 'kind=working-group', 'year', '2020')).toBe(before.total + 2);
    expect(await counter('attendees.unique', 'kind=working-group', 'year', '2020')).toBe(before.unique + 2);
    expect(await counter('activities.held', 'kind=working-group', 'month', '2020-03')).toBe(heldBefore + 1);
  });

  it('a person at two activities in a year is one unique attendee and two attendances', async () => {
    const [first, second] = [
      await createActivity({
        kind: 'festival',
        startsAt: '2021-05-05T10:00:00Z',
        endsAt: '2021-05-05T12:00:00Z',
      }),
      await createActivity({
        kind: 'festival',
        startsAt: '2021-06-05T10:00:00Z',
        endsAt: '2021-06-05T12:00:00Z',
      }),
    ];
    const email = uniqueEmail('regular');
    const totalBefore = await counter('attendees.total', 'kind=festival', 'year', '2021');
    const uniqueBefore = await counter('attendees.unique', 'kind=festival', 'year', '2021');

    for (const activity of [first, second]) {
      await api('POST', `/api/activities/${activity.id}/attendance`, {
        body: { attendees: [{ email }] },
        token: await staff(),
      });
    }

    await waitFor(
      'attendance to be counted',
      async () => (await counter('attendees.total', 'kind=festival', 'year', '2021')) === totalBefore + 2,
    );
    await api('GET', '/_local/bus/idle');
    expect(await counter('attendees.unique', 'kind=festival', 'year', '2021')).toBe(uniqueBefore + 1);
  });

  it('a bad attendance list is refused whole, and nothing is recorded', async () => {
    const activity = await createActivity({
      startsAt: '2020-04-05T10:00:00Z',
      endsAt: '2020-04-05T12:00:00Z',
    });
    const tooMany = Array.from({ length: 1001 }, (_, index) => ({ email: `p${index}@example.org` }));

    const responses = [
      await api('POST', `/api/activities/${activity.id}/attendance`, {
        body: { attendees: [{ email: 'ok@example.org' }, { email: 'not an address' }] },
        token: await staff(),
      }),
      await api('POST', `/api/activities/${activity.id}/attendance`, {
        body: { attendees: tooMany },
        token: await staff(),
      }),
      await api('POST', `/api/activities/${activity.id}/attendance`, {
        body: { attendees: [] },
        token: await staff(),
      }),
    ];

    expect(responses.map((response) => response.status)).toEqual([400, 400, 400]);
    const rsvps = (
      await api('GET', `/api/activities/${activity.id}/rsvps`, { token: await staff() })
    ).json() as { rsvps: unknown[] };
    expect(rsvps.rsvps).toEqual([]);
    const again = await api('POST', `/api/activities/${activity.id}/attendance`, {
      body: { attendees: [{ email: 'ok@example.org' }] },
      token: await staff(),
    });
    expect(again.json()).toMatchObject({ recorded: 1 });
  });
});

describe('staff manage activities', () => {
  it('staff list RSVPs as CSV for a spreadsheet, with formulas neutralised', async () => {
    const activity = await createActivity();
    await rsvpByEmail(activity.id, uniqueEmail('csv'), '=HYPERLINK("#open")');

    const csv = await api('GET', `/api/activities/${activity.id}/rsvps?format=csv`, { token: await staff() });

    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe(
      '"name","email","status","member","requestedAt","acceptedAt","waitlistPosition","cancelledAt"',
    );
    expect(csv.text).toContain(`"'=HYPERLINK(""#open"")"`);
  });

  it('bad activity input is a 400 per field, and past dates are allowed for history', async () => {
    const token = await staff();
    const bad = await api('POST', '/api/activities', {
      token,
      body: {
        kind: 'party',
        network: 'nope',
        title: '',
        startsAt: 'tomorrow',
        endsAt: '2027-01-01T10:00:00Z',
        capacity: 0,
      },
    });
    const backwards = await api('POST', '/api/activities', {
      token,
      body: {
        kind: 'workshop',
        network: 'smart-city-alliance',
        title: 'Backwards',
        startsAt: '2027-01-02T10:00:00Z',
        endsAt: '2027-01-01T10:00:00Z',
        venue: 'Hall',
      },
    });
    const past = await createActivity({
      startsAt: '2019-09-01T10:00:00+01:00',
      endsAt: '2019-09-01T12:00:00+01:00',
    });

    expect(bad.status).toBe(400);
    const fields = (bad.json() as { error: { details: Array<{ field: string }> } }).error.details
      .map((detail) => detail.field)
      .sort();
    expect(fields).toEqual(['capacity', 'kind', 'network', 'startsAt', 'title', 'venue']);
    expect(backwards.status).toBe(400);
    expect(past.id).toEqual(expect.any(String));
  });
});

describe('erasure reaches bookings', () => {
  it("an erased member's booking is cancelled, the next person promoted, and no booking keeps their name or address", async () => {
    const name = `Booked Person ${Date.now()}`;
    const member = await confirmedMember({ name });
    const activity = await createActivity({ capacity: 1 });
    const waiting = uniqueEmail('next');
    await api('POST', `/api/activities/${activity.id}/rsvps`, {
      body: { memberToken: tokenOf(member.preferencesUrl) },
    });
    await rsvpByEmail(activity.id, waiting);
    const links = (
      (
        await api('GET', `/api/preferences?token=${encodeURIComponent(tokenOf(member.preferencesUrl))}`)
      ).json() as { links: { erase: string } }
    ).links;

    expect((await api('POST', pathOf(links.erase))).status).toBe(200);

    expect((await lastMailTo(waiting, 3)).subject).toMatch(/a place opened up/i);
    await api('GET', '/_local/bus/idle');
    const text = JSON.stringify(await scanAll('activities')).toLowerCase();
    expect(text).not.toContain(member.email.toLowerCase());
    expect(text).not.toContain(name.toLowerCase());
    const rsvps = (
      await api('GET', `/api/activities/${activity.id}/rsvps`, { token: await staff() })
    ).json() as { rsvps: Array<{ email: string; status: string }> };
    expect(rsvps.rsvps.map((rsvp) => [rsvp.email, rsvp.status])).toEqual([
      [waiting, 'accepted'],
      ['(erased)', 'cancelled'],
    ]);
  });

  it('erasure also reaches what was booked and asked for before registering, and the pending RSVP link then books nothing', async () => {
    const name = `Early Booker ${Date.now()}`;
    const email = uniqueEmail('early');
    const [booked, asked] = [await createActivity(), await createActivity()];
    await rsvpByEmail(booked.id, email, name);
    // The "your place is booked" e-mail first, so that the next one is the second request's link.
    await waitForEmails(email, 2);
    await api('POST', `/api/activities/${asked.id}/rsvps`, { body: { email, name } });
    const pendingLink = linkIn((await lastMailTo(email, 3)).body.text ?? '', '/api/rsvps/confirm?token=');
    await api('POST', '/api/members', { body: registration({ email, name }) });
    await api(
      'POST',
      pathOf(linkIn((await lastMailTo(email, 4)).body.text ?? '', '/api/members/confirm?token=')),
    );
    const preferences = tokenOf(
      linkIn((await lastMailTo(email, 5)).body.text ?? '', '/preferences.html?token='),
    );

    const download = await api('GET', `/api/members/data?token=${encodeURIComponent(preferences)}`);
    const { links } = (
      await api('GET', `/api/preferences?token=${encodeURIComponent(preferences)}`)
    ).json() as { links: { erase: string } };
    expect((await api('POST', pathOf(links.erase))).status).toBe(200);
    await api('GET', '/_local/bus/idle');
    const followedAfter = await api('POST', pathOf(pendingLink));

    expect((download.json() as { bookings: unknown[] }).bookings).toContainEqual(
      expect.objectContaining({ record: 'booking', activityId: booked.id, status: 'accepted' }),
    );
    const stored = JSON.stringify(await scanAll('activities')).toLowerCase();
    expect(stored).not.toContain(email.toLowerCase());
    expect(stored).not.toContain(name.toLowerCase());
    expect(followedAfter.status).toBe(410);
    expect(followedAfter.json()).toMatchObject({
      error: { message: expect.stringMatching(/no longer valid/) },
    });
    const askedRsvps = (
      await api('GET', `/api/activities/${asked.id}/rsvps`, { token: await staff() })
    ).json() as { rsvps: unknown[] };
    expect(askedRsvps.rsvps).toEqual([]);
  });
});

describe('more places', () => {
  it('raising the capacity promotes people from the waitlist in arrival order', async () => {
    const activity = await createActivity({ capacity: 1 });
    const [ann, bob, cat] = [uniqueEmail('ann'), uniqueEmail('bob'), uniqueEmail('cat')];
    for (const person of [ann, bob, cat]) await rsvpByEmail(activity.id, person);

    const raised = await api('PATCH', `/api/activities/${activity.id}`, {
      token: await staff(),
      body: { capacity: 2 },
    });

    expect(raised.json()).toMatchObject({ capacity: 2, placesLeft: 1 });
    expect((await lastMailTo(bob, 3)).subject).toMatch(/a place opened up/i);
    await api('GET', '/_local/bus/idle');
    const rsvps = (
      await api('GET', `/api/activities/${activity.id}/rsvps`, { token: await staff() })
    ).json() as { rsvps: Array<{ email: string; status: string }> };
    expect(rsvps.rsvps.map((rsvp) => [rsvp.email, rsvp.status])).toEqual([
      [ann, 'accepted'],
      [bob, 'accepted'],
      [cat, 'waitlisted'],
    ]);
    const lowered = await api('PATCH', `/api/activities/${activity.id}`, {
      token: await staff(),
      body: { capacity: 1 },
    });
    expect(lowered.status).toBe(400);
  });

  it("a member's data download lists their bookings", async () => {
    const member = await confirmedMember();
    const activity = await createActivity({ title: 'Data download check' });
    await api('POST', `/api/activities/${activity.id}/rsvps`, {
      body: { memberToken: tokenOf(member.preferencesUrl) },
    });
    const data = await api(
      'GET',
      `/api/members/data?token=${encodeURIComponent(tokenOf(member.preferencesUrl))}`,
    );
    expect(
      (data.json() as { bookings: Array<{ record: string; activityId: string; status: string }> }).bookings,
    ).toEqual([expect.objectContaining({ record: 'booking', activityId: activity.id, status: 'accepted' })]);
  });
});
