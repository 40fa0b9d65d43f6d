/**
 * The local SES endpoint on the real runtime: the handlers' SES client goes through it to the
 * emulator, SES's own events for each e-mail reach the bus, the fault mode throttles the way SES
 * does (and the queue redelivers until the e-mail goes), and injected events are checked against
 * the messages the endpoint sent.
 */
import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it } from 'vitest';
import { api, emailsTo, registration, waitFor, waitForEmails } from './helpers';

interface ListedMessage {
  messageId: string;
  emulatorMessageId?: string;
  to: string[];
  subject: string;
  tags: Record<string, string>;
  time: string;
}

interface PublishedEvent {
  eventType: string;
  detailType: string;
  messageId: string;
  eventId?: string;
  error?: string;
}

const messagesTo = async (address: string) =>
  (
    (await api('GET', `/_local/ses/messages?to=${encodeURIComponent(address)}`)).json() as {
      messages: ListedMessage[];
    }
  ).messages;

const eventsOf = async (messageId: string) =>
  ((await api('GET', `/_local/ses/events?messageId=${messageId}`)).json() as { events: PublishedEvent[] })
    .events;

const faults = async () =>
  (await api('GET', '/_local/ses/faults')).json() as {
    throttleShare: number;
    accepted: number;
    throttled: number;
    rejected: number;
  };

/** The local SES endpoint, as the handlers' SDK client reaches it. */
async function sesClient() {
  const { endpoint } = (await api('GET', '/_local/ses')).json() as { endpoint: string };
  return new SESv2Client({
    endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

afterEach(async () => {
  await api('DELETE', '/_local/ses/faults');
  await api('DELETE', '/_local/faults/crash');
});

describe('the local SES endpoint', () => {
  it('a registration confirmation e-mail goes to the emulator and its Send and Delivery events reach the bus', async () => {
    const body = registration();
    expect((await api('POST', '/api/members', { body })).status).toBe(202);
    const [stored] = await waitForEmails(body.email, 1);
    const [message] = await waitFor('the message at the SES endpoint', async () => {
      const listed = await messagesTo(body.email);
      return listed.length > 0 ? listed : undefined;
    });
    expect(message).toMatchObject({ to: [body.email], subject: stored?.subject });
    // The e-mail in the emulator carries SES's Message-ID header with the id the handler was given.
    expect(stored?.headers).toContainEqual({
      name: 'Message-ID',
      value: `<${message?.messageId}@eu-west-2.amazonses.com>`,
    });
    expect(message?.emulatorMessageId).toBe(stored?.messageId);

    await api('GET', '/_local/bus/idle');
    const events = await eventsOf(message?.messageId ?? '');
    expect(events.map((event) => [event.eventType, event.detailType])).toEqual([
      ['Send', 'Email Sent'],
      ['Delivery', 'Email Delivered'],
    ]);
    // The bus took both (an EventBridge event id each, no refusal).
    for (const event of events) expect(event).toMatchObject({ eventId: expect.any(String) });
    expect(events.some((event) => event.error)).toBe(false);
  });

  it('GetAccount answers the send quota', async () => {
    const account = await (await sesClient()).send(new GetAccountCommand({}));
    expect(account.SendingEnabled).toBe(true);
    expect(account.SendQuota?.MaxSendRate).toBeGreaterThan(0);
  });

  it('with every send throttled, SES answers 429 and the queue redelivers until the e-mail goes', async () => {
    const set = await api('POST', '/_local/ses/faults', { body: { throttleShare: 1 } });
    expect(set.status).toBe(200);
    const error = await (await sesClient())
      .send(
        new SendEmailCommand({
          FromEmailAddress: 'test@example.org',
          Destination: { ToAddresses: ['throttled@example.org'] },
          Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'x' } } } },
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });

    const body = registration();
    const before = (await faults()).throttled;
    expect((await api('POST', '/api/members', { body })).status).toBe(202);
    // The handler's SDK client tries three times and gives up; the record goes back to its queue.
    await waitFor('the confirmation e-mail to be throttled', async () =>
      (await faults()).throttled >= before + 3 ? true : undefined,
    );
    expect(await emailsTo(body.email)).toHaveLength(0);
    expect(await messagesTo(body.email)).toHaveLength(0);

    await api('DELETE', '/_local/ses/faults');
    await waitForEmails(body.email, 1);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(body.email)).toHaveLength(1);
  });

  it('accepts an injected Open for a message it sent, and answers 404 for one it never sent', async () => {
    const body = registration();
    expect((await api('POST', '/api/members', { body })).status).toBe(202);
    await waitForEmails(body.email, 1);
    const [message] = await messagesTo(body.email);
    const open = {
      timestamp: new Date(Date.now() + 60_000).toISOString(),
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      ipAddress: '192.0.2.10',
    };
    const injected = await api('POST', '/_local/ses/events', {
      body: { events: [{ eventType: 'Open', mail: { messageId: message?.messageId }, open }] },
    });
    expect(injected.status).toBe(200);
    await api('GET', '/_local/bus/idle');
    const events = await eventsOf(message?.messageId ?? '');
    expect(events.find((event) => event.eventType === 'Open')).toMatchObject({
      detailType: 'Email Opened',
      eventId: expect.any(String),
    });

    const unknown = await api('POST', '/_local/ses/events', {
      body: { events: [{ eventType: 'Open', mail: { messageId: 'never-sent' }, open }] },
    });
    expect(unknown.status).toBe(404);
    const malformed = await api('POST', '/_local/ses/events', {
      body: { events: [{ eventType: 'Open', mail: { messageId: message?.messageId } }] },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toMatch(/events\[0\]\.open/);
  });
});

describe('the crash fault', () => {
  it('kills a function at its armed DynamoDB write; its queue redelivers and the e-mail still goes once', async () => {
    const armed = await api('POST', '/_local/faults/crash', {
      body: { function: 'members-send-registration-email', afterWrites: 1 },
    });
    expect(armed.status).toBe(200);
    expect(armed.json()).toMatchObject({
      armed: [{ function: 'members-send-registration-email', afterWrites: 1 }],
    });

    const body = registration();
    expect((await api('POST', '/api/members', { body })).status).toBe(202);
    await waitForEmails(body.email, 1);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(body.email)).toHaveLength(1);
    const {
      armed: left,
      fired,
      crashed,
    } = (await api('GET', '/_local/faults/crash')).json() as {
      armed: unknown[];
      fired: Array<{ function: string }>;
      crashed: number;
    };
    expect(left).toEqual([]);
    expect(crashed).toBeGreaterThan(0);
    expect(fired.at(-1)).toMatchObject({ function: 'members-send-registration-email' });

    const bad = await api('POST', '/_local/faults/crash', { body: { function: 'nope', afterWrites: 0 } });
    expect(bad.status).toBe(400);
  });
});
