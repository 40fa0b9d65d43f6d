import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { api, emailsTo, waitFor } from './helpers';
import {
  busIdle,
  deliveryRecords,
  draft,
  mailoutEmailsByRecipient,
  type Segment,
  seedMembers,
  sesFaults,
  staffCall,
  waitForMailout,
} from './mailout-helpers';

afterEach(async () => {
  await sesFaults({ throttleShare: 0, rejectShare: 0, maxSendRate: 14 });
  await api('DELETE', '/_local/faults/crash');
});

describe('a mail-out reaches everyone exactly once', () => {
  it('with a tenth of sends throttled and the dispatcher dying mid-run, every recipient gets exactly one e-mail', async () => {
    const segment: Segment = {
      network: 'working-groups',
      organisationType: 'business',
      interest: 'mobility',
    };
    const members = await seedMembers(80, segment);
    const subject = `Exactly once ${randomUUID()}`;
    const created = await draft(subject, segment);
    await sesFaults({ throttleShare: 0.1, maxSendRate: 40 });
    const crash = await api('POST', '/_local/faults/crash', {
      // 80 snapshot writes and a checkpoint or two come first: this lands among the sends.
      body: { function: 'mailouts-dispatch-mailout', afterWrites: 120 },
    });
    expect(crash.status, crash.text).toBe(200);

    await staffCall('POST', `/api/mailouts/${created.id}/send`);
    // A send the dying run had in hand stays queued until SES's Send event settles it, or the grace
    // period (mail.unsettledSendGraceSeconds) passes without one and it is sent again.
    const done = await waitForMailout(created.id, 'sent', (view) => view.state === 'sent', 140_000);
    expect(done.audienceSize).toBe(80);
    expect(done.sent).toBe(80);
    expect(done.failed).toBe(0);
    const faults = (await api('GET', '/_local/faults/crash')).json() as { crashed: number };
    expect(faults.crashed, 'the dispatcher was stopped mid-run').toBeGreaterThan(0);
    const stats = (await api('GET', '/_local/ses/faults')).json() as { throttled: number };
    expect(stats.throttled, 'some sends were throttled').toBeGreaterThan(0);

    const received = await mailoutEmailsByRecipient(subject);
    for (const member of members)
      expect(received.get(member.email.toLowerCase()), member.email).toHaveLength(1);
    const states = new Set((await deliveryRecords(created.id)).map((record) => record.state));
    expect([...states].every((state) => state === 'sent' || state === 'delivered')).toBe(true);
  }, 150_000);
});

describe('a mail-out that bounces too much pauses itself', () => {
  it('pauses at the bounce threshold and tells staff; resume carries on, cancel stops it for good', async () => {
    const segment: Segment = { network: 'working-groups', organisationType: 'sme', interest: 'data' };
    const tag = randomUUID().slice(0, 8);
    // Member ids in order: the six bouncing addresses come first, so the rate is over 2% by the 200th send.
    const members = await seedMembers(
      400,
      segment,
      (index) =>
        index < 6
          ? `bounce+${tag}-${index}@simulator.amazonses.com`
          : `success+${tag}-${index}@simulator.amazonses.com`,
      (index) =>
        `${index.toString(16).padStart(8, '0')}-${tag.slice(0, 4)}-4000-8000-${randomUUID().slice(-12)}`,
    );
    await sesFaults({ maxSendRate: 100 });
    const subject = `Bouncy ${tag}`;
    const created = await draft(subject, segment);
    await staffCall('POST', `/api/mailouts/${created.id}/send`);
    // Patient: under the chaos bus (every event twice, shuffled) on a busy 2-core machine, 200 sends
    // and their SES events have taken over a minute. How fast it goes is the benchmarks' business.
    const paused = await waitForMailout(created.id, 'paused', (view) => view.state === 'paused', 120_000);
    expect(paused.pausedReason).toBe('bounce-rate');
    expect(paused.sent).toBeGreaterThanOrEqual(200);
    expect(paused.sent).toBeLessThan(400);
    // Other mail-outs' notices may be in the staff mailbox already: wait for this one's.
    const notice = await waitFor(
      'the staff notice of this pause',
      async () => (await emailsTo('staff@example.org')).find((email) => email.subject.includes(subject)),
      20_000,
    );
    expect(notice.body.text).toContain('bounce');

    // Slower after the resume, so staff can cancel while it is still going.
    await sesFaults({ maxSendRate: 14 });
    const resumed = await staffCall('POST', `/api/mailouts/${created.id}/resume`);
    expect(resumed.status, resumed.text).toBe(200);
    expect((resumed.json() as { state: string }).state).toBe('sending');
    await waitForMailout(created.id, 'more sent', (view) => view.sent > paused.sent, 30_000);
    const cancelled = await staffCall('POST', `/api/mailouts/${created.id}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(200);
    const atCancel = cancelled.json() as { state: string };
    expect(atCancel.state).toBe('cancelled');
    await busIdle();
    const records = await deliveryRecords(created.id);
    const sentRecords = records.filter((record) => !['pending', 'skipped'].includes(String(record.state)));
    const received = await mailoutEmailsByRecipient(subject);
    const total = [...received.values()].reduce((sum, emails) => sum + emails.length, 0);
    expect(total).toBe(sentRecords.length);
    expect(total).toBeLessThan(members.length);
    expect((await staffCall('POST', `/api/mailouts/${created.id}/resume`)).status).toBe(409);
  }, 180_000);
});
