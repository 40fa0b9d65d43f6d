/** How fast a mail-out goes: under the SES send rate, leaving headroom for transactional mail. Pure. */

export const minimumDispatchRate = 0.1;

/**
 * Sends per second for a mail-out: the config's override when set, else the account's `MaxSendRate`
 * (1, SES's sandbox rate, when neither is known), less the share kept free for transactional mail.
 */
export function dispatchRate(
  accountMaxSendRate: number | undefined,
  config: { maxSendRatePerSecond?: number; sendRateHeadroom: number },
): number {
  const ceiling = config.maxSendRatePerSecond ?? positiveOrUndefined(accountMaxSendRate) ?? 1;
  return Math.max(minimumDispatchRate, ceiling * (1 - config.sendRateHeadroom));
}

const positiveOrUndefined = (value: number | undefined) =>
  value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The pacer judges throttling over this many recent attempts... */
export const throttleWindow = 20;
/** ...and halves the rate when at least this many of them were throttled (25%). */
export const throttlesToSlowDown = 5;

/**
 * Spaces sends evenly at a rate: a token bucket holding one token, so after a quiet spell the next
 * send goes at once, never a burst of several. Each `wait()` reserves its slot before sleeping, so
 * concurrent callers are spaced too.
 *
 * Throttling: the caller retries the same recipient after `backoffMs` without a new `wait()` (the
 * throttled attempt already spent a slot and SES did not count it, so the retry keeps the accepted
 * rate at the target). The rate halves (not below an eighth of the target) only when throttling is
 * sustained, `throttlesToSlowDown` of the last `throttleWindow` attempts: halving on every throttle
 * costs a quarter of the rate under a steady 5% of isolated throttles (simulated with the dispatcher's
 * loop: 0.75 of the target, against 1.00 this way), and a real limit soon throttles a quarter of the
 * attempts. `recover()` after each accepted send creeps back up 10%, to the target.
 */
export class Pacer {
  private current: number;
  private nextAt = Number.NEGATIVE_INFINITY;
  private recent: boolean[] = [];

  constructor(
    private readonly target: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep,
  ) {
    if (!(target > 0) || !Number.isFinite(target)) throw new RangeError('The send rate must be positive');
    this.current = target;
  }

  /** The rate sends are spaced at right now (sends per second). */
  get ratePerSecond(): number {
    return this.current;
  }

  async wait(): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextAt);
    this.nextAt = slot + 1000 / this.current;
    if (slot > now) await this.sleep(slot - now);
  }

  /** After a throttling answer: sustained throttling halves the rate. */
  slowDown(): void {
    this.remember(true);
    if (this.recent.filter(Boolean).length >= throttlesToSlowDown) {
      this.current = Math.max(this.target / 8, this.current / 2);
      // The next halving needs fresh evidence at the new rate.
      this.recent = [];
    }
  }

  /** After a send SES accepted: 10% faster, up to the target. */
  recover(): void {
    this.remember(false);
    this.current = Math.min(this.target, this.current * 1.1);
  }

  private remember(throttled: boolean) {
    this.recent.push(throttled);
    if (this.recent.length > throttleWindow) this.recent.shift();
  }
}

export const backoffBaseMs = 200;
export const backoffCapMs = 20_000;

/**
 * How long to wait before retry number `attempt` (0 for the first retry): exponential with full
 * jitter (a random share of base·2^attempt, capped), so retries from several senders spread out.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
