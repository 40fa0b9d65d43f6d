/**
 * The local SES endpoint's fault mode and quota: a share of sends answered as SES answers a send
 * over the rate (HTTP 429 TooManyRequestsException), a share rejected (HTTP 400 MessageRejected),
 * optionally the account's maximum send rate enforced as SES does, and the counts of each.
 */

export interface FaultSettings {
  /** Share of SendEmail calls answered 429 TooManyRequestsException (0 to 1). */
  throttleShare: number;
  /** Share of SendEmail calls answered 400 MessageRejected (0 to 1). */
  rejectShare: number;
  /** What GetAccount reports as SendQuota.MaxSendRate (e-mails per second). */
  maxSendRate: number;
  /** Throttle every send above `maxSendRate` (a one-second bucket), as SES does. Off by default. */
  enforceRate: boolean;
}

export interface FaultCounts {
  accepted: number;
  throttled: number;
  rejected: number;
}

export type SendDecision = 'accept' | 'throttle' | 'reject';

/** SES's default quota for an account out of the sandbox, before it asks for more. */
export const max24HourSend = 50_000;

export class SesFaults {
  settings: FaultSettings;
  readonly counts: FaultCounts = { accepted: 0, throttled: 0, rejected: 0 };
  /** Accepted sends per minute, for SentLast24Hours. */
  private readonly perMinute: Array<{ minute: number; count: number }> = [];
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly defaults: FaultSettings,
    private readonly random: () => number = Math.random,
  ) {
    this.settings = { ...defaults };
    this.tokens = defaults.maxSendRate;
  }

  /** What happens to one SendEmail call; counts it (an accepted one is counted by `accepted`). */
  decide(now = Date.now()): SendDecision {
    const draw = this.random();
    if (draw < this.settings.throttleShare || !this.takeToken(now)) {
      this.counts.throttled++;
      return 'throttle';
    }
    if (draw < this.settings.throttleShare + this.settings.rejectShare) {
      this.counts.rejected++;
      return 'reject';
    }
    return 'accept';
  }

  /** The emulator took the message: it counts as sent. */
  accepted(now = Date.now()): void {
    this.counts.accepted++;
    this.countSent(now);
  }

  /** One more message in SentLast24Hours (also those remembered from before a restart, oldest first). */
  countSent(at: number): void {
    const minute = Math.floor(at / 60_000);
    const last = this.perMinute.at(-1);
    if (last?.minute === minute) last.count++;
    else this.perMinute.push({ minute, count: 1 });
  }

  sentLast24Hours(now = Date.now()): number {
    const since = Math.floor(now / 60_000) - 24 * 60;
    while ((this.perMinute[0]?.minute ?? Number.POSITIVE_INFINITY) <= since) this.perMinute.shift();
    return this.perMinute.reduce((sum, bucket) => sum + bucket.count, 0);
  }

  /** Applies a POST body; answers the problems (nothing is changed when there are any). */
  update(body: unknown): string[] {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return ['send a JSON object: { "throttleShare": 0..1, "rejectShare": 0..1, "maxSendRate"?: n }'];
    const input = body as Record<string, unknown>;
    const problems: string[] = [];
    const known = ['throttleShare', 'rejectShare', 'maxSendRate', 'enforceRate'];
    for (const key of Object.keys(input))
      if (!known.includes(key)) problems.push(`${key}: unknown setting (known: ${known.join(', ')})`);
    const share = (key: 'throttleShare' | 'rejectShare') => {
      const value = input[key];
      if (value === undefined) return this.settings[key];
      if (typeof value !== 'number' || !(value >= 0 && value <= 1))
        problems.push(`${key}: a number from 0 to 1`);
      return Number(value);
    };
    const throttleShare = share('throttleShare');
    const rejectShare = share('rejectShare');
    if (throttleShare + rejectShare > 1) problems.push('throttleShare + rejectShare must be at most 1');
    const rate = input.maxSendRate ?? this.settings.maxSendRate;
    if (typeof rate !== 'number' || !(rate > 0 && rate <= 100_000))
      problems.push('maxSendRate: a number of e-mails per second above 0');
    const enforceRate = input.enforceRate ?? this.settings.enforceRate;
    if (typeof enforceRate !== 'boolean') problems.push('enforceRate: true or false');
    if (problems.length > 0) return problems;
    this.settings = {
      throttleShare,
      rejectShare,
      maxSendRate: rate as number,
      enforceRate: enforceRate as boolean,
    };
    this.tokens = Math.min(this.tokens, this.settings.maxSendRate);
    return [];
  }

  /** Back to the start-up settings, counts zeroed. */
  reset(): void {
    this.settings = { ...this.defaults };
    this.counts.accepted = 0;
    this.counts.throttled = 0;
    this.counts.rejected = 0;
  }

  view(now = Date.now()) {
    return { ...this.settings, ...this.counts, sentLast24Hours: this.sentLast24Hours(now) };
  }

  /** A one-second token bucket at the maximum send rate, when the rate is enforced. */
  private takeToken(now: number): boolean {
    const rate = this.settings.maxSendRate;
    this.tokens = Math.min(rate, this.tokens + (Math.max(0, now - this.refilledAt) / 1000) * rate);
    this.refilledAt = Math.max(this.refilledAt, now);
    if (!this.settings.enforceRate) return true;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}

/** SES's own GetAccount answer (API v2), with the quota this endpoint keeps. */
export function getAccountAnswer(faults: SesFaults, now = Date.now()) {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: {
      Max24HourSend: max24HourSend,
      MaxSendRate: faults.settings.maxSendRate,
      SentLast24Hours: faults.sentLast24Hours(now),
    },
    SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
  };
}
