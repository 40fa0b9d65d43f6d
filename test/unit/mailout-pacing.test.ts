import { describe, expect, it } from 'vitest';
import { backoffMs, dispatchRate, Pacer } from '../../functions/mailouts/domain/pacing';

/** A clock that only moves when the pacer sleeps (or the test says so). */
function fakeClock(start = 1_000_000) {
  const clock = {
    time: start,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

/** When each of `count` sends went, in ms after the first. */
async function sendOffsets(pacer: Pacer, clock: ReturnType<typeof fakeClock>, count: number) {
  const offsets: number[] = [];
  let first: number | undefined;
  for (let index = 0; index < count; index += 1) {
    await pacer.wait();
    first ??= clock.time;
    offsets.push(clock.time - first);
  }
  return offsets;
}

describe('the mail-out send rate', () => {
  it("uses the account's SES rate less the headroom kept for transactional mail", () => {
    expect(dispatchRate(14, { sendRateHeadroom: 0.2 })).toBeCloseTo(11.2);
  });

  it('the config override wins over the account rate', () => {
    expect(dispatchRate(200, { maxSendRatePerSecond: 10, sendRateHeadroom: 0.5 })).toBe(5);
  });

  it('falls back to one a second (the SES sandbox) when neither is known', () => {
    expect(dispatchRate(undefined, { sendRateHeadroom: 0 })).toBe(1);
  });

  it('never drops below 0.1 a second, whatever the headroom', () => {
    expect(dispatchRate(0.1, { sendRateHeadroom: 0.9 })).toBe(0.1);
  });
});

describe('pacing sends', () => {
  it('spaces sends evenly at the rate', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(10, clock.now, clock.sleep);
    const offsets = await sendOffsets(pacer, clock, 11);
    expect(offsets).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it('after a quiet spell sends one at once, not a burst to catch up', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(10, clock.now, clock.sleep);
    await pacer.wait();
    clock.time += 5000;
    expect(await sendOffsets(pacer, clock, 3)).toEqual([0, 100, 200]);
  });

  it('spaces sends that wait at the same time', async () => {
    const sleeps: number[] = [];
    const frozenClock = () => 1_000_000;
    const pacer = new Pacer(4, frozenClock, async (ms) => {
      sleeps.push(ms);
    });
    await Promise.all([pacer.wait(), pacer.wait(), pacer.wait()]);
    expect(sleeps).toEqual([250, 500]);
  });

  it('an isolated throttle does not slow the mail-out', () => {
    const pacer = new Pacer(10);
    pacer.recover();
    pacer.slowDown();
    expect(pacer.ratePerSecond).toBe(10);
  });

  it('5% of sends throttled now and then leaves the rate at the target', () => {
    const pacer = new Pacer(10);
    for (let send = 1; send <= 400; send += 1) {
      if (send % 20 === 0) pacer.slowDown();
      else pacer.recover();
    }
    expect(pacer.ratePerSecond).toBe(10);
  });

  it('sustained throttling (5 of the last 20 attempts) halves the rate, never below an eighth', () => {
    const pacer = new Pacer(16);
    for (let index = 0; index < 4; index += 1) pacer.slowDown();
    expect(pacer.ratePerSecond).toBe(16);
    pacer.slowDown();
    expect(pacer.ratePerSecond).toBe(8);
    for (let index = 0; index < 50; index += 1) pacer.slowDown();
    expect(pacer.ratePerSecond).toBe(2);
  });

  it('creeps back up 10% a success after slowing down, to the target and no higher', () => {
    const pacer = new Pacer(16);
    for (let index = 0; index < 5; index += 1) pacer.slowDown();
    pacer.recover();
    expect(pacer.ratePerSecond).toBeCloseTo(8.8);
    for (let index = 0; index < 50; index += 1) pacer.recover();
    expect(pacer.ratePerSecond).toBe(16);
  });
});

describe('backing off before a retry', () => {
  it('waits up to 200 ms before the first retry and doubles the ceiling each time', () => {
    expect(backoffMs(0, () => 0.999)).toBe(199);
    expect(backoffMs(1, () => 0.5)).toBe(200);
    expect(backoffMs(3, () => 0.5)).toBe(800);
  });

  it('never waits more than 20 seconds', () => {
    expect(backoffMs(100, () => 0.999999)).toBeLessThan(20_000);
    expect(backoffMs(10, () => 0.5)).toBe(10_000);
  });

  it('spreads retries out with full jitter (a random share from zero)', () => {
    expect(backoffMs(4, () => 0)).toBe(0);
  });
});
