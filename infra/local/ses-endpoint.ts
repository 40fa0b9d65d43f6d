/**
 * The local SES v2 endpoint: what AWS_ENDPOINT_URL_SESV2 points at on one machine. It sits in front
 * of the `aws-ses-v2-local` emulator (which stores the e-mails and shows them in its viewer) and adds
 * what the emulator lacks:
 * - GetAccount answered with a send quota (MaxSendRate settable);
 * - after each accepted SendEmail, SES's own events for it on the local bus (`aws.ses`: Send, then
 *   Delivery, or what the mailbox simulator's address does), published after the answer, never
 *   inside the request;
 * - a fault mode: a share of sends throttled (429 TooManyRequestsException) or rejected (400
 *   MessageRejected), nothing of them reaching the emulator or the bus;
 * - the `/_local/ses...` controls (ses-controls.ts).
 * Everything else is forwarded to the emulator as it is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalControl } from './gateway';
import type { PutEventsEntry, PutEventsResult } from './put-events';
import { sesControl } from './ses-controls';
import { type FaultSettings, getAccountAnswer, SesFaults } from './ses-faults';
import { emulatorError, forward, readBody, reply, sesError } from './ses-http';
import type { InjectedDetail } from './ses-inject';
import {
  type Context,
  mailObject,
  messageIdHeader,
  readSendEmail,
  type SendEmailBody,
  sectionKey,
  sesMessageId,
  toBusEntry,
} from './ses-mail';
import { MessageMemory } from './ses-messages';
import { planEvents } from './ses-simulator';

export interface SesEndpointOptions extends Context {
  /** The emulator's base URL, e.g. http://127.0.0.1:8005. */
  emulatorUrl: string;
  /** Where this endpoint listens (shown by `GET /_local/ses`). */
  url?: string;
  busName: string;
  bus: { putEvents: (entries: PutEventsEntry[]) => PutEventsResult };
  /** The JSON-lines file the sent messages are remembered in (none: memory only). */
  messagesFile?: string;
  faults?: Partial<FaultSettings>;
  /** How long after the send answer the Delivery (or Bounce) event follows; Complaint twice this. */
  outcomeDelayMs?: number;
  random?: () => number;
  log?: (line: string) => void;
}

/** An event the endpoint put on the bus, with the bus's answer. */
export interface PublishedEvent {
  eventType: string;
  detailType: string;
  messageId: string;
  at: string;
  eventId?: string;
  error?: string;
}

const publishedLogSize = 10_000;

export class SesEndpoint {
  readonly faults: SesFaults;
  readonly messages: MessageMemory;
  private readonly published: PublishedEvent[] = [];
  private pending = 0;
  private settledWaiters: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(readonly options: SesEndpointOptions) {
    this.faults = new SesFaults(
      { throttleShare: 0, rejectShare: 0, maxSendRate: 14, enforceRate: false, ...options.faults },
      options.random,
    );
    this.messages = new MessageMemory(options.messagesFile);
    const dayAgo = Date.now() - 86_400_000;
    for (const message of this.messages.list(undefined, Number.POSITIVE_INFINITY).reverse()) {
      const at = Date.parse(message.timestamp);
      if (at > dayAgo) this.faults.countSent(at);
    }
  }

