/** Who a mail-out goes to. Pure: the store reads the newsletter audience, these rules narrow it. */
import type { AudienceMember } from '../../members/audience-store';
import { belongsInAudience } from '../../members/domain/audience';

/** A member the audience index holds: what segments and previews read. */
export type AudienceCandidate = AudienceMember;

/** A segment: each non-empty list narrows the audience; an absent or empty list does not. */
export interface Audience {
  networks?: string[];
  organisationTypes?: string[];
  interests?: string[];
}

const narrows = (list: string[] | undefined): list is string[] => list !== undefined && list.length > 0;
const sharesAny = (mine: string[], wanted: string[]) => mine.some((id) => wanted.includes(id));

/**
 * Whether a member is in the segment: AND across the lists, OR within a list (shares at least one
 * listed network, and has a listed organisation type, and shares at least one listed interest).
 */
export function inSegment(
  candidate: Pick<AudienceCandidate, 'organisationType' | 'networks' | 'interests'>,
  audience: Audience | undefined,
): boolean {
  if (!audience) return true;
  if (narrows(audience.networks) && !sharesAny(candidate.networks, audience.networks)) return false;
  if (narrows(audience.organisationTypes) && !audience.organisationTypes.includes(candidate.organisationType))
    return false;
  if (narrows(audience.interests) && !sharesAny(candidate.interests, audience.interests)) return false;
  return true;
}

/**
 * Whether a member may get mail-outs at all, checked again at send time: the members capability's
 * rule (confirmed, newsletter consent, not suppressed by a hard bounce or a complaint). Unsubscribed
 * members have newsletter false; erased ones have no profile.
 */
export function mayReceiveMailouts(
  profile: { status?: string; newsletter?: boolean; suppressedAt?: string } | undefined,
): boolean {
  if (profile?.status !== 'confirmed') return false;
  return belongsInAudience({
    status: profile.status,
    newsletter: profile.newsletter === true,
    suppressedAt: profile.suppressedAt,
  });
}
