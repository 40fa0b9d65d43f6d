/** What every e-mail about a booking carries besides its words. */
import { listUnsubscribeHeaders, memberLinks } from '../../shared/member-links';
import { issueToken } from '../../shared/tokens';
import { rsvpLinkUrl } from './activity-emails';
import { rsvpSubject } from './domain/rsvp';

/** A member's preferences and unsubscribe links (and one-click headers); nothing for a guest. */
export async function memberExtras(memberId: string | undefined) {
  const links = memberId ? await memberLinks(memberId) : undefined;
  return { links, headers: links ? listUnsubscribeHeaders(links) : {} };
}

/** The link that cancels a booking or leaves the waitlist; it names the booking, not the person,
 * and does not expire. */
export const manageUrl = async (activityId: string, rsvpId: string): Promise<string> =>
  rsvpLinkUrl('cancel', await issueToken('rsvp-manage', rsvpSubject(activityId, rsvpId)));
