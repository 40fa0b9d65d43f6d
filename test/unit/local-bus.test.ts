/**
 * The local bus's subscription queues behave like SQS feeding Lambda: partial batch failures,
 * redelivery after the visibility timeout, redrive to the dead-letter list, the declared maximum
 * concurrency, batching windows, and a chaos mode that really duplicates and reorders.
 * Fake handlers, no AWS, no ports; time scaled down so the file runs in a few seconds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type BusEnvelope, type BusSubscription, LocalBus } from '../../infra/local/bus';
import { failuresIn } from '../../infra/local/queue';

/** 10 s of visibility timeout become 100 ms. */
const timeScale = 0.01;

interface Seen {
  n: number;
  receiveCount: number;
  at: number;
}

const detailOf = (record: SQSRecord) =>
  (JSON.parse(record.body) as BusEnvelope).detail as { n: number; eventId: string };

function makeBus(
  queue: Partial<BusSubscription['queue']>,
  handle: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>,
  options: { shuffle?: boolean; duplicate?: boolean } = {},
) {
  const invocations: Seen[][] = [];
  const subscription: BusSubscription = {
    name: 'test-subscription',
    pattern: { source: ['alliance.test'] },
    queue: { batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 2, maxReceiveCount: 3, ...queue },
    visibilityTimeoutSeconds: 10,
    invoke: async (event) => {
      invocations.push(
        event.Records.map((record) => ({
          n: detailOf(record).n,
          receiveCount: Number(record.attributes.ApproximateReceiveCount),
          at: Date.now(),
        })),
      );
      return handle(event);
    },
  };
  const bus = new LocalBus([subscription], {
    busName: 'alliance',
    account: '000000000000',
    region: 'eu-west-2',
    archiveFile: path.join(mkdtempSync(path.join(tmpdir(), 'local-bus-')), 'archive.jsonl'),
    archiveSourcePrefix: 'alliance.',
    timeScale,
  });
  bus.mode = { duplicate: options.duplicate ?? false, shuffle: options.shuffle ?? false };
  const put = (...numbers: number[]) => {
    for (let start = 0; start < numbers.length; start += 10) {
      const result = bus.putEvents(
        numbers.slice(start, start + 10).map((n) => ({
          Source: 'alliance.test',
          DetailType: 'TestHappened',
          EventBusName: 'alliance',
          Detail: JSON.stringify({ n, eventId: `event-${n}` }),
        })),
      );
      expect(result.FailedEntryCount).toBe(0);
    }
  };
  return { bus, put, invocations };
}

