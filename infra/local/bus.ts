/**
 * The local EventBridge: accepts PutEvents over HTTP (the real SDK client talks to it), applies the
 * catalogue's rules, and delivers asynchronously and at least once, with retries and a dead-letter
 * list. Every accepted alliance event is appended to an archive file so counters can be rebuilt
 * by replay. In duplicate/shuffle mode each event is delivered twice, in random order.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compilePattern } from './pattern';

export interface BusEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  'replay-name'?: string;
}

export interface BusRule {
  name: string;
  pattern: unknown;
  deliver: (event: BusEnvelope) => Promise<unknown>;
}

export interface DeadLetter {
  rule: string;
  event: BusEnvelope;
  error: string;
  attempts: number;
  at: string;
}

export interface BusMode {
  duplicate: boolean;
  shuffle: boolean;
}

interface BusOptions {
  busName: string;
  account: string;
  region: string;
  archiveFile: string;
  archiveSourcePrefix: string;
  maxAttempts?: number;
  /** Deliveries in hand at once per rule, like a Lambda function's reserved concurrency. */
  concurrencyPerRule?: number;
  retryDelayMs?: number;
  onDeliveryError?: (rule: string, event: BusEnvelope, error: unknown, attempt: number) => void;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
  Resources?: string[];
}

const maxEntryBytes = 256 * 1024;

export class LocalBus {
  readonly deadLetters: DeadLetter[] = [];
  mode: BusMode = { duplicate: false, shuffle: false };
  private readonly rules: Array<BusRule & { matches: (event: unknown) => boolean }>;
  private inFlight = 0;
  private readonly running = new Map<string, number>();
  private readonly queued = new Map<string, Array<() => void>>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    rules: BusRule[],
    private readonly options: BusOptions,
  ) {
    // Compiling here makes a pattern the local bus cannot evaluate a start-up error.
    this.rules = rules.map((rule) => ({
      ...rule,
      matches: compilePattern(rule.pattern, `rule ${rule.name}`),
    }));
  }

  /** PutEvents semantics: per-entry validation, one result per entry, then asynchronous delivery. */
  putEvents(entries: PutEventsEntry[]): { FailedEntryCount: number; Entries: Array<Record<string, string>> } {
    const results = entries.map((entry): Record<string, string> => {
      const problem = this.validate(entry);
      if (problem) return { ErrorCode: 'InvalidArgument', ErrorMessage: problem };
      const envelope: BusEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType as string,
        source: entry.Source as string,
        account: this.options.account,
        time: toIsoSeconds(entry.Time),
        region: this.options.region,
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail as string),
      };
      if (envelope.source.startsWith(this.options.archiveSourcePrefix)) {
        appendFileSync(this.options.archiveFile, `${JSON.stringify(envelope)}\n`);
      }
      this.dispatch(envelope);
      return { EventId: envelope.id };
    });
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  }

  /** Re-delivers every archived event `times` times, as an EventBridge archive replay would. */
  replayArchive(times = 1): number {
    if (!existsSync(this.options.archiveFile)) return 0;
    const events = readFileSync(this.options.archiveFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as BusEnvelope);
    const replayName = `local-replay-${Date.now()}`;
    for (let round = 0; round < times; round++) {
      for (const event of events) this.dispatch({ ...event, id: randomUUID(), 'replay-name': replayName });
    }
    return events.length * times;
  }

  /** Resolves once nothing is waiting to be delivered or retried. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The HTTP face: what `@aws-sdk/client-eventbridge` sends to AWS_ENDPOINT_URL_EVENTBRIDGE. */
  async handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const reply = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(payload));
    };
    let body = '';
    for await (const chunk of request) body += chunk;
    if (target !== 'AWSEvents.PutEvents') {
      reply(400, {
        __type: 'UnknownOperationException',
        message: `The local bus only implements PutEvents, not ${target}`,
      });
      return;
    }
    let parsed: { Entries?: PutEventsEntry[] };
    try {
      parsed = JSON.parse(body) as { Entries?: PutEventsEntry[] };
    } catch {
      reply(400, { __type: 'SerializationException', message: 'body is not JSON' });
      return;
    }
    const entries = parsed.Entries ?? [];
    if (entries.length < 1 || entries.length > 10) {
      reply(400, { __type: 'ValidationException', message: 'Entries must hold between 1 and 10 events' });
      return;
    }
    reply(200, this.putEvents(entries));
  }

  private validate(entry: PutEventsEntry): string | undefined {
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined)
      return 'Source, DetailType and Detail are required';
    const busName = entry.EventBusName ?? 'default';
    if (busName !== this.options.busName && !busName.endsWith(`:event-bus/${this.options.busName}`)) {
      return `Event bus ${busName} does not exist.`;
    }
    if (Buffer.byteLength(entry.Detail) > maxEntryBytes) return 'Detail is larger than 256 KB';
    try {
      const detail = JSON.parse(entry.Detail) as unknown;
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
        return 'Detail must be a JSON object';
    } catch {
      return 'Detail is not valid JSON';
    }
    return undefined;
  }

  private dispatch(event: BusEnvelope): void {
    for (const rule of this.rules) {
      if (!rule.matches(event)) continue;
      const copies = this.mode.duplicate ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        this.inFlight++;
        const delay = this.mode.shuffle ? Math.floor(Math.random() * 40) : 0;
        setTimeout(() => void this.deliver(rule, event, 1), delay);
      }
    }
  }

  private async deliver(rule: BusRule, event: BusEnvelope, attempt: number): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 4;
    await this.acquire(rule.name);
    try {
      await rule.deliver(structuredClone(event));
    } catch (error) {
      this.options.onDeliveryError?.(rule.name, event, error, attempt);
      if (attempt < maxAttempts) {
        const delay = (this.options.retryDelayMs ?? 200) * 2 ** (attempt - 1);
        setTimeout(() => void this.deliver(rule, event, attempt + 1), delay);
        return;
      }
      this.deadLetters.push({
        rule: rule.name,
        event,
        error: error instanceof Error ? error.message : String(error),
        attempts: attempt,
        at: new Date().toISOString(),
      });
    } finally {
      this.release(rule.name);
    }
    this.settle();
  }

  /** Waits for a free delivery slot of this rule. */
  private async acquire(rule: string): Promise<void> {
    const running = this.running.get(rule) ?? 0;
    if (running < (this.options.concurrencyPerRule ?? 4)) {
      this.running.set(rule, running + 1);
      return;
    }
    const queue = this.queued.get(rule) ?? [];
    this.queued.set(rule, queue);
    // The slot is handed over by release(), so nobody can slip in between.
    await new Promise<void>((resolve) => queue.push(resolve));
  }

  private release(rule: string): void {
    const next = this.queued.get(rule)?.shift();
    if (next) next();
    else this.running.set(rule, (this.running.get(rule) ?? 1) - 1);
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

function toIsoSeconds(time: number | string | undefined): string {
  const date =
    time === undefined ? new Date() : typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return `${valid.toISOString().slice(0, 19)}Z`;
}
