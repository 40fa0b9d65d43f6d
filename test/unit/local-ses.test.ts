/**
 * The local SES endpoint, called by the real `@aws-sdk/client-sesv2` client: GetAccount's quota,
 * SendEmail forwarded to a stand-in for the emulator, SES's own events for each accepted message on a
 * real local bus (which checks them against the alliance's SES event schema), the mailbox simulator,
 * the fault mode as the SDK sees it, injected events and the remembered messages.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalBus } from '../../infra/local/bus';
import type { PutEventsEntry } from '../../infra/local/put-events';
import { SesEndpoint } from '../../infra/local/ses-endpoint';
import { SesFaults } from '../../infra/local/ses-faults';
import { readSendEmail } from '../../infra/local/ses-mail';
import { MessageMemory } from '../../infra/local/ses-messages';
import { planEvents, simulatorMailbox } from '../../infra/local/ses-simulator';
import { sesDetailTypes } from '../../shared/ses-events';

const context = { region: 'eu-west-2', account: '000000000000' };
const dir = mkdtempSync(path.join(tmpdir(), 'alliance-local-ses-'));

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const readJson = async (request: IncomingMessage) => {
  let text = '';
  for await (const chunk of request) text += chunk;
  return JSON.parse(text || '{}') as Record<string, unknown>;
};

// A stand-in for aws-ses-v2-local: stores what it is sent, answers with its own message id.
const emulated: Array<Record<string, unknown>> = [];
const emulator = createServer((request, response) => {
  void readJson(request).then((body) => {
    emulated.push(body);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ MessageId: `ses-${emulated.length}` }));
  });
});

// The real local bus (no subscriptions); every entry that reaches it is kept with the bus's verdict.
const bus = new LocalBus([], {
  busName: 'alliance',
  account: context.account,
  region: context.region,
  archiveFile: path.join(dir, 'archive.jsonl'),
  archiveSourcePrefix: 'alliance.',
});
const published: Array<{ entry: PutEventsEntry; result: Record<string, string>; answersSent: number }> = [];
/** SES API answers fully written so far. */
let answersSent = 0;
let endpoint: SesEndpoint;
let client: SESv2Client;
const endpointServer = createServer((request, response) => {
  response.on('finish', () => answersSent++);
  void endpoint.handleHttp(request, response);
});

