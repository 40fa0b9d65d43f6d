/**
 * The members' side of mail-outs on the real local runtime: the sparse audience index follows every
 * profile change, suppressed addresses leave it and get no reminders, unsubscribes from a mail-out
 * name it, and erasure reaches delivery records. SES has no route in: the suppression store is run
 * here, in the test process, against the runtime's own DynamoDB Local (as the SES-event handler
 * runs it there).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { rsvpIdWith } from '../../functions/activities/domain/rsvp';
import {
  api,
  confirmedMember,
  createActivity,
  db,
  emailsTo,
  linkIn,
  memberIdFor,
  memberItems,
  pathOf,
  pseudonymKey,
  registration,
  rsvpByEmail,
  runSchedule,
  scanAll,
  table,
  tokenOf,
  uniqueEmail,
  waitFor,
  waitForEmails,
} from './helpers';

const preferencesApi = (preferencesUrl: string) =>
  `/api/preferences?token=${encodeURIComponent(tokenOf(preferencesUrl))}`;

/** Whether the member is in the audience index, read from the index itself. */
async function inAudience(memberId: string): Promise<boolean> {
  const result = await db().send(
    new QueryCommand({
      TableName: table('members'),
      IndexName: 'audience',
      KeyConditionExpression: 'audiencePk = :audience AND memberId = :memberId',
      ExpressionAttributeValues: { ':audience': 'newsletter', ':memberId': memberId },
    }),
  );
  return (result.Items ?? []).length > 0;
}

/** The members capability's stores, bound to the runtime's tables as its handlers are. */
async function membersStores() {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoUrl'),
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_MEMBERS: table('members'),
  });
  const [suppression, audience] = await Promise.all([
    import('../../functions/members/suppression-store'),
    import('../../functions/members/audience-store'),
  ]);
  return { ...suppression, ...audience };
}

/** What a delivery record of a sent mail-out looks like (the dispatcher writes these). */
const deliveryRecord = (mailoutId: string, memberId: string, email: string) => ({
  pk: `MAILOUT#${mailoutId}`,
  sk: `MEMBER#${memberId}`,
  mailoutId,
  memberId,
  state: 'delivered',
  email,
  name: 'Ada Lovelace',
  organisation: 'Analytical Engines Ltd',
  sentAt: '2026-11-27T10:00:00.000Z',
  deliveredAt: '2026-11-27T10:00:02.000Z',
});

const outboxEvents = async (detailType: string, memberId: string) =>
  (await scanAll('members'))
    .filter((item) => item.type === 'outbox' && item.detailType === detailType)
    .map((item) => JSON.parse(String(item.detail)) as Record<string, unknown>)
    .filter((detail) => detail.memberId === memberId);

describe('the mail-out audience index', () => {
  it('a confirmed member with newsletter consent is in the audience; unsubscribing takes them out, subscribing again brings them back', async () => {
    const member = await confirmedMember();
    expect(await inAudience(member.memberId)).toBe(true);
    const profile = (await memberItems(member.memberId)).find((item) => item.sk === 'PROFILE');
    expect(profile?.audiencePk).toBe('newsletter');

    expect((await api('POST', pathOf(member.unsubscribeUrl))).status).toBe(200);
    expect(await inAudience(member.memberId)).toBe(false);

    const resubscribed = await api('PUT', preferencesApi(member.preferencesUrl), {
      body: { newsletter: true },
    });
    expect(resubscribed.status).toBe(200);
    expect(await inAudience(member.memberId)).toBe(true);

    const dropped = await api('PUT', preferencesApi(member.preferencesUrl), { body: { newsletter: false } });
    expect(dropped.status).toBe(200);
    expect(await inAudience(member.memberId)).toBe(false);
  });

  it('members who have not confirmed, or did not ask for the newsletter, are not in it', async () => {
    const pending = registration();
    expect((await api('POST', '/api/members', { body: pending })).status).toBe(202);
    const pendingId = await waitFor('the registration', () => memberIdFor(pending.email));
    const declined = await confirmedMember({
      consent: { newsletter: false, privacyNotice: true, formVersion: '2026-11' },
    });

    expect(await inAudience(pendingId)).toBe(false);
    expect(await inAudience(declined.memberId)).toBe(false);
    const shown = await api('GET', preferencesApi(declined.preferencesUrl));
    expect(shown.json()).not.toHaveProperty('member.audiencePk');
  });

  it('the audience is read page by page in memberId order, and resumes after a checkpoint', async () => {
    await confirmedMember();
    await confirmedMember();
    const { audiencePages } = await membersStores();

    const all: string[] = [];
    for await (const page of audiencePages(2)) {
      expect(page.members.length).toBeLessThanOrEqual(2);
      expect(page.lastMemberId).toBe(page.members.at(-1)?.memberId);
      all.push(...page.members.map((member) => member.memberId));
    }
    const resumed: string[] = [];
    for await (const page of audiencePages(2, all[1])) resumed.push(...page.members.map((m) => m.memberId));

    expect(all.length).toBeGreaterThanOrEqual(2);
    expect([...all].sort()).toEqual(all);
    expect(resumed).toEqual(all.slice(2));
  });
});

