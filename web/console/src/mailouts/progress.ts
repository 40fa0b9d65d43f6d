/** The live progress of a sending mail-out in words: pure, from the API's figures. */
import type { MailoutSummary } from './types';

/** Recipients the dispatcher has finished with (sent, failed, or skipped at send time). */
export const settledOf = (mailout: MailoutSummary): number => mailout.sent + mailout.failed + mailout.skipped;

/** Seconds until the rest is sent at the rate achieved so far; null when it cannot be told. */
export function secondsLeft(mailout: MailoutSummary): number | null {
  const remaining = Math.max(0, mailout.audienceSize - settledOf(mailout));
  if (remaining === 0) return 0;
  if (!mailout.sendRatePerSecond || mailout.sendRatePerSecond <= 0) return null;
  return Math.ceil(remaining / mailout.sendRatePerSecond);
}

export function durationWords(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** E.g. "12 of 40 sent (30%) · 3.5 a second · 1 failed · about 8 s left". */
export function progressSummary(mailout: MailoutSummary): string {
  const parts = [`${mailout.sent} of ${mailout.audienceSize} sent (${Math.floor(mailout.percentDone)}%)`];
  if (mailout.sendRatePerSecond !== null) parts.push(`${mailout.sendRatePerSecond} a second`);
  parts.push(plural(mailout.failed, 'failed', 'failed'));
  if (mailout.skipped > 0) parts.push(`${mailout.skipped} skipped (no longer mailable)`);
  if (mailout.state === 'sending') {
    const left = secondsLeft(mailout);
    parts.push(left === null ? 'time left not known yet' : `about ${durationWords(left)} left`);
  }
  if (mailout.state === 'paused')
    parts.push(
      mailout.pausedReason === 'staff'
        ? 'paused by staff'
        : `paused itself${mailout.pausedReason ? ` (${mailout.pausedReason})` : ''}`,
    );
  return parts.join(' · ');
}

/**
 * What to announce to screen-reader users after a refresh: only when a quarter is crossed or the
 * sending ends, never on every tick. `lastQuarter` is the last quarter announced (0 to 4).
 */
export function milestone(
  mailout: MailoutSummary,
  lastQuarter: number,
): { quarter: number; message: string } | undefined {
  if (mailout.state === 'sent' || mailout.state === 'cancelled') {
    if (lastQuarter >= 4) return undefined;
    const verb = mailout.state === 'sent' ? 'Mail-out sent' : 'Mail-out cancelled';
    return {
      quarter: 4,
      message: `${verb}: ${mailout.sent} of ${mailout.audienceSize} sent, ${plural(mailout.failed, 'failure', 'failures')}.`,
    };
  }
  const quarter = Math.min(3, Math.floor(mailout.percentDone / 25));
  if (quarter <= lastQuarter) return undefined;
  return {
    quarter,
    message: `Sending: ${quarter * 25}% done, ${mailout.sent} of ${mailout.audienceSize} sent.`,
  };
}
