/**
 * The local EventBridge: accepts PutEvents over HTTP (and from the outbox relay), applies the
 * catalogue's rules, and sends each matching event to its subscription's queue (queue.ts), which
 * feeds the handler SQS batches, as rule → SQS → Lambda does in the cloud. Every accepted alliance
 * event is appended to an archive file so counters can be rebuilt by replay.
 *
 * Chaos mode: `duplicate` sends each matched event twice (EventBridge and SQS are at-least-once);
 * `shuffle` holds matched deliveries in a window and releases them in random order, and the queues
 * receive in random order too.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SQSEvent } from 'aws-lambda';
import { sesSource } from '../../shared/ses-events';
import type { QueueSettings } from '../catalogue';
import { compilePattern } from './pattern';
import {
  type PutEventsEntry,
  type PutEventsResult,
  servePutEvents,
  toIsoSeconds,
  validateEntry,
} from './put-events';
import { type QueueStats, SubscriptionQueue } from './queue';
import { sesEntryProblem } from './ses-mail';

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

/** A catalogue subscription as the bus needs it: rule pattern, queue settings, the handler. */
export interface BusSubscription {
  name: string;
  pattern: unknown;
  queue: Required<QueueSettings>;
  /**
   * The function's reserved concurrency: Lambda runs no more instances than this whatever invokes
   * it, so the queue has at most min(maxConcurrency, this) invocations in hand.
   */
  reservedConcurrency?: number;
  visibilityTimeoutSeconds: number;
  /**
   * Runs the handler (with its Lambda context) on one batch in the given execution environment;
   * resolves to its SQSBatchResponse. Concurrent invocations always get different environments.
   */
  invoke: (event: SQSEvent, environment: number) => Promise<unknown>;
}

export interface DeadLetter {
  /** The subscription (rule and queue) that gave up, or the relay that could not publish. */
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

export interface BusOptions {
  busName: string;
  account: string;
  region: string;
  archiveFile: string;
  archiveSourcePrefix: string;
  /** Multiplies every visibility timeout (BUS_TIME_SCALE): 0.02 turns 60 s into 1.2 s. */
  timeScale?: number;
  /** Shuffle mode holds deliveries this long after the first one held, or until `shuffleHoldMax`. */
  shuffleHoldMs?: number;
  shuffleHoldMax?: number;
  onDeliveryError?: (rule: string, event: BusEnvelope, error: string, receiveCount: number) => void;
}

export class LocalBus {
  readonly deadLetters: DeadLetter[] = [];
  mode: BusMode = { duplicate: false, shuffle: false };
  private readonly rules: Array<{
    name: string;
    matches: (event: unknown) => boolean;
    queue: SubscriptionQueue;
  }>;
  private held: Array<{ queue: SubscriptionQueue; event: BusEnvelope }> = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private drainedWaiters: Array<() => void> = [];
  private readonly idleChecks: Array<() => Promise<void>> = [];

  constructor(
    subscriptions: BusSubscription[],
    private readonly options: BusOptions,
  ) {
    const timeScale = options.timeScale ?? 1;
    // Compiling here makes a pattern the local bus cannot evaluate a start-up error.
    this.rules = subscriptions.map((subscription) => ({
      name: subscription.name,
      matches: compilePattern(subscription.pattern, `rule ${subscription.name}`),
      queue: new SubscriptionQueue(
        {
          name: subscription.name,
          batchSize: subscription.queue.batchSize,
          batchingWindowMs: subscription.queue.batchingWindowSeconds * 1000,
          maxConcurrency: Math.min(
            subscription.queue.maxConcurrency,
            subscription.reservedConcurrency ?? Number.POSITIVE_INFINITY,
          ),
          maxReceiveCount: subscription.queue.maxReceiveCount,
          visibilityTimeoutMs: subscription.visibilityTimeoutSeconds * 1000 * timeScale,
          region: options.region,
          account: options.account,
        },
        {
          invoke: subscription.invoke,
          shuffled: () => this.mode.shuffle,
          deadLetter: ({ event, error, attempts }) =>
            this.deadLetters.push({
              rule: subscription.name,
              event,
              error,
              attempts,
              at: new Date().toISOString(),
            }),
          onFailure: (event, error, receiveCount) =>
            options.onDeliveryError?.(subscription.name, event, error, receiveCount),
          changed: () => this.settle(),
        },
      ),
    }));
  }

