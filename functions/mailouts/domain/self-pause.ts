/** When a running mail-out stops itself to protect the sender's reputation. Pure. */

export type SelfPauseReason = 'bounce-rate' | 'complaint-rate';

/**
 * The reason to pause, once at least `minimumSends` have gone out and a rate reaches its threshold.
 * `bounced` counts permanent bounces only (transient ones say nothing about the list). Complaints are
 * checked first: they harm the sender's reputation most, so staff should hear about them first.
 */
export function selfPauseReason(
  counts: { sent: number; bounced: number; complained: number },
  rules: { minimumSends: number; bounceRate: number; complaintRate: number },
): SelfPauseReason | undefined {
  if (counts.sent < rules.minimumSends || counts.sent <= 0) return undefined;
  if (counts.complained / counts.sent >= rules.complaintRate) return 'complaint-rate';
  if (counts.bounced / counts.sent >= rules.bounceRate) return 'bounce-rate';
  return undefined;
}
