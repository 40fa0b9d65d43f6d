/**
 * Delivery guarantees, on the real local runtime: the outbox relay, the subscription queues
 * (partial batch failures, redrive to the dead-letter list, maximum concurrency).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { defaultMaxReceiveCount, subscriptions } from '../../infra/catalogue';
import { api, confirmedMember, emailsTo, registration, uniqueEmail, waitFor, waitForEmails } from './helpers';

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

/** Starts `npm start` as a separate process on ports of its own, on the given data folder. */
async function startOwnRuntime(portBase: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    env: {
      ...process.env,
      PORT: String(portBase),
      DYNAMODB_PORT: String(portBase + 1),
      SES_PORT: String(portBase + 2),
      BUS_PORT: String(portBase + 3),
      DATA_DIR: dataDir,
      QUIET: '1',
      BUS_TIME_SCALE: '0.02',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start:\n${output}`)), 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('backend is running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited (${code}):\n${output}`));
    });
  });
  child.stdout?.resume();
  return child;
}

/** Kills the whole process group at once (no clean shutdown): what a crash looks like. */
async function crash(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGKILL');
  await exited;
}

describe('a crash between the transaction and publishing', () => {
  it('after a restart the event is published and the e-mail goes out exactly once', async () => {
    const portBase = Number(new URL(inject('baseUrl')).port) + 50;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'alliance-crash-'));
    const local = (pathAndQuery: string, init?: RequestInit) =>
      fetch(`http://127.0.0.1:${portBase}${pathAndQuery}`, {
        ...init,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      });
    const mailTo = async (address: string) =>
      (
        (await (await fetch(`http://127.0.0.1:${portBase + 2}/store`)).json()) as {
          emails: Array<{ destination: { to: string[] }; subject: string }>;
        }
      ).emails.filter((mail) => mail.destination.to.includes(address));
    let runtime = await startOwnRuntime(portBase, dataDir);
    try {
      await local('/_local/relay', { method: 'POST', body: JSON.stringify({ paused: true }) });
      const body = registration({ email: uniqueEmail('crash') });
      expect((await local('/api/members', { method: 'POST', body: JSON.stringify(body) })).status).toBe(202);
      await crash(runtime);

      runtime = await startOwnRuntime(portBase, dataDir);

      await waitFor(
        'the confirmation e-mail after the restart',
        async () => (await mailTo(body.email)).length > 0,
      );
      await local('/_local/bus/idle');
      expect((await mailTo(body.email)).map((mail) => mail.subject)).toHaveLength(1);
      // A second restart replays nothing already published.
      await crash(runtime);
      runtime = await startOwnRuntime(portBase, dataDir);
      await local('/_local/bus/idle');
      // The mail emulator starts empty with each run: nothing was sent again.
      expect(await mailTo(body.email)).toHaveLength(0);
    } finally {
      await crash(runtime);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
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