describe('suppressed addresses', () => {
  it('a complaint takes the member out of the audience, withdraws newsletter consent on the record with the reason, and says so in their data', async () => {
    const member = await confirmedMember({ organisationType: 'university' });
    const mailoutId = randomUUID();
    const { suppressAddress, getProfiles } = await membersStores();

    const first = await suppressAddress({
      email: member.email.toUpperCase(),
      reason: 'complaint',
      at: new Date().toISOString(),
      memberId: member.memberId,
      mailoutId,
    });
    const second = await suppressAddress({
      email: member.email,
      reason: 'complaint',
      at: new Date().toISOString(),
      memberId: member.memberId,
      mailoutId,
    });

    expect([first, second]).toEqual(['suppressed', 'already']);
    expect(await inAudience(member.memberId)).toBe(false);
    const profile = (await getProfiles([member.memberId])).get(member.memberId);
    expect(profile).toMatchObject({ newsletter: false, suppressedReason: 'complaint' });
    expect(profile?.suppressedAt).toEqual(expect.any(String));
    const withdrawn = (await memberItems(member.memberId)).filter(
      (item) => item.type === 'consent' && item.action === 'withdrawn',
    );
    expect(withdrawn).toEqual([
      expect.objectContaining({
        purpose: 'newsletter',
        method: 'complaint',
        reason: expect.stringContaining('spam'),
      }),
    ]);
    expect(await outboxEvents('MemberUnsubscribed', member.memberId)).toEqual([
      expect.objectContaining({ method: 'complaint', mailoutId }),
    ]);
    expect(await outboxEvents('MemberSuppressed', member.memberId)).toEqual([
      expect.objectContaining({ reason: 'complaint', mailoutId }),
    ]);

    // Subscribing again on the preferences page does not bring a suppressed address back.
    const resubscribed = await api('PUT', preferencesApi(member.preferencesUrl), {
      body: { newsletter: true },
    });
    expect(resubscribed.status).toBe(200);
    expect(await inAudience(member.memberId)).toBe(false);

    const links = (await api('GET', preferencesApi(member.preferencesUrl))).json() as {
      links: { data: string };
    };
    const data = (await api('GET', pathOf(links.links.data))).json() as Record<string, unknown>;
    expect(data.suppression).toMatchObject({
      suppressed: true,
      reason: 'complaint',
      explanation: expect.stringContaining('reported as spam'),
    });
  });

  it('a hard bounce keeps the member subscribed but out of the audience; one arriving before confirmation keeps them out too', async () => {
    const member = await confirmedMember();
    const pending = registration();
    expect((await api('POST', '/api/members', { body: pending })).status).toBe(202);
    const [confirmation] = await waitForEmails(pending.email, 1);
    const { suppressAddress } = await membersStores();

    await suppressAddress({ email: member.email, reason: 'bounce', at: new Date().toISOString() });
    await suppressAddress({ email: pending.email, reason: 'bounce', at: new Date().toISOString() });
    const confirmLink = linkIn(confirmation?.body.text ?? '', '/api/members/confirm?token=');
    expect((await api('POST', pathOf(confirmLink))).status).toBe(200);

    expect(await inAudience(member.memberId)).toBe(false);
    expect((await memberItems(member.memberId)).find((item) => item.sk === 'PROFILE')).toMatchObject({
      newsletter: true,
      suppressedReason: 'bounce',
    });
    expect(await inAudience((await memberIdFor(pending.email)) as string)).toBe(false);
  });

  it('a suppressed address gets no reminder (its RSVP e-mails, which the person asks for, still come), and others still get theirs', async () => {
    const activity = await createActivity();
    const [suppressed, fine] = [uniqueEmail('suppressed'), uniqueEmail('reminded')];
    const { suppressAddress } = await membersStores();
    await suppressAddress({ email: suppressed, reason: 'bounce', at: new Date().toISOString() });

    await rsvpByEmail(activity.id, suppressed);
    await rsvpByEmail(activity.id, fine);
    const start = new Date(activity.startsAt).getTime();
    await runSchedule('reminders', new Date(start - 167 * 3_600_000));
    await runSchedule('reminders', new Date(start - 166 * 3_600_000));

    const reminders = async (email: string) =>
      (await emailsTo(email)).filter((mail) => mail.subject.startsWith('Reminder:'));
    expect(await reminders(fine)).toHaveLength(1);
    expect(await reminders(suppressed)).toHaveLength(0);
    const meta = await db().send(
      new GetCommand({ TableName: table('activities'), Key: { pk: `ACTIVITY#${activity.id}`, sk: 'META' } }),
    );
    const marker = await db().send(
      new GetCommand({
        TableName: table('activities'),
        Key: {
          pk: `ACTIVITY#${activity.id}`,
          sk: `REMIND#${rsvpIdWith(pseudonymKey(), activity.id, suppressed)}#${meta.Item?.startsAt}#168`,
        },
      }),
    );
    expect(marker.Item).toMatchObject({ state: 'sent', settled: true });
  });
});

