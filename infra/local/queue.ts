/**
 * One subscription's queue on one machine, as an SQS standard queue read by a Lambda event source
 * mapping behaves: batches of up to `batchSize` records (gathered for up to the batching window),
 * at most `maxConcurrency` invocations in hand, partial batch responses (only the records reported
 * in `batchItemFailures`, or every record of an invocation that threw, stay; the rest are deleted),
 * a visibility timeout counted from each receive, and redrive to the dead-letter list once a record
 * has been received `maxReceiveCount` times and fails again.
 *
 * One departure, on purpose: a record in hand stays invisible until its invocation ends. In the
 * cloud that holds because the visibility timeout is six times the function timeout; locally the
 * timeout is scaled down (BUS_TIME_SCALE) while handlers run at their real speed.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { BusEnvelope } from './bus';

export interface QueueConfig {
  /** The subscription's name, also the queue's name in its ARN. */
  name: string;
  batchSize: number;
  batchingWindowMs: number;
  maxConcurrency: number;
  maxReceiveCount: number;
  /** Already multiplied by the time scale. */
  visibilityTimeoutMs: number;
  region: string;
  account: string;
}

export interface QueueHooks {
  /**
   * The handler with its Lambda context, in execution environment `environment` (0, 1, ...: never
   * two invocations in one at once); resolves to its SQSBatchResponse.
   */
  invoke: (event: SQSEvent, environment: number) => Promise<unknown>;
  /** Receive in random order rather than oldest first (the bus's shuffle mode). */
  shuffled: () => boolean;
  deadLetter: (letter: { event: BusEnvelope; error: string; attempts: number }) => void;
  /** A record failed (it will come back or has been dead-lettered); for the logs. */
  onFailure?: (event: BusEnvelope, error: string, receiveCount: number) => void;
  /** Called after every change of state, so the bus can tell when it is idle. */
  changed: () => void;
}

export interface QueueStats {
  peakConcurrency: number;
  invocations: number;
  recordsDelivered: number;
  recordsFailed: number;
  redeliveries: number;
  deadLettered: number;
}

interface Message {
  messageId: string;
  body: string;
  md5OfBody: string;
  envelope: BusEnvelope;
  sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  visibleAt: number;
  inHand: boolean;
}

const senderId = 'AIDAIENQZJOLO23YVJ4VO';

export class SubscriptionQueue {
  readonly stats: QueueStats = {
    peakConcurrency: 0,
    invocations: 0,
    recordsDelivered: 0,
    recordsFailed: 0,
    redeliveries: 0,
    deadLettered: 0,
  };
  private readonly messages = new Map<string, Message>();
  private running = 0;
  /** Execution environments made so far, and those not in use now (Lambda reuses warm ones). */
  private environments = 0;
  private readonly idleEnvironments: number[] = [];
  private windowOpenedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  private pumpScheduled = false;

  constructor(
    readonly config: QueueConfig,
    private readonly hooks: QueueHooks,
  ) {}

