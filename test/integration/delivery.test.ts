/**
 * Delivery guarantees, on the real local runtime: the outbox relay, the subscription queues
 * (partial batch failures, redrive to the dead-letter list, maximum concurrency).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultMaxReceiveCount, subscriptions } from '../../infra/catalogue';
import { api, confirmedMember, emailsTo, registration, waitFor, waitForEmails } from './helpers';

interface DeadLetter {
  rule: string;
  attempts: number;
  error: string;
  event: { 'detail-type': string; detail: { eventId?: string } };
}

const deadLetters = async () =>
  ((await api('GET', '/_local/dead-letters')).json() as { deadLetters: DeadLetter[] }).deadLetters;

const linkRequested = (memberId: string, eventId = randomUUID()) => ({
  Source: 'alliance.members',
  DetailType: 'MemberLinkRequested',
  EventBusName: 'alliance',
  Detail: JSON.stringify({
    eventId,
    occurredAt: new Date().toISOString(),
    memberId,
    memberStatus: 'confirmed',
  }),
});

describe('the outbox: a stored change always gets its events, once', () => {
  it('a registration stored while the relay is down is announced when it comes back, and mailed once', async () => {
    const paused = await api('POST', '/_local/relay', { body: { paused: true } });
    expect(paused.status).toBe(200);
    const body = registration();
    try {
      expect((await api('POST', '/api/members', { body })).status).toBe(202);
      // The member is stored (the transaction committed) but nothing has reached the bus.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await emailsTo(body.email)).toHaveLength(0);
    } finally {
      await api('POST', '/_local/relay', { body: { paused: false } });
    }

    const [confirmation] = await waitForEmails(body.email, 1);
    expect(confirmation?.subject).toMatch(/confirm/i);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(body.email)).toHaveLength(1);
  });
});

describe('subscription queues', () => {
  it('a record that fails comes back alone, and after the receive limit lands in the dead-letter list', async () => {
    const member = await confirmedMember();
    const mailsBefore = (await emailsTo(member.email)).length;
    const poisonId = randomUUID();
    const poison = { ...linkRequested('not-a-member-id', poisonId) };

    const put = await api('POST', '/_local/events', {
      body: { Entries: [linkRequested(member.memberId), poison] },
    });

    expect(put.status).toBe(200);
    // The good record of the batch is handled once; only the bad one keeps coming back.
    await waitForEmails(member.email, mailsBefore + 1);
    const letter = await waitFor(
      'the bad record in the dead-letter list',
      async () =>
        (await deadLetters()).find(
          (candidate) =>
            candidate.rule === 'send-registration-email' && candidate.event.detail.eventId === poisonId,
        ),
      30_000,
    );
    const registrationMail = subscriptions.find((entry) => entry.name === 'send-registration-email');
    expect(letter.attempts).toBe(registrationMail?.queue.maxReceiveCount ?? defaultMaxReceiveCount);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(member.email)).toHaveLength(mailsBefore + 1);
    // Clean up what this test planted, so the suite's no-dead-letters check judges everything else.
    expect((await api('DELETE', `/_local/dead-letters?eventId=${poisonId}`)).status).toBe(200);
    expect((await deadLetters()).filter((candidate) => candidate.event.detail.eventId === poisonId)).toEqual(
      [],
    );
  }, 60_000);

  it('no subscription ever has more invocations in hand than its declared maximum concurrency', async () => {
    // A burst: 60 requests for links for people who are not members (quick to handle, all queued at once).
    for (let start = 0; start < 60; start += 10) {
      await api('POST', '/_local/events', {
        body: { Entries: Array.from({ length: 10 }, () => linkRequested(randomUUID())) },
      });
    }
    await api('GET', '/_local/bus/idle');

    const { subscriptions: stats } = (await api('GET', '/_local/bus/stats')).json() as {
      subscriptions: Record<string, { peakConcurrency: number; invocations: number }>;
    };
    for (const subscription of subscriptions) {
      const measured = stats[subscription.name];
      expect(measured, subscription.name).toBeDefined();
      expect(measured?.peakConcurrency ?? 0, subscription.name).toBeLessThanOrEqual(
        subscription.queue.maxConcurrency,
      );
    }
    expect(stats['send-registration-email']?.invocations ?? 0).toBeGreaterThan(0);
  });
});

describe('long staff requests', () => {
  it('recording 1,000 attendees answers with every one recorded, and a repeat records nobody twice', async () => {
    const { bearerToken, createActivity } = await import('./helpers');
    const activity = await createActivity({
      startsAt: '2025-03-01T10:00:00.000Z',
      endsAt: '2025-03-01T12:00:00.000Z',
    });
    const attendees = Array.from({ length: 1000 }, (_, index) => ({
      email: `guest-${index}-${randomUUID().slice(0, 6)}@example.org`,
      name: `Guest ${index}`,
    }));
    const token = await bearerToken(['staff']);

    const first = await api('POST', `/api/activities/${activity.id}/attendance`, {
      token,
      body: { attendees },
    });
    const again = await api('POST', `/api/activities/${activity.id}/attendance`, {
      token,
      body: { attendees: attendees.slice(0, 300) },
    });

    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({ recorded: 1000, alreadyRecorded: 0 });
    expect(again.json()).toMatchObject({ recorded: 0, alreadyRecorded: 300 });
  }, 60_000);
});
