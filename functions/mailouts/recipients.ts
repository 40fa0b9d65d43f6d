/**
 * Who a mail-out goes to: the newsletter audience narrowed by its segment, or (a follow-up) the
 * former mail-out's recipients whose e-mail failed or bounced transiently. Either way each person is
 * checked again just before sending (they may have unsubscribed, been suppressed or erased since).
 */
import { audiencePages, getProfiles } from '../members/audience-store';
import { allDeliveries, type Delivery } from './delivery-store';
import { inSegment, mayReceiveMailouts } from './domain/audience';
import type { Mailout } from './mailout-store';

export interface Recipient {
  memberId: string;
  name: string;
  organisation: string;
}

/** A former mail-out's record that a follow-up resends to. */
export const undelivered = (delivery: Delivery): boolean =>
  delivery.state === 'failed' || (delivery.state === 'bounced' && delivery.bounceType === 'transient');

/**
 * The recipients as of now, a page at a time, in member order after `startAfter` (a member id):
 * the snapshot that fixes the audience when dispatch starts reads the same pages the preview counts.
 */
export async function* recipientPages(
  mailout: Mailout,
  startAfter?: string,
  pageSize = 200,
): AsyncGenerator<{ recipients: Recipient[]; lastMemberId?: string }> {
  if (mailout.source.kind === 'audience') {
    for await (const page of audiencePages(pageSize, startAfter)) {
      yield {
        recipients: page.members.filter((member) => inSegment(member, mailout.audience)),
        lastMemberId: page.lastMemberId,
      };
    }
    return;
  }
  for await (const deliveries of allDeliveries(mailout.source.mailoutId, pageSize)) {
    const candidates = deliveries.filter(
      (delivery) => undelivered(delivery) && (!startAfter || delivery.memberId > startAfter),
    );
    if (candidates.length === 0) continue;
    const profiles = await getProfiles(candidates.map((delivery) => delivery.memberId));
    const recipients: Recipient[] = [];
    for (const delivery of candidates) {
      const profile = profiles.get(delivery.memberId);
      if (!profile || !mayReceiveMailouts(profile)) continue;
      recipients.push({
        memberId: delivery.memberId,
        name: profile.name,
        organisation: profile.organisation,
      });
    }
    yield { recipients, lastMemberId: candidates.at(-1)?.memberId };
  }
}

/** The exact number of recipients as of now, and the first few of them. */
export async function countRecipients(
  mailout: Mailout,
  sampleSize: number,
): Promise<{ count: number; sample: Recipient[] }> {
  let count = 0;
  const sample: Recipient[] = [];
  for await (const page of recipientPages(mailout, undefined, 500)) {
    count += page.recipients.length;
    for (const recipient of page.recipients) if (sample.length < sampleSize) sample.push(recipient);
  }
  return { count, sample };
}