  /**
   * PutEvents semantics: per-entry validation, one result per entry, then asynchronous delivery.
   * An `aws.ses` entry must be an event record SES would publish (the local SES endpoint's, or one
   * injected for a test); a malformed one would only fail later, in the handler.
   */
  putEvents(entries: PutEventsEntry[]): PutEventsResult {
    const results = entries.map((entry): Record<string, string> => {
      const problem =
        validateEntry(entry, this.options.busName) ??
        (entry.Source === sesSource
          ? sesEntryProblem(entry.DetailType, JSON.parse(entry.Detail as string))
          : undefined);
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

  /**
   * Re-delivers every archived event `times` times, as an EventBridge archive replay would; with a
   * window, only the events whose time falls in [from, to) (StartReplay's EventStartTime/EndTime).
   */
  replayArchive(times = 1, window: { from?: number; to?: number } = {}): number {
    if (!existsSync(this.options.archiveFile)) return 0;
    const inWindow = (event: BusEnvelope) => {
      const at = Date.parse(event.time);
      return (window.from === undefined || at >= window.from) && (window.to === undefined || at < window.to);
    };
    const events = readFileSync(this.options.archiveFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as BusEnvelope)
      .filter(inWindow);
    const replayName = `local-replay-${Date.now()}`;
    for (let round = 0; round < times; round++) {
      for (const event of events) this.dispatch({ ...event, id: randomUUID(), 'replay-name': replayName });
    }
    return events.length * times;
  }

  /** Something else idle() must wait for (the outbox relay catching up with its streams). */
  addIdleCheck(check: () => Promise<void>): void {
    this.idleChecks.push(check);
  }

  /**
   * Resolves once nothing is held for shuffling, queued, in hand or waiting to be redelivered, and
   * every idle check (the relay) has caught up without putting anything new on the bus.
   */
  async idle(): Promise<void> {
    for (;;) {
      if (!this.drained()) await new Promise<void>((resolve) => this.drainedWaiters.push(resolve));
      await Promise.all(this.idleChecks.map((check) => check()));
      if (this.drained()) return;
    }
  }

  /** Per subscription: what it has done so far and what its queue holds now. */
  stats(): {
    subscriptions: Record<string, QueueStats & ReturnType<SubscriptionQueue['depth']>>;
    held: number;
  } {
    return {
      subscriptions: Object.fromEntries(
        this.rules.map((rule) => [rule.name, { ...rule.queue.stats, ...rule.queue.depth() }]),
      ),
      held: this.held.length,
    };
  }

  /** Removes dead letters (only those whose event detail carries `eventId`, if given); says how many. */
  clearDeadLetters(eventId?: string): number {
    const before = this.deadLetters.length;
    const kept = this.deadLetters.filter(
      (letter) =>
        eventId !== undefined && (letter.event.detail as { eventId?: unknown } | null)?.eventId !== eventId,
    );
    this.deadLetters.splice(0, this.deadLetters.length, ...kept);
    return before - kept.length;
  }

  stop(): void {
    clearTimeout(this.holdTimer);
    for (const rule of this.rules) rule.queue.stop();
  }

  /**
   * The HTTP face: what `@aws-sdk/client-eventbridge` sends to AWS_ENDPOINT_URL_EVENTBRIDGE. As in
   * the cloud, a caller may not put events of an `aws.` source (only the AWS service itself does).
   */
  handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    return servePutEvents(request, response, (entries) => {
      const reserved = (entry: PutEventsEntry) => entry.Source?.startsWith('aws.') === true;
      const allowed = this.putEvents(entries.filter((entry) => !reserved(entry))).Entries;
      const results = entries.map((entry) =>
        reserved(entry)
          ? { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' }
          : (allowed.shift() as Record<string, string>),
      );
      return {
        FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
        Entries: results,
      };
    });
  }

  private dispatch(event: BusEnvelope): void {
    for (const rule of this.rules) {
      if (!rule.matches(event)) continue;
      const copies = this.mode.duplicate ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) this.deliver(rule.queue, structuredClone(event));
    }
  }

  private deliver(queue: SubscriptionQueue, event: BusEnvelope): void {
    if (!this.mode.shuffle) {
      queue.send(event);
      return;
    }
    this.held.push({ queue, event });
    if (this.held.length >= (this.options.shuffleHoldMax ?? 100)) this.releaseHeld();
    else this.holdTimer ??= setTimeout(() => this.releaseHeld(), this.options.shuffleHoldMs ?? 150);
  }

  /** Lets every held delivery through, in random order (Fisher–Yates). */
  private releaseHeld(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const held = this.held;
    this.held = [];
    for (let index = held.length - 1; index > 0; index--) {
      const other = Math.floor(Math.random() * (index + 1));
      [held[index], held[other]] = [
        held[other] as (typeof held)[number],
        held[index] as (typeof held)[number],
      ];
    }
    for (const { queue, event } of held) queue.send(event);
    this.settle();
  }

  private drained(): boolean {
    return this.held.length === 0 && this.rules.every((rule) => rule.queue.size === 0);
  }

  private settle(): void {
    if (!this.drained()) return;
    const waiters = this.drainedWaiters;
    this.drainedWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