beforeAll(async () => {
  const emulatorUrl = await listen(emulator);
  endpoint = new SesEndpoint({
    ...context,
    emulatorUrl,
    busName: 'alliance',
    bus: {
      putEvents: (entries) => {
        const result = bus.putEvents(entries);
        entries.forEach((entry, index) => {
          published.push({ entry, result: result.Entries[index] ?? {}, answersSent });
        });
        return result;
      },
    },
    messagesFile: path.join(dir, 'ses-messages.jsonl'),
    outcomeDelayMs: 5,
  });
  client = new SESv2Client({
    endpoint: await listen(endpointServer),
    region: context.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterEach(async () => {
  endpoint.faults.reset();
  await endpoint.settled();
  published.length = 0;
  emulated.length = 0;
});

afterAll(() => {
  endpoint.stop();
  bus.stop();
  emulator.close();
  endpointServer.close();
});

const send = (to: string, tags: Record<string, string> = {}) =>
  client.send(
    new SendEmailCommand({
      FromEmailAddress: '"Alliance" <hello@alliance.example>',
      Destination: { ToAddresses: [to] },
      ConfigurationSetName: 'alliance',
      EmailTags: Object.entries(tags).map(([Name, Value]) => ({ Name, Value })),
      Content: {
        Simple: {
          Subject: { Data: 'Autumn update' },
          Body: { Text: { Data: 'Hello' }, Html: { Data: '<p>Hello</p>' } },
          Headers: [{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' }],
        },
      },
    }),
  );

/** The events published for a message, once everything due has been published. */
async function eventsFor(messageId: string | undefined) {
  await endpoint.settled();
  return published
    .map(({ entry, result }) => ({ entry, result, detail: JSON.parse(entry.Detail ?? '{}') }))
    .filter(({ detail }) => detail.mail?.messageId === messageId);
}

describe('GetAccount', () => {
  it("answers SES's shape with the send quota, MaxSendRate settable through the fault control", async () => {
    const account = await client.send(new GetAccountCommand({}));
    expect(account).toMatchObject({
      SendingEnabled: true,
      ProductionAccessEnabled: true,
      SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: expect.any(Number) },
    });
    await endpoint.control({ method: 'POST', path: '/_local/ses/faults', body: { maxSendRate: 40 } });
    const before = (await client.send(new GetAccountCommand({}))).SendQuota;
    expect(before?.MaxSendRate).toBe(40);
    await send('someone@example.org');
    expect((await client.send(new GetAccountCommand({}))).SendQuota?.SentLast24Hours).toBe(
      (before?.SentLast24Hours ?? 0) + 1,
    );
  });
});

describe('SendEmail', () => {
  it('forwards to the emulator, answers its own SES message id, then publishes Send and Delivery', async () => {
    const answer = await send('member@example.org', { category: 'mailout', mailout: 'm1', member: 'u1' });
    expect(answer.MessageId).toMatch(/^0102[0-9a-f]{12}-[0-9a-f-]{36}-000000$/);
    expect(emulated).toHaveLength(1);
    const content = emulated[0]?.Content as
      | { Simple?: { Headers?: Array<{ Name: string; Value: string }> } }
      | undefined;
    const headers = content?.Simple?.Headers;
    expect(headers).toContainEqual({
      Name: 'Message-ID',
      Value: `<${answer.MessageId}@eu-west-2.amazonses.com>`,
    });

    const events = await eventsFor(answer.MessageId);
    expect(events.map(({ entry }) => entry.DetailType)).toEqual([
      sesDetailTypes.Send,
      sesDetailTypes.Delivery,
    ]);
    for (const { entry, result } of events) {
      expect(result.EventId).toBeDefined();
      expect(entry).toMatchObject({
        Source: 'aws.ses',
        Resources: ['arn:aws:ses:eu-west-2:000000000000:configuration-set/alliance'],
      });
    }
    const [sent, delivered] = events.map(({ detail }) => detail);
    expect(sent).toMatchObject({ eventType: 'Send', send: {} });
    expect(delivered).toMatchObject({
      eventType: 'Delivery',
      mail: {
        messageId: answer.MessageId,
        source: '"Alliance" <hello@alliance.example>',
        sendingAccountId: '000000000000',
        destination: ['member@example.org'],
        headersTruncated: false,
        commonHeaders: { subject: 'Autumn update', to: ['member@example.org'] },
        tags: {
          category: ['mailout'],
          mailout: ['m1'],
          member: ['u1'],
          'ses:configuration-set': ['alliance'],
        },
      },
      delivery: {
        recipients: ['member@example.org'],
        smtpResponse: expect.stringMatching(/^250/),
        processingTimeMillis: expect.any(Number),
      },
    });
    expect(Date.parse(delivered.delivery.timestamp)).toBeGreaterThanOrEqual(
      Date.parse(delivered.mail.timestamp),
    );
  });

  it('publishes nothing while the request is in hand: every event follows the answer', async () => {
    const before = answersSent;
    const answer = await send('quick@example.org');
    const events = await eventsFor(answer.MessageId);
    expect(events.length).toBe(2);
    for (const { entry } of events) {
      const seen = published.find((item) => item.entry === entry);
      expect(seen?.answersSent).toBeGreaterThan(before);
    }
  });

  it.each([
    ['success@simulator.amazonses.com', ['Send', 'Delivery']],
    ['ooto+label@simulator.amazonses.com', ['Send', 'Delivery']],
    ['bounce+7@simulator.amazonses.com', ['Send', 'Bounce']],
    ['complaint@simulator.amazonses.com', ['Send', 'Delivery', 'Complaint']],
    ['suppressionlist@simulator.amazonses.com', ['Send', 'Bounce']],
  ])('the mailbox simulator: %s gives %j, and the e-mail is stored', async (address, types) => {
    const answer = await send(address);
    expect(emulated).toHaveLength(1);
    const events = await eventsFor(answer.MessageId);
    expect(events.map(({ detail }) => detail.eventType)).toEqual(types);
    expect(events.every(({ result }) => result.EventId)).toBe(true);
    const bounce = events.find(({ detail }) => detail.eventType === 'Bounce')?.detail.bounce;
    if (address.startsWith('bounce')) {
      expect(bounce).toMatchObject({
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: address }],
        feedbackId: expect.any(String),
      });
    }
    if (address.startsWith('suppressionlist')) {
      expect(bounce).toMatchObject({ bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList' });
    }
    const complaint = events.find(({ detail }) => detail.eventType === 'Complaint')?.detail.complaint;
    if (address.startsWith('complaint')) {
      expect(complaint).toMatchObject({
        complainedRecipients: [{ emailAddress: address }],
        complaintFeedbackType: 'abuse',
        feedbackId: expect.any(String),
      });
    }
  });
});

describe('the fault mode, as the SDK sees it', () => {
  it('a throttled send is a TooManyRequestsException (HTTP 429), retried by the SDK, and reaches nothing', async () => {
    await endpoint.control({ method: 'POST', path: '/_local/ses/faults', body: { throttleShare: 1 } });
    const error = await send('throttled@example.org').catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429, attempts: 3 },
    });
    expect(emulated).toHaveLength(0);
    await endpoint.settled();
    expect(published).toHaveLength(0);
    const view = await endpoint.control({ method: 'GET', path: '/_local/ses/faults', body: undefined });
    expect(view?.body).toMatchObject({ throttleShare: 1, throttled: 3, accepted: 0 });
  });

  it('a rejected send is MessageRejected (HTTP 400), not retried, and reaches nothing', async () => {
    await endpoint.control({ method: 'POST', path: '/_local/ses/faults', body: { rejectShare: 1 } });
    const error = await send('rejected@example.org').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'MessageRejected', $metadata: { httpStatusCode: 400 } });
    expect(emulated).toHaveLength(0);
    expect(endpoint.faults.counts).toMatchObject({ rejected: 1, accepted: 0 });
  });

  it('refuses bad settings and changes nothing', async () => {
    const answer = await endpoint.control({
      method: 'POST',
      path: '/_local/ses/faults',
      body: { throttleShare: 2, rejectShare: -1, maxSendRate: 0, colour: 'red' },
    });
    expect(answer?.status).toBe(400);
    expect(JSON.stringify(answer?.body)).toMatch(/throttleShare.*rejectShare.*maxSendRate/s);
    expect(endpoint.faults.settings).toMatchObject({ throttleShare: 0, rejectShare: 0, maxSendRate: 14 });
  });
});