const failing = (records: SQSRecord[], which: (n: number) => boolean): SQSBatchResponse => ({
  batchItemFailures: records
    .filter((record) => which(detailOf(record).n))
    .map((record) => ({ itemIdentifier: record.messageId })),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (count: number) => Array.from({ length: count }, (_, index) => index);

describe('a subscription queue', () => {
  it('gives back only the record reported as failed, and dead-letters it after the receive limit', async () => {
    const { bus, put, invocations } = makeBus({ maxReceiveCount: 3 }, async (event) =>
      failing(event.Records, (n) => n === 2),
    );

    put(1, 2);
    await bus.idle();

    expect(invocations.map((batch) => batch.map(({ n, receiveCount }) => [n, receiveCount]))).toEqual([
      [
        [1, 1],
        [2, 1],
      ],
      [[2, 2]],
      [[2, 3]],
    ]);
    // Each redelivery waited out the visibility timeout (60 s of it, scaled), counted from the receive.
    const receives = invocations.map((batch) => batch[0]?.at ?? 0);
    for (let index = 1; index < receives.length; index++) {
      expect((receives[index] ?? 0) - (receives[index - 1] ?? 0)).toBeGreaterThanOrEqual(100 - 5);
    }
    expect(bus.deadLetters).toEqual([
      expect.objectContaining({
        rule: 'test-subscription',
        attempts: 3,
        error: 'reported in batchItemFailures',
        event: expect.objectContaining({ detail: { n: 2, eventId: 'event-2' } }),
      }),
    ]);
    expect(bus.stats().subscriptions['test-subscription']).toMatchObject({
      invocations: 3,
      recordsDelivered: 4,
      recordsFailed: 3,
      redeliveries: 2,
      deadLettered: 1,
      visible: 0,
      inHand: 0,
      awaitingRedelivery: 0,
    });
  });

  it('redelivers the whole batch when the invocation throws', async () => {
    let calls = 0;
    const { bus, put, invocations } = makeBus({}, async () => {
      calls++;
      if (calls === 1) throw new Error('function crashed');
      return { batchItemFailures: [] };
    });

    put(1, 2, 3);
    await bus.idle();

    expect(invocations.map((batch) => batch.map(({ n, receiveCount }) => `${n}#${receiveCount}`))).toEqual([
      ['1#1', '2#1', '3#1'],
      ['1#2', '2#2', '3#2'],
    ]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('never has more invocations in hand than maxConcurrency, and uses all of them under load', async () => {
    let inHand = 0;
    let peak = 0;
    const { bus, put } = makeBus({ batchSize: 1, maxConcurrency: 3 }, async () => {
      inHand++;
      peak = Math.max(peak, inHand);
      await sleep(15);
      inHand--;
      return undefined;
    });

    put(...range(40));
    await bus.idle();

    expect(peak).toBe(3);
    expect(bus.stats().subscriptions['test-subscription']).toMatchObject({
      peakConcurrency: 3,
      invocations: 40,
    });
  });

  it('waits up to its batching window for a fuller batch', async () => {
    const { bus, put, invocations } = makeBus(
      { batchSize: 5, batchingWindowSeconds: 0.5 },
      async () => undefined,
    );

    for (const n of range(5)) {
      put(n);
      await sleep(20);
    }
    await bus.idle();
    // Two stragglers: the window closes on them with the batch not full.
    const started = Date.now();
    put(5, 6);
    await bus.idle();

    expect(invocations.map((batch) => batch.map(({ n }) => n))).toEqual([range(5), [5, 6]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500 - 5);
  });

  it('idle() waits for records awaiting redelivery and for the other things it is told to wait for', async () => {
    const { bus, put, invocations } = makeBus({}, async (event) =>
      failing(event.Records, (n) => n === 1 && event.Records[0]?.attributes.ApproximateReceiveCount === '1'),
    );
    let relayRounds = 0;
    // A relay that still had one event to put on the bus the first time it was asked.
    bus.addIdleCheck(async () => {
      relayRounds++;
      if (relayRounds === 1) put(99);
    });

    put(1);
    await bus.idle();

    expect(invocations.flat().map(({ n, receiveCount }) => `${n}#${receiveCount}`)).toEqual([
      '1#1',
      '1#2',
      '99#1',
    ]);
    expect(bus.stats().subscriptions['test-subscription']?.awaitingRedelivery).toBe(0);
  });
});

describe('chaos mode', () => {
  it('shuffle really reorders deliveries', async () => {
    const handled: number[] = [];
    const { bus, put } = makeBus(
      { batchSize: 1, maxConcurrency: 1 },
      async (event) => {
        handled.push(...event.Records.map((record) => detailOf(record).n));
        return undefined;
      },
      { shuffle: true },
    );

    for (const n of range(50)) put(n);
    await bus.idle();

    expect([...handled].sort((a, b) => a - b)).toEqual(range(50));
    // A random order of 50 keeps about one event in its place; in-order delivery would keep all 50.
    const inPlace = handled.filter((n, index) => n === index).length;
    expect(inPlace).toBeLessThan(25);
  });

  it('duplicate delivers every event twice', async () => {
    const handled: string[] = [];
    const { bus, put } = makeBus(
      {},
      async (event) => {
        handled.push(...event.Records.map((record) => detailOf(record).eventId));
        return undefined;
      },
      { duplicate: true },
    );

    put(...range(10));
    await bus.idle();

    expect(handled).toHaveLength(20);
    for (const n of range(10)) expect(handled.filter((id) => id === `event-${n}`)).toHaveLength(2);
  });
});

describe('dead letters', () => {
  it('can be cleared one event at a time', async () => {
    const { bus, put } = makeBus({ maxReceiveCount: 1 }, async () => {
      throw new Error('always');
    });

    put(1, 2);
    await bus.idle();

    expect(bus.deadLetters.map((letter) => letter.error)).toEqual([
      'invocation failed: always',
      'invocation failed: always',
    ]);
    expect(bus.clearDeadLetters('event-1')).toBe(1);
    expect(bus.deadLetters.map((letter) => (letter.event.detail as { n: number }).n)).toEqual([2]);
    expect(bus.clearDeadLetters()).toBe(1);
    expect(bus.deadLetters).toEqual([]);
  });
});

describe('reading a batch response as Lambda does', () => {
  const batch = [{ messageId: 'a' }, { messageId: 'b' }];

  it('takes no response, or an empty list, as every record done', () => {
    expect(failuresIn(undefined, batch).size).toBe(0);
    expect(failuresIn({ batchItemFailures: [] }, batch).size).toBe(0);
  });

  it('fails the whole batch when an item names no record of it', () => {
    expect([...failuresIn({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, batch).keys()]).toEqual([
      'a',
      'b',
    ]);
    expect([...failuresIn({ batchItemFailures: [{ itemIdentifier: '' }] }, batch).keys()]).toEqual([
      'a',
      'b',
    ]);
  });
});
