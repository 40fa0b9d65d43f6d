/**
 * Suppression: an address SES reported as hard-bouncing or complaining gets no more mail-outs or
 * reminders (mail the person asks for, like a fresh link, still goes). Pure rules: no AWS.
 */
import { config } from '../../../shared/config';
import { type ConsentEntry, consentWording } from './registration';

export type SuppressionReason = 'bounce' | 'complaint';

/** What one suppression report does to the member the address belongs to. */
export interface SuppressionPlan {
  /** Stamp the profile (`suppressedAt`, `suppressedReason`), which takes it out of the audience. */
  stampsProfile: boolean;
  /**
   * Withdraw newsletter consent (a consent entry and MemberUnsubscribed): a complaint from someone
   * still subscribed. A complaint after they had unsubscribed withdraws nothing twice.
   */
  withdrawsNewsletter: boolean;
}

export function suppressionPlan(
  reason: SuppressionReason,
  member: { newsletter: boolean } | undefined,
): SuppressionPlan {
  return {
    stampsProfile: member !== undefined,
    withdrawsNewsletter: reason === 'complaint' && member?.newsletter === true,
  };
}

/** Why the address is suppressed, in the words the person's own data export shows. */
export const suppressionExplanation: Record<SuppressionReason, string> = {
  bounce:
    'Mail to this address bounced permanently, so we send it no more e-mail updates or reminders. Messages you ask for (like a fresh link) are still sent.',
  complaint:
    'An e-mail update to this address was reported as spam, so we stopped e-mail updates and send it no more of them or reminders. Messages you ask for (like a fresh link) are still sent.',
};

/** The consent record's entry for a complaint: newsletter consent withdrawn, and why. */
export function complaintWithdrawal(at: string, mailoutId?: string): ConsentEntry {
  return {
    purpose: 'newsletter',
    action: 'withdrawn',
    formVersion: config.alliance.currentFormVersion,
    wording: consentWording.newsletter,
    method: 'complaint',
    at,
    reason: `The recipient's mailbox provider reported ${
      mailoutId ? `the mail-out ${mailoutId}` : 'an e-mail update'
    } as spam (a complaint), so newsletter consent was withdrawn and the address suppressed.`,
  };
}