  /** SendMessage: the rule's target puts one event on the queue. */
  send(envelope: BusEnvelope): void {
    const body = JSON.stringify(envelope);
    const messageId = randomUUID();
    this.messages.set(messageId, {
      messageId,
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      envelope,
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: Date.now(),
      inHand: false,
    });
    // The poller runs apart from the sender: what one PutEvents call sends can arrive as one batch.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  /** Records not yet deleted: visible, in hand, or waiting out their visibility timeout. */
  get size(): number {
    return this.messages.size;
  }

  /** What is in the queue right now, by state. */
  depth(): { visible: number; inHand: number; awaitingRedelivery: number; invocationsInHand: number } {
    const now = Date.now();
    let visible = 0;
    let inHand = 0;
    let awaitingRedelivery = 0;
    for (const message of this.messages.values()) {
      if (message.inHand) inHand++;
      else if (message.visibleAt <= now) visible++;
      else awaitingRedelivery++;
    }
    return { visible, inHand, awaitingRedelivery, invocationsInHand: this.running };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The event source mapping's poller: starts every invocation the settings allow right now. */
  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    while (this.running < this.config.maxConcurrency) {
      const visible = [...this.messages.values()].filter((m) => !m.inHand && m.visibleAt <= now);
      if (visible.length === 0) {
        this.windowOpenedAt = undefined;
        break;
      }
      if (this.config.batchingWindowMs > 0 && visible.length < this.config.batchSize) {
        this.windowOpenedAt ??= now;
        if (now < this.windowOpenedAt + this.config.batchingWindowMs) break;
      }
      this.windowOpenedAt = undefined;
      void this.invoke(this.pick(visible), now);
    }
    this.scheduleWake(now);
  }

  /** Wakes the poller when the batching window closes or a record becomes visible again. */
  private scheduleWake(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    if (this.windowOpenedAt !== undefined && this.running < this.config.maxConcurrency) {
      next = this.windowOpenedAt + this.config.batchingWindowMs;
    }
    for (const message of this.messages.values()) {
      if (!message.inHand && message.visibleAt > now) next = Math.min(next, message.visibleAt);
    }
    if (next === this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    if (next === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, next - now),
    );
  }

  private pick(visible: Message[]): Message[] {
    if (!this.hooks.shuffled()) return visible.slice(0, this.config.batchSize);
    const pool = [...visible];
    const batch: Message[] = [];
    while (batch.length < this.config.batchSize && pool.length > 0) {
      const [chosen] = pool.splice(Math.floor(Math.random() * pool.length), 1);
      if (chosen) batch.push(chosen);
    }
    return batch;
  }

  private async invoke(batch: Message[], now: number): Promise<void> {
    this.running++;
    this.stats.invocations++;
    this.stats.peakConcurrency = Math.max(this.stats.peakConcurrency, this.running);
    for (const message of batch) {
      message.inHand = true;
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      // Counted from the receive, as SQS does.
      message.visibleAt = now + this.config.visibilityTimeoutMs;
      this.stats.recordsDelivered++;
      if (message.receiveCount > 1) this.stats.redeliveries++;
    }
    const environment = this.idleEnvironments.pop() ?? this.environments++;
    let failed: Map<string, string>;
    try {
      const event = { Records: batch.map((message) => this.record(message)) };
      failed = failuresIn(await this.hooks.invoke(event, environment), batch);
    } catch (error) {
      const reason = `invocation failed: ${error instanceof Error ? error.message : String(error)}`;
      failed = new Map(batch.map((message) => [message.messageId, reason]));
    }
    this.idleEnvironments.push(environment);
    this.running--;
    for (const message of batch) {
      message.inHand = false;
      const error = failed.get(message.messageId);
      if (error === undefined) {
        this.messages.delete(message.messageId);
        continue;
      }
      this.stats.recordsFailed++;
      this.hooks.onFailure?.(message.envelope, error, message.receiveCount);
      if (message.receiveCount >= this.config.maxReceiveCount) {
        this.messages.delete(message.messageId);
        this.stats.deadLettered++;
        this.hooks.deadLetter({ event: message.envelope, error, attempts: message.receiveCount });
      }
    }
    this.pump();
    this.hooks.changed();
  }

  private record(message: Message): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: Buffer.from(`${message.messageId}:${randomUUID()}`).toString('base64'),
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: senderId,
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: message.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${this.config.region}:${this.config.account}:${this.config.name}`,
      awsRegion: this.config.region,
    };
  }
}

/**
 * Which records an SQSBatchResponse reports as failed, with why. As Lambda reads it: no response or
 * no `batchItemFailures` means all succeeded; an item whose `itemIdentifier` is missing, empty or not
 * a message of this batch makes the whole batch count as failed.
 */
export function failuresIn(response: unknown, batch: Array<{ messageId: string }>): Map<string, string> {
  const all = (reason: string) => new Map(batch.map((message) => [message.messageId, reason]));
  if (response === undefined || response === null || typeof response !== 'object') return new Map();
  const items = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return new Map();
  if (!Array.isArray(items)) return all('invalid response: batchItemFailures is not a list');
  const ids = new Set(batch.map((message) => message.messageId));
  const failed = new Map<string, string>();
  for (const item of items) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) {
      return all(
        `invalid response: batchItemFailures names ${JSON.stringify(id)}, not a record of the batch`,
      );
    }
    failed.set(id, 'reported in batchItemFailures');
  }
  return failed;
}