  /** The HTTP face (SES API v2 over REST-JSON, as `@aws-sdk/client-sesv2` calls it). */
  async handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    const body = await readBody(request);
    if (request.method === 'GET' && pathname === '/v2/email/account') {
      return reply(response, 200, getAccountAnswer(this.faults));
    }
    if (request.method === 'POST' && pathname === '/v2/email/outbound-emails') {
      return this.sendEmail(request, response, body);
    }
    return forward(this.options.emulatorUrl, request, response, body);
  }

  /** The `/_local/ses...` controls; undefined for any other request. */
  async control(
    request: Parameters<LocalControl>[0],
  ): Promise<Awaited<ReturnType<LocalControl>> | undefined> {
    return sesControl(this, request);
  }

  /** Puts checked, completed SES event records on the bus, after the caller has its answer. */
  inject(details: InjectedDetail[]): void {
    this.later(0, () => {
      for (const detail of details) this.publish(detail);
    });
  }

  /** What has been put on the bus, newest last (of one message, when given). */
  publishedEvents(messageId?: string, limit = 1000): PublishedEvent[] {
    const events = messageId
      ? this.published.filter((event) => event.messageId === messageId)
      : this.published;
    return events.slice(-limit);
  }

  /** Resolves once every event already due has been put on the bus (the bus's idle check). */
  settled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending = 0;
    this.settle();
  }

  private async sendEmail(request: IncomingMessage, response: ServerResponse, raw: Buffer): Promise<void> {
    let body: SendEmailBody;
    try {
      body = JSON.parse(raw.toString('utf8')) as SendEmailBody;
    } catch {
      return sesError(response, 400, 'BadRequestException', 'The request body is not JSON.');
    }
    const decision = this.faults.decide();
    if (decision === 'throttle')
      return sesError(response, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
    if (decision === 'reject') {
      return sesError(
        response,
        400,
        'MessageRejected',
        'Message rejected (local SES fault mode: rejectShare).',
      );
    }
    const messageId = sesMessageId();
    let answer: Response;
    try {
      answer = await fetch(`${this.options.emulatorUrl}/v2/email/outbound-emails`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: String(request.headers.authorization ?? ''),
        },
        body: JSON.stringify(withMessageIdHeader(body, messageIdHeader(messageId, this.options.region))),
      });
    } catch (error) {
      return sesError(response, 500, 'InternalFailure', `SES emulator unreachable: ${String(error)}`);
    }
    const text = await answer.text();
    if (answer.status !== 200) return emulatorError(response, answer.status, text);
    const message = readSendEmail(body, messageId, this.options);
    try {
      message.emulatorMessageId = (JSON.parse(text) as { MessageId?: string }).MessageId;
    } catch {
      // The e-mail is stored either way.
    }
    this.messages.remember(message);
    this.faults.accepted();
    // SES's events follow the answer, never inside the request. 'close' follows the answer's last
    // byte (or a caller gone away: the message was accepted all the same).
    this.pending++;
    response.once('close', () => {
      for (const event of planEvents(message, this.options.outcomeDelayMs ?? 25)) {
        this.later(event.afterMs, () =>
          this.publish({
            eventType: event.eventType,
            mail: mailObject(message, this.options),
            [sectionKey(event.eventType)]: event.section(new Date()),
          }),
        );
      }
      this.done();
    });
    reply(response, 200, { MessageId: messageId });
  }

  private publish(detail: Parameters<typeof toBusEntry>[0]): void {
    if (this.stopped) return;
    const entry = toBusEntry(detail, this.options);
    const record: PublishedEvent = {
      eventType: detail.eventType,
      detailType: entry.DetailType ?? '',
      messageId: String((detail.mail as { messageId?: unknown }).messageId ?? ''),
      at: new Date().toISOString(),
    };
    try {
      const [result] = this.options.bus.putEvents([entry]).Entries;
      if (result?.EventId) record.eventId = result.EventId;
      else record.error = `${result?.ErrorCode}: ${result?.ErrorMessage}`;
    } catch (error) {
      record.error = String(error);
    }
    if (record.error) {
      (this.options.log ?? console.error)(
        `local SES: a ${detail.eventType} event did not reach the bus: ${record.error}`,
      );
    }
    this.published.push(record);
    if (this.published.length > publishedLogSize)
      this.published.splice(0, this.published.length - publishedLogSize);
  }

  /** Runs `work` after `ms` (0: on the next turn of the event loop), counted until it has run. */
  private later(ms: number, work: () => void): void {
    this.pending++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        work();
      } finally {
        this.done();
      }
    }, ms);
    this.timers.add(timer);
  }

  private done(): void {
    this.pending = Math.max(0, this.pending - 1);
    this.settle();
  }

  private settle(): void {
    if (this.pending > 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** SES writes its message id into the e-mail's Message-ID header; the emulator's store shows it. */
function withMessageIdHeader(body: SendEmailBody, header: string): SendEmailBody {
  const simple = body.Content?.Simple;
  if (!simple) return body;
  return {
    ...body,
    Content: {
      ...body.Content,
      Simple: { ...simple, Headers: [...(simple.Headers ?? []), { Name: 'Message-ID', Value: header }] },
    },
  };
}