describe('unsubscribes caused by a mail-out', () => {
  it("a mail-out's unsubscribe link names the mail-out, through the page's button to the event", async () => {
    const member = await confirmedMember();
    const mailoutId = randomUUID();
    const link = `${pathOf(member.unsubscribeUrl)}&mailout=${mailoutId}`;

    const page = await api('GET', link, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(new URL(action, 'http://x').searchParams.get('mailout')).toBe(mailoutId);

    const pressed = await api('POST', action, {
      rawBody: '',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(pressed.status).toBe(200);
    expect(await outboxEvents('MemberUnsubscribed', member.memberId)).toEqual([
      expect.objectContaining({ method: 'unsubscribe-page', mailoutId }),
    ]);
  });

  it('an old or mangled mailout parameter is ignored: the person is still unsubscribed', async () => {
    const member = await confirmedMember();

    const response = await api('POST', `${pathOf(member.unsubscribeUrl)}&mailout=not-a-mailout`, {
      rawBody: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(response.status).toBe(200);
    expect(await inAudience(member.memberId)).toBe(false);
    const [event] = await outboxEvents('MemberUnsubscribed', member.memberId);
    expect(event).toMatchObject({ method: 'one-click-unsubscribe' });
    expect(event).not.toHaveProperty('mailoutId');
  });
});

describe('erasure reaches delivery records', () => {
  it("erasing a member removes their address and name from every delivery record and keeps each record's state", async () => {
    const member = await confirmedMember();
    const other = await confirmedMember();
    const mailouts = [randomUUID(), randomUUID()];
    for (const mailoutId of mailouts) {
      await db().send(
        new PutCommand({
          TableName: table('deliveries'),
          Item: deliveryRecord(mailoutId, member.memberId, member.email),
        }),
      );
    }
    await db().send(
      new PutCommand({
        TableName: table('deliveries'),
        Item: deliveryRecord(mailouts[0] as string, other.memberId, other.email),
      }),
    );
    const { links } = (await api('GET', preferencesApi(member.preferencesUrl))).json() as {
      links: { erase: string };
    };

    expect((await api('POST', pathOf(links.erase))).status).toBe(200);

    const records = await waitFor('the delivery records to be erased', async () => {
      const items = await scanAll('deliveries');
      const mine = items.filter((item) => item.memberId === member.memberId);
      return mine.length === 2 && mine.every((item) => item.erased === true) ? items : undefined;
    });
    for (const record of records.filter((item) => item.memberId === member.memberId)) {
      expect(record).not.toHaveProperty('email');
      expect(record).not.toHaveProperty('name');
      expect(record).not.toHaveProperty('organisation');
      expect(record).toMatchObject({ state: 'delivered', deliveredAt: '2026-11-27T10:00:02.000Z' });
    }
    expect(JSON.stringify(records)).not.toContain(member.email);
    expect(records.find((item) => item.memberId === other.memberId)).toMatchObject({ email: other.email });
  });
});
