/**
 * What the mail-out API says of a mail-out's state and progress. Types only, with no imports, so the
 * console's browser code reads the very same declarations the API builds its answers from.
 */
export type MailoutState = 'draft' | 'scheduled' | 'sending' | 'paused' | 'sent' | 'cancelled';

export interface MailoutProgress {
  state: MailoutState;
  audienceSize: number;
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
  delivered: number;
  bounced: number;
  bouncedPermanent: number;
  bouncedTransient: number;
  complained: number;
  opens: { human: number; machine: number };
  uniqueReaders: number;
  clicks: number;
  unsubscribes: number;
  /** Share of the audience settled (sent, failed or skipped), 0..100 with one decimal. */
  percentDone: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Sends SES answered (sent or failed) per second since the start; null before it starts. */
  sendRatePerSecond: number | null;
  pausedReason: string | null;
}
