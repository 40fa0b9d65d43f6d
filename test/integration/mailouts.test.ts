import { randomUUID } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { config } from '../../shared/config';
import {
  api,
  confirmedMember,
  counter,
  db,
  emailsTo,
  linkIn,
  londonMonth,
  pathOf,
  registration,
  table,
  uniqueEmail,
  waitFor,
  waitForEmails,
} from './helpers';
import {
  busIdle,
  deliveryRecords,
  draft,
  forgetRenderedBody,
  injectSesEvents,
  keepContentOnHeader,
  largeVariedMarkdown,
  mailout,
  mailoutActions,
  mailoutEmailsByRecipient,
  markdownTooLargeOnceRendered,
  type Segment,
  seedMembers,
  sesFaults,
  staffCall,
  storedMailout,
  storedMailoutContent,
  waitForMailout,
} from './mailout-helpers';

const finished = (view: { state: string }) => view.state === 'sent';

afterEach(async () => {
  await sesFaults({ throttleShare: 0, rejectShare: 0 });
});

describe('mail-out requests staff get wrong', () => {
  it('bad drafts get a 400 naming each field, and nothing is stored', async () => {
    const before = await staffCall('GET', '/api/mailouts?limit=100');
    const cases: Array<[string, unknown, string]> = [
      ['an empty subject', { subject: '', markdown: 'x' }, 'subject'],
      ['a subject over 200 characters', { subject: 'x'.repeat(201), markdown: 'x' }, 'subject'],
      ['a body over 200 KB', { subject: 'Big', markdown: 'x'.repeat(200 * 1024 + 1) }, 'markdown'],
      [
        'a body under 200 KB too large once rendered',
        { subject: 'Big', markdown: markdownTooLargeOnceRendered() },
        'markdown',
      ],
      [
        'an unknown network',
        { subject: 'S', markdown: 'x', audience: { networks: ['nowhere'] } },
        'audience',
      ],
      [
        'an unknown interest',
        { subject: 'S', markdown: 'x', audience: { interests: ['astrology'] } },
        'audience',
      ],
      ['a CR/LF in the subject', { subject: 'Hi\r\nBcc: x@example.org', markdown: 'x' }, 'subject'],
    ];
    for (const [what, body, field] of cases) {
      const response = await staffCall('POST', '/api/mailouts', body);
      expect(response.status, what).toBe(400);
      const details = (response.json() as { error: { details: Array<{ field: string }> } }).error.details;
      expect(
        details.some((detail) => detail.field.startsWith(field)),
        `${what}: ${response.text}`,
      ).toBe(true);
    }
    const after = await staffCall('GET', '/api/mailouts?limit=100');
    expect((after.json() as { mailouts: unknown[] }).mailouts).toHaveLength(
      (before.json() as { mailouts: unknown[] }).mailouts.length,
    );
  });

  it('a change whose body renders too large is a 400, and the draft keeps its Markdown and body', async () => {
    const segment: Segment = { network: 'working-groups', organisationType: 'other', interest: 'skills' };
    const created = await draft(`Too large ${randomUUID()}`, segment, 'Short and *sweet*.');
    const before = [await storedMailout(created.id), await storedMailoutContent(created.id)];
    const refused = await staffCall('PATCH', `/api/mailouts/${created.id}`, {
      subject: 'Changed too',
      markdown: markdownTooLargeOnceRendered(),
    });
    expect(refused.status, refused.text).toBe(400);
    const problem = (refused.json() as { error: { details: Array<{ field: string; message: string }> } })
      .error.details[0];
    expect(problem?.field).toBe('markdown');
    expect(problem?.message).toContain('too large once rendered for an e-mail');
    expect([await storedMailout(created.id), await storedMailoutContent(created.id)]).toEqual(before);
  });

  it('sending in the past, too many test addresses and changing a sent mail-out are refused', async () => {
    const segment: Segment = { network: 'working-groups', organisationType: 'other', interest: 'health' };
    const created = await draft(`Refusals ${randomUUID()}`, segment);
    const past = await staffCall('POST', `/api/mailouts/${created.id}/send`, { at: '2020-01-01T09:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.text).toContain('at');
    const tooMany = await staffCall('POST', `/api/mailouts/${created.id}/test`, {
      to: Array.from({ length: 6 }, (_, index) => `t${index}@example.org`),
    });
    expect(tooMany.status).toBe(400);
    expect((await mailout(created.id)).state).toBe('draft');

    const sent = await staffCall('POST', `/api/mailouts/${created.id}/send`);
    expect(sent.status, sent.text).toBe(202);
    await waitForMailout(created.id, 'sent', finished);
    expect((await staffCall('PATCH', `/api/mailouts/${created.id}`, { subject: 'Changed' })).status).toBe(
      409,
    );
    expect((await staffCall('POST', `/api/mailouts/${created.id}/send`)).status).toBe(409);
    expect((await staffCall('POST', `/api/mailouts/${created.id}/pause`)).status).toBe(409);
    expect((await staffCall('POST', `/api/mailouts/${created.id}/resume`)).status).toBe(409);
    expect((await staffCall('GET', `/api/mailouts/${randomUUID()}`)).status).toBe(404);
  });

  it('only staff reach mail-outs: no token is 401, an analyst is 403', async () => {
    expect((await api('GET', '/api/mailouts')).status).toBe(401);
    const { bearerToken } = await import('./helpers');
    const analyst = await bearerToken(['analyst']);
    expect(
      (await api('POST', '/api/mailouts', { token: analyst, body: { subject: 'x', markdown: 'y' } })).status,
    ).toBe(403);
  });

  it('a scheduled mail-out can be changed and cancelled before it starts, and is never sent', async () => {
    const segment: Segment = { network: 'working-groups', organisationType: 'other', interest: 'energy' };
    const [member] = await seedMembers(1, segment);
    const subject = `Scheduled ${randomUUID()}`;
    const created = await draft(subject, segment);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await staffCall('POST', `/api/mailouts/${created.id}/send`, { at });
    expect(scheduled.status, scheduled.text).toBe(202);
    expect((scheduled.json() as { state: string }).state).toBe('scheduled');
    expect(
      (await staffCall('PATCH', `/api/mailouts/${created.id}`, { subject: `${subject} (v2)` })).status,
    ).toBe(200);
    const cancelled = await staffCall('POST', `/api/mailouts/${created.id}/cancel`);
    expect((cancelled.json() as { state: string }).state).toBe('cancelled');
    await api('POST', '/_local/schedules/start-scheduled-mailouts', {
      body: { time: new Date(Date.now() + 2 * 3_600_000).toISOString() },
    });
    await busIdle();
    expect(
      (await mailoutEmailsByRecipient(`${subject} (v2)`)).get(member?.email.toLowerCase() ?? ''),
    ).toBeUndefined();
  });

  it('a scheduled mail-out goes out when the schedule runs at its time', async () => {
    const segment: Segment = { network: 'working-groups', organisationType: 'other', interest: 'data' };
    const [member] = await seedMembers(1, segment);
    const subject = `On time ${randomUUID()}`;
    const created = await draft(subject, segment);
    const at = new Date(Date.now() + 3_600_000);
    await staffCall('POST', `/api/mailouts/${created.id}/send`, { at: at.toISOString() });
    const early = await api('POST', '/_local/schedules/start-scheduled-mailouts', {
      body: { time: new Date(at.getTime() - 60_000).toISOString() },
    });
    expect(early.status).toBe(200);
    expect((await mailout(created.id)).state).toBe('scheduled');
    // The scheduler fires on whole seconds (minutes, in fact): the first run at or after the time starts it.
    await api('POST', '/_local/schedules/start-scheduled-mailouts', {
      body: { time: new Date(at.getTime() + 1000).toISOString() },
    });
    await waitForMailout(created.id, 'sent', finished);
    expect((await mailoutEmailsByRecipient(subject)).get(member?.email.toLowerCase() ?? '')).toHaveLength(1);
  });
});

describe('who a mail-out reaches', () => {
  it('the audience leaves out the unconfirmed, unsubscribed, erased and other segments; the preview count is what is sent', async () => {
    const segment: Segment = {
      network: 'innovation-support-forum',
      organisationType: 'university',
      interest: 'skills',
    };
    const profile = {
      networks: [segment.network],
      organisationType: segment.organisationType,
      interests: [segment.interest],
    };
    const [ann, bob, unsubscribed] = await Promise.all([
      confirmedMember({ ...profile, name: 'Ann Example', organisation: 'Uni A' }),
      confirmedMember({ ...profile, name: 'Bob Example', organisation: 'Uni B' }),
      confirmedMember(profile),
    ]);
    await api('POST', pathOf(unsubscribed?.unsubscribeUrl ?? ''), { rawBody: 'List-Unsubscribe=One-Click' });
    const pending = registration({ ...profile, email: uniqueEmail('pending') });
    await api('POST', '/api/members', { body: pending });
    const noNewsletter = await confirmedMember({
      ...profile,
      consent: { newsletter: false, privacyNotice: true, formVersion: '2026-11' },
    });
    const [erased] = await seedMembers(1, segment);
    await db().send(
      new DeleteCommand({
        TableName: table('members'),
        Key: { pk: `MEMBER#${erased?.memberId}`, sk: 'PROFILE' },
      }),
    );
    const [otherSegment] = await seedMembers(1, { ...segment, interest: 'energy' });

    const subject = `Audience ${randomUUID()}`;
    const created = await draft(subject, segment);
    const preview = await staffCall('GET', `/api/mailouts/${created.id}/audience`);
    expect(preview.status, preview.text).toBe(200);
    const { count, sample } = preview.json() as {
      count: number;
      sample: Array<{ name: string; organisation: string }>;
    };
    expect(count).toBe(2);
    expect(sample).toEqual(
      expect.arrayContaining([
        { name: 'Ann Example', organisation: 'Uni A' },
        { name: 'Bob Example', organisation: 'Uni B' },
      ]),
    );

    await staffCall('POST', `/api/mailouts/${created.id}/send`);
    const done = await waitForMailout(created.id, 'sent', finished);
    expect(done.audienceSize).toBe(count);
    expect(done.sent).toBe(count);
    const received = await mailoutEmailsByRecipient(subject);
    expect(received.get(ann?.email.toLowerCase() ?? '')).toHaveLength(1);
    expect(received.get(bob?.email.toLowerCase() ?? '')).toHaveLength(1);
    for (const excluded of [
      unsubscribed?.email,
      pending.email,
      noNewsletter.email,
      erased?.email,
      otherSegment?.email,
    ]) {
      expect(received.get(String(excluded).toLowerCase()), String(excluded)).toBeUndefined();
    }
  });

  it('a hard bounce suppresses the address for the next mail-out; a complaint also unsubscribes, in the consent record', async () => {
    const segment: Segment = {
      network: 'innovation-support-forum',
      organisationType: 'voluntary',
      interest: 'health',
    };
    const tag = randomUUID().slice(0, 8);
    const [fine, bouncing, complaining] = await seedMembers(
      3,
      segment,
      (index) =>
        [
          `success+${tag}@simulator.amazonses.com`,
          `bounce+${tag}@simulator.amazonses.com`,
          `complaint+${tag}@simulator.amazonses.com`,
        ][index] as string,
    );
    const first = await draft(`First ${tag}`, segment);
    await staffCall('POST', `/api/mailouts/${first.id}/send`);
    const firstDone = await waitForMailout(
      first.id,
      'bounce and complaint recorded',
      (view) => view.state === 'sent' && view.bounced === 1 && view.complained === 1,
    );
    expect(firstDone.sent).toBe(3);
    await busIdle();

    const records = await deliveryRecords(first.id);
    const stateOf = (memberId?: string) => records.find((record) => record.memberId === memberId)?.state;
    expect(stateOf(fine?.memberId)).toBe('delivered');
    expect(stateOf(bouncing?.memberId)).toBe('bounced');
    expect(stateOf(complaining?.memberId)).toBe('complained');

    const consent = await staffCall('GET', `/api/members/${complaining?.memberId}/consent`);
    expect(consent.status, consent.text).toBe(200);
    expect(consent.text).toContain('complaint');

    const second = await draft(`Second ${tag}`, segment);
    expect(
      ((await staffCall('GET', `/api/mailouts/${second.id}/audience`)).json() as { count: number }).count,
    ).toBe(1);
    await staffCall('POST', `/api/mailouts/${second.id}/send`);
    await waitForMailout(second.id, 'sent', finished);
    const received = await mailoutEmailsByRecipient(`Second ${tag}`);
    expect([...received.keys()]).toEqual([fine?.email.toLowerCase()]);
  });
});

describe('what every mail-out e-mail carries', () => {
  it('List-Unsubscribe headers, preferences and unsubscribe links; the one-click header unsubscribes and counts against the mail-out', async () => {
    const segment: Segment = {
      network: 'smart-city-alliance',
      organisationType: 'local-authority',
      interest: 'built-environment',
    };
    const member = await confirmedMember({
      networks: [segment.network],
      organisationType: segment.organisationType,
      interests: [segment.interest],
    });
    const subject = `Headers ${randomUUID()}`;
    const created = await draft(
      subject,
      segment,
      'First draft: see [the old page](https://example.org/old).',
    );
    // What is sent is the body as last saved: the change's, not the first draft's.
    const changed = await staffCall('PATCH', `/api/mailouts/${created.id}`, {
      markdown: '# Update\n\nRead [the report](https://example.org/report).\n\n<script>alert(1)</script>',
    });
    expect(changed.status, changed.text).toBe(200);
    await staffCall('POST', `/api/mailouts/${created.id}/send`);
    await waitForMailout(created.id, 'sent', finished);
    const [email] = (await mailoutEmailsByRecipient(subject)).get(member.email.toLowerCase()) ?? [];
    expect(email).toBeDefined();
    const header = (name: string) =>
      email?.headers?.find((entry) => entry.name.toLowerCase() === name.toLowerCase())?.value;
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const listUnsubscribe = header('List-Unsubscribe') ?? '';
    expect(listUnsubscribe).toMatch(/^<https?:\/\/[^>]+\/api\/unsubscribe\?token=[^>]+&mailout=[^>]+>$/);
    expect(email?.body.html).toContain('href="https://example.org/report"');
    expect(email?.body.html).toMatch(/<h1[^>]*>Update<\/h1>/);
    expect(email?.body.html).not.toContain('example.org/old');
    expect(email?.body.text).not.toContain('First draft');
    expect(email?.body.html).not.toContain('<script>');
    expect(email?.body.text).toContain('https://example.org/report');
    expect(linkIn(email?.body.text ?? '', '/preferences.html?token=')).toBeTruthy();
    expect(linkIn(email?.body.text ?? '', '/api/unsubscribe?token=')).toBeTruthy();

    const oneClick = await api('POST', pathOf(listUnsubscribe.slice(1, -1)), {
      rawBody: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status, oneClick.text).toBe(200);
    await busIdle();
    const preferences = await api(
      'GET',
      `/api/preferences?token=${new URL(member.preferencesUrl).searchParams.get('token')}`,
    );
    expect((preferences.json() as { member: { newsletter: boolean } }).member.newsletter).toBe(false);
    expect(
      (await waitForMailout(created.id, 'unsubscribe counted', (view) => view.unsubscribes === 1))
        .unsubscribes,
    ).toBe(1);
  });

  it('a test send goes to the given addresses, marked as a test, and counts nowhere', async () => {
    const segment: Segment = {
      network: 'smart-city-alliance',
      organisationType: 'local-authority',
      interest: 'health',
    };
    const subject = `Preview ${randomUUID()}`;
    const created = await draft(subject, segment);
    const to = [uniqueEmail('editor'), uniqueEmail('director')];
    const response = await staffCall('POST', `/api/mailouts/${created.id}/test`, { to });
    expect(response.status, response.text).toBe(202);
    for (const address of to) {
      const [email] = await waitForEmails(address, 1);
      expect(email?.subject).toBe(`[TEST] ${subject}`);
    }
    const view = await mailout(created.id);
    expect(view.state).toBe('draft');
    expect(view.sent).toBe(0);
  });
});

describe('honest opens and resending', () => {
  it('a privacy-proxy prefetch counts as a machine open; a real open and a click count as one reader', async () => {
    const segment: Segment = {
      network: 'smart-city-alliance',
      organisationType: 'business',
      interest: 'skills',
    };
    const [reader, prefetched] = await seedMembers(2, segment);
    const subject = `Opens ${randomUUID()}`;
    const created = await draft(subject, segment);
    await staffCall('POST', `/api/mailouts/${created.id}/send`);
    await waitForMailout(created.id, 'delivered', (view) => view.state === 'sent' && view.delivered === 2);
    const records = await deliveryRecords(created.id);
    const recordOf = (memberId?: string) => records.find((record) => record.memberId === memberId) ?? {};
    const deliveredAt = (memberId?: string) => new Date(String(recordOf(memberId).deliveredAt)).getTime();
    const messageId = (memberId?: string) => String(recordOf(memberId).messageId);
    const at = (memberId: string | undefined, seconds: number) =>
      new Date(deliveredAt(memberId) + seconds * 1000).toISOString();
    const appleProxy = 'Mozilla/5.0';
    const browser =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
    await injectSesEvents([
      {
        eventType: 'Open',
        mail: { messageId: messageId(prefetched?.memberId) },
        open: { timestamp: at(prefetched?.memberId, 2), userAgent: appleProxy, ipAddress: '17.58.0.1' },
      },
      {
        eventType: 'Open',
        mail: { messageId: messageId(reader?.memberId) },
        open: { timestamp: at(reader?.memberId, 3), userAgent: appleProxy, ipAddress: '17.58.0.2' },
      },
      {
        eventType: 'Open',
        mail: { messageId: messageId(reader?.memberId) },
        open: { timestamp: at(reader?.memberId, 600), userAgent: browser, ipAddress: '198.51.100.7' },
      },
      {
        eventType: 'Click',
        mail: { messageId: messageId(reader?.memberId) },
        click: {
          timestamp: at(reader?.memberId, 620),
          userAgent: browser,
          ipAddress: '198.51.100.7',
          link: 'https://example.org/report',
        },
      },
    ]);
    const view = await waitForMailout(
      created.id,
      'opens counted',
      (current) => current.opens.machine === 2 && current.opens.human === 1 && current.clicks === 1,
    );
    expect(view.opens).toEqual({ human: 1, machine: 2 });
    expect(view.uniqueReaders).toBe(1);
    expect(view.clicks).toBe(1);
    // The counters keep the same figures for the yearly evidence, by mail-out and in all.
    const year = londonMonth().slice(0, 4);
    const counted = (metric: string) => counter(metric, `mailout=${created.id}`, 'year', year);
    // Each figure is counted from its own event, in whatever order the bus delivers them.
    const figures = async () => ({
      readers: await counted('mailouts.readers'),
      sent: await counted('mailouts.emails.sent'),
      delivered: await counted('mailouts.emails.delivered'),
      clicks: await counted('mailouts.clicks'),
    });
    await expect.poll(figures, { timeout: 15_000 }).toEqual({ readers: 1, sent: 2, delivered: 2, clicks: 1 });
  });

  it('resend to undelivered goes to exactly the recipients whose e-mail failed', async () => {
    const segment: Segment = {
      network: 'smart-city-alliance',
      organisationType: 'university',
      interest: 'energy',
    };
    const members = await seedMembers(12, segment);
    const subject = `Resend ${randomUUID()}`;
    const created = await draft(subject, segment);
    await sesFaults({ rejectShare: 0.4 });
    await staffCall('POST', `/api/mailouts/${created.id}/send`);
    const done = await waitForMailout(created.id, 'sent', finished);
    await sesFaults({ rejectShare: 0 });
    expect(done.failed).toBeGreaterThan(0);
    expect(done.sent + done.failed).toBe(12);
    const failed = (await deliveryRecords(created.id))
      .filter((record) => record.state === 'failed')
      .map((record) => String(record.email).toLowerCase())
      .sort();
    expect(failed).toHaveLength(done.failed);

    const followUp = await staffCall('POST', `/api/mailouts/${created.id}/resend-undelivered`);
    expect(followUp.status, followUp.text).toBe(201);
    const followUpId = (followUp.json() as { id: string }).id;
    await staffCall('POST', `/api/mailouts/${followUpId}/send`);
    const second = await waitForMailout(followUpId, 'sent', finished);
    expect(second.sent).toBe(failed.length);
    const received = await mailoutEmailsByRecipient(subject);
    for (const member of members) {
      expect(received.get(member.email.toLowerCase()), member.email).toHaveLength(1);
    }
  });
});

describe('pausing and resuming', () => {
  it('a mail-out resumed right after a pause carries on at once, not after the paused run’s lease lapses', async () => {
    const segment: Segment = {
      network: 'working-groups',
      organisationType: 'voluntary',
      interest: 'mobility',
    };
    await seedMembers(5, segment);
    const faults = (await (await api('GET', '/_local/ses/faults')).json()) as { maxSendRate?: number };
    // About one send a second: slow enough to pause in the middle, while a run holds its lease.
    await sesFaults({ maxSendRate: 1.5 });
    try {
      const created = await draft(`Pause and resume ${randomUUID()}`, segment);
      expect((await staffCall('POST', `/api/mailouts/${created.id}/send`)).status).toBe(202);
      await waitForMailout(created.id, 'under way', (view) => view.sent >= 1, 20_000);
      expect((await staffCall('POST', `/api/mailouts/${created.id}/pause`)).status).toBe(200);
      const paused = await waitForMailout(created.id, 'paused', (view) => view.state === 'paused');
      expect((await staffCall('POST', `/api/mailouts/${created.id}/resume`)).status).toBe(200);
      // The paused run's lease (20 s) would otherwise make the new run wait for it, then for the queue.
      await waitForMailout(created.id, 'sending again', (view) => view.sent > paused.sent, 8_000);
      await waitForMailout(created.id, 'finished', finished, 30_000);
    } finally {
      await sesFaults({ maxSendRate: faults.maxSendRate ?? 14 });
    }
  });
});

describe('a large body while it sends', () => {
  it('a 150 KB body goes out to everyone while the mail-out’s header, written for each recipient, stays small', async () => {
    const segment: Segment = {
      network: 'working-groups',
      organisationType: 'university',
      interest: 'energy',
    };
    const members = await seedMembers(2, segment);
    const subject = `Large body ${randomUUID()}`;
    const marker = `End ${randomUUID()}`;
    const markdown = largeVariedMarkdown(marker);
    expect(Buffer.byteLength(markdown)).toBeGreaterThan(145 * 1024);
    const created = await draft(subject, segment, markdown);
    expect(created).toMatchObject({ markdown });

    expect((await staffCall('POST', `/api/mailouts/${created.id}/send`)).status).toBe(202);
    await waitForMailout(created.id, 'sent', finished);

    const header = await storedMailout(created.id);
    expect(header).not.toHaveProperty('markdown');
    expect(header).not.toHaveProperty('renderedBody');
    expect(JSON.stringify(header).length).toBeLessThan(4096);
    const content = await storedMailoutContent(created.id);
    expect(content?.markdown).toBe(markdown);
    expect(content?.renderedBody).toBeInstanceOf(Uint8Array);
    expect(content).not.toHaveProperty('listPk');
    expect(content).not.toHaveProperty('duePk');
    expect((await staffCall('GET', `/api/mailouts/${created.id}`)).json()).toMatchObject({ markdown });

    const received = await mailoutEmailsByRecipient(subject);
    for (const member of members) {
      const [email] = received.get(member.email.toLowerCase()) ?? [];
      expect(email?.body.html).toMatch(/<h2[^>]*>Section 0<\/h2>/);
      expect(email?.body.html).toContain(marker);
      expect(email?.body.text).toContain(marker);
    }
    // The list answers from the headers alone.
    const listed = (await staffCall('GET', '/api/mailouts?limit=100')).json() as {
      mailouts: Array<{ id: string }>;
    };
    const summary = listed.mailouts.find((entry) => entry.id === created.id);
    expect(summary).toMatchObject({ id: created.id, subject, state: 'sent' });
    expect(summary).not.toHaveProperty('markdown');
  });
});

describe('mail-outs saved before bodies were stored', () => {
  const segment: Segment = { network: 'working-groups', organisationType: 'university', interest: 'health' };
  const markdown = '## Still here\n\nRead [the minutes](https://example.org/minutes).';

  it('read as before; a test send asks staff to save the draft again, and works once they have', async () => {
    const subject = `Legacy test ${randomUUID()}`;
    const created = await draft(subject, segment, markdown);
    const shown = await mailout(created.id);
    await forgetRenderedBody(created.id);
    expect(await mailout(created.id)).toEqual(shown);

    const [first, second] = [uniqueEmail('legacy-editor'), uniqueEmail('legacy-editor')];
    const refused = await staffCall('POST', `/api/mailouts/${created.id}/test`, { to: [first] });
    expect(refused.status, refused.text).toBe(409);
    expect((refused.json() as { error: { message: string } }).error.message).toMatch(/Save the draft again/);

    expect((await staffCall('PATCH', `/api/mailouts/${created.id}`, { preheader: 'Minutes' })).status).toBe(
      200,
    );
    // Saving it again moved the Markdown, now with its body, off the header into the content item.
    expect(await storedMailout(created.id)).not.toHaveProperty('markdown');
    expect(await storedMailoutContent(created.id)).toMatchObject({ markdown });
    const sent = await staffCall('POST', `/api/mailouts/${created.id}/test`, { to: [second] });
    expect(sent.status, sent.text).toBe(202);
    const [email] = await waitForEmails(second, 1);
    expect(email?.subject).toBe(`[TEST] ${subject}`);
    expect(email?.body.html).toMatch(/<h2[^>]*>Still here<\/h2>/);
    expect(email?.body.text).toContain('the minutes (https://example.org/minutes)');
  });

  it('a draft is rendered when it is sent', async () => {
    const [member] = await seedMembers(1, segment);
    const subject = `Legacy send ${randomUUID()}`;
    const created = await draft(subject, segment, markdown);
    await forgetRenderedBody(created.id);
    const started = await staffCall('POST', `/api/mailouts/${created.id}/send`);
    expect(started.status, started.text).toBe(202);
    await waitForMailout(created.id, 'sent', finished);
    const [email] = (await mailoutEmailsByRecipient(subject)).get(member?.email.toLowerCase() ?? '') ?? [];
    expect(email?.body.html).toMatch(/<h2[^>]*>Still here<\/h2>/);
    expect(email?.body.html).toContain('href="https://example.org/minutes"');
  });

  it('one already sending pauses itself saying why; resuming renders the body and sends it', async () => {
    const [member] = await seedMembers(1, segment);
    const subject = `Legacy sending ${randomUUID()}`;
    const created = await draft(subject, segment, markdown);
    await forgetRenderedBody(created.id);
    // Started as the version before this one did: no body written with the state change.
    const { getMailoutWithContent, startDispatch } = await mailoutActions();
    const legacy = await getMailoutWithContent(created.id);
    expect(legacy?.content).toEqual({ markdown, onHeader: true });
    await startDispatch(legacy?.mailout as NonNullable<typeof legacy>['mailout']);

    const paused = await waitForMailout(created.id, 'paused', (view) => view.state === 'paused');
    expect(paused.pausedReason).toBe('body-not-rendered');
    expect(paused.sent).toBe(0);
    // Staff are told why, and what to do.
    const notice = await waitFor('the staff notice of the pause', async () =>
      (await emailsTo(config.mail.staffAddress)).find(
        (email) => email.subject === `Mail-out paused: ${subject}`,
      ),
    );
    expect(notice.body.text).toContain('saved by an earlier version');
    expect(notice.body.text).toContain('resume it, which renders the body again');
    const resumed = await staffCall('POST', `/api/mailouts/${created.id}/resume`);
    expect(resumed.status, resumed.text).toBe(200);
    await waitForMailout(created.id, 'sent', finished);
    const received = (await mailoutEmailsByRecipient(subject)).get(member?.email.toLowerCase() ?? '') ?? [];
    expect(received).toHaveLength(1);
    expect(received[0]?.body.html).toMatch(/<h2[^>]*>Still here<\/h2>/);
  });

  it('one saved with its body on the header has it moved off the header when it is sent, and sends it', async () => {
    const [member] = await seedMembers(1, segment);
    const subject = `Body on header sent ${randomUUID()}`;
    const created = await draft(subject, segment, markdown);
    const rendered = (await storedMailoutContent(created.id))?.renderedBody;
    await keepContentOnHeader(created.id, { body: true });
    expect(await storedMailout(created.id)).toMatchObject({ markdown });
    const started = await staffCall('POST', `/api/mailouts/${created.id}/send`);
    expect(started.status, started.text).toBe(202);
    expect(started.json()).toMatchObject({ markdown });
    expect(await storedMailout(created.id)).not.toHaveProperty('markdown');
    expect(await storedMailout(created.id)).not.toHaveProperty('renderedBody');
    expect(await storedMailoutContent(created.id)).toMatchObject({ markdown, renderedBody: rendered });
    await waitForMailout(created.id, 'sent', finished);
    const [email] = (await mailoutEmailsByRecipient(subject)).get(member?.email.toLowerCase() ?? '') ?? [];
    expect(email?.body.html).toMatch(/<h2[^>]*>Still here<\/h2>/);
  });

  it('one saved with its body on the header reads and tests as before; new Markdown moves the content off the header', async () => {
    const subject = `Body on header ${randomUUID()}`;
    const created = await draft(subject, segment, markdown);
    const shown = await mailout(created.id);
    await keepContentOnHeader(created.id, { body: true });
    expect(await storedMailoutContent(created.id)).toBeUndefined();
    expect(await mailout(created.id)).toEqual(shown);
    const tester = uniqueEmail('header-body');
    expect((await staffCall('POST', `/api/mailouts/${created.id}/test`, { to: [tester] })).status).toBe(202);
    const [test] = await waitForEmails(tester, 1);
    expect(test?.body.html).toMatch(/<h2[^>]*>Still here<\/h2>/);

    const changed = await staffCall('PATCH', `/api/mailouts/${created.id}`, { markdown: '## Moved on' });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json()).toMatchObject({ markdown: '## Moved on' });
    const header = await storedMailout(created.id);
    expect(header).not.toHaveProperty('markdown');
    expect(header).not.toHaveProperty('renderedBody');
    expect(await storedMailoutContent(created.id)).toMatchObject({ markdown: '## Moved on' });
    expect((await mailout(created.id)) as unknown).toMatchObject({ markdown: '## Moved on' });
  });
});