describe('injected events and remembered messages', () => {
  it('fills an injected Open from the message it names and publishes it in the EventBridge shape', async () => {
    const { MessageId } = await send('reader@example.org', {
      category: 'mailout',
      mailout: 'm2',
      member: 'u2',
    });
    const listed = await endpoint.control({
      method: 'GET',
      path: '/_local/ses/messages',
      body: undefined,
      query: new URLSearchParams({ to: 'READER@example.org' }),
    });
    expect(listed?.body).toMatchObject({
      messages: [
        {
          messageId: MessageId,
          emulatorMessageId: 'ses-1',
          to: ['reader@example.org'],
          subject: 'Autumn update',
          tags: { category: 'mailout', mailout: 'm2', member: 'u2' },
        },
      ],
    });
    await endpoint.settled();
    published.length = 0;
    const open = { timestamp: '2026-11-03T10:00:00.000Z', userAgent: 'Mozilla/5.0', ipAddress: '192.0.2.1' };
    const answer = await endpoint.control({
      method: 'POST',
      path: '/_local/ses/events',
      body: { events: [{ eventType: 'Open', mail: { messageId: MessageId }, open }] },
    });
    expect(answer?.status).toBe(200);
    const events = await eventsFor(MessageId);
    expect(events).toHaveLength(1);
    expect(events[0]?.entry.DetailType).toBe('Email Opened');
    expect(events[0]?.result.EventId).toBeDefined();
    expect(events[0]?.detail).toMatchObject({
      eventType: 'Open',
      open,
      mail: { destination: ['reader@example.org'], tags: { mailout: ['m2'] } },
    });
    const log = await endpoint.control({
      method: 'GET',
      path: '/_local/ses/events',
      body: undefined,
      query: new URLSearchParams({ messageId: MessageId ?? '' }),
    });
    expect(log?.body).toMatchObject({
      events: [
        { eventType: 'Send', detailType: 'Email Sent', eventId: expect.any(String) },
        { eventType: 'Delivery', detailType: 'Email Delivered', eventId: expect.any(String) },
        { eventType: 'Open', detailType: 'Email Opened', messageId: MessageId, eventId: expect.any(String) },
      ],
    });
  });

  it('answers 404 for an unknown message and 400 with details for a malformed event', async () => {
    const unknown = await endpoint.control({
      method: 'POST',
      path: '/_local/ses/events',
      body: { events: [{ eventType: 'Click', mail: { messageId: 'nope' }, click: { link: 'https://x' } }] },
    });
    expect(unknown?.status).toBe(404);
    const { MessageId } = await send('someone@example.org');
    const malformed = await endpoint.control({
      method: 'POST',
      path: '/_local/ses/events',
      body: {
        events: [
          { eventType: 'Peek', mail: { messageId: MessageId } },
          { eventType: 'Click', mail: { messageId: MessageId } },
          { eventType: 'Bounce', mail: { messageId: MessageId }, bounce: { bounceType: 'Sideways' } },
        ],
      },
    });
    expect(malformed?.status).toBe(400);
    const details = (malformed?.body as { error: { details: string[] } } | undefined)?.error.details ?? [];
    expect(details).toHaveLength(3);
    expect(details[0]).toMatch(/events\[0\]\.eventType/);
    expect(details[1]).toMatch(/events\[1\]\.click/);
    expect(details[2]).toMatch(/events\[2\].*bounce\.bounceType/);
    await expect(
      endpoint.control({ method: 'POST', path: '/_local/ses/events', body: {} }),
    ).resolves.toMatchObject({ status: 400 });
  });

  it('remembers messages across a restart, up to its bound', () => {
    const file = path.join(dir, 'memory.jsonl');
    const first = new MessageMemory(file, 3);
    for (let n = 1; n <= 5; n++)
      first.remember(
        readSendEmail({ Destination: { ToAddresses: [`p${n}@example.org`] } }, `id-${n}`, context),
      );
    const again = new MessageMemory(file, 3);
    expect(again.size).toBe(3);
    expect(again.get('id-1')).toBeUndefined();
    expect(again.list().map((message) => message.messageId)).toEqual(['id-5', 'id-4', 'id-3']);
    expect(again.list('P4@example.org').map((message) => message.messageId)).toEqual(['id-4']);
  });
});

describe('the local bus and SES events', () => {
  const entry = (detail: unknown, detailType = 'Email Opened'): PutEventsEntry => ({
    Source: 'aws.ses',
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    EventBusName: 'alliance',
  });
  const mail = { timestamp: '2026-11-03T10:00:00.000Z', messageId: 'm', destination: [], tags: {} };
  const open = { timestamp: '2026-11-03T10:00:01.000Z', userAgent: 'x', ipAddress: '192.0.2.1' };

  it('accepts only aws.ses events that are well-formed SES records', () => {
    const results = bus.putEvents([
      entry({ eventType: 'Open', mail, open }),
      entry({ eventType: 'Open', mail: { messageId: 'm' }, open }),
      entry({ eventType: 'Open', mail }),
      entry({ eventType: 'Open', mail, open }, 'Email Clicked'),
      entry({ eventType: 'Glance', mail }, 'Email Opened'),
    ]).Entries;
    expect(results[0]).toHaveProperty('EventId');
    expect(results.slice(1).map((result) => result.ErrorCode)).toEqual(Array(4).fill('InvalidArgument'));
    expect(results[2]?.ErrorMessage).toMatch(/"open" object/);
    expect(results[3]?.ErrorMessage).toMatch(/detail-type "Email Opened"/);
  });

  it('refuses aws.* sources from PutEvents callers, as EventBridge does', async () => {
    const server = createServer((request, response) => void bus.handleHttp(request, response));
    const url = await listen(server);
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({
        Entries: [
          entry({ eventType: 'Open', mail, open }),
          { Source: 'alliance.test', DetailType: 'Thing', Detail: '{}', EventBusName: 'alliance' },
        ],
      }),
    });
    server.close();
    const body = (await answer.json()) as {
      FailedEntryCount: number;
      Entries: Array<Record<string, string>>;
    };
    expect(body.FailedEntryCount).toBe(1);
    expect(body.Entries[0]?.ErrorCode).toBe('NotAuthorizedForSourceException');
    expect(body.Entries[1]).toHaveProperty('EventId');
  });
});

describe('pure parts', () => {
  it('reads simulator addresses, with a +label and a display name', () => {
    expect(simulatorMailbox('Bounce+42@Simulator.AmazonSES.com')).toBe('bounce');
    expect(simulatorMailbox('"Tester" <complaint+x@simulator.amazonses.com>')).toBe('complaint');
    expect(simulatorMailbox('bounce@example.org')).toBeUndefined();
    expect(simulatorMailbox('nobody@simulator.amazonses.com')).toBeUndefined();
  });

  it('plans Delivery for ordinary recipients and a Bounce for bounce@ in one message', () => {
    const message = readSendEmail(
      { Destination: { ToAddresses: ['a@example.org'], CcAddresses: ['bounce@simulator.amazonses.com'] } },
      'id',
      context,
    );
    const plan = planEvents(message, 10);
    expect(plan.map((event) => [event.eventType, event.afterMs])).toEqual([
      ['Send', 0],
      ['Delivery', 10],
      ['Bounce', 10],
    ]);
    expect(plan[1]?.section(new Date())).toMatchObject({ recipients: ['a@example.org'] });
  });

  it('throttles and rejects the configured shares, and enforces the rate only when asked', () => {
    const draws = [0.05, 0.15, 0.5];
    let next = 0;
    const faults = new SesFaults(
      { throttleShare: 0.1, rejectShare: 0.1, maxSendRate: 2, enforceRate: false },
      () => draws[next++ % draws.length] as number,
    );
    expect([faults.decide(0), faults.decide(0), faults.decide(0)]).toEqual(['throttle', 'reject', 'accept']);
    expect(faults.update({ throttleShare: 0, rejectShare: 0, enforceRate: true })).toEqual([]);
    const now = Date.now() + 5000;
    expect([faults.decide(now), faults.decide(now), faults.decide(now)]).toEqual([
      'accept',
      'accept',
      'throttle',
    ]);
    expect(faults.decide(now + 500)).toBe('accept');
    expect(faults.counts).toMatchObject({ throttled: 2, rejected: 1 });
  });
});
