/** Reaching a member through a signed link: the token's purpose decides what the holder may do. */
import { config, publicBaseUrl } from '../../shared/config';
import { Gone } from '../../shared/errors';
import { issueToken, type TokenPurpose, verifyToken } from '../../shared/tokens';
import { getMember, type MemberProfile } from './member-store';

/** The member a link belongs to; a 410 when they have been erased or expired since it was sent. */
export async function memberFromToken(
  purpose: TokenPurpose,
  token: string | undefined,
): Promise<MemberProfile> {
  const memberId = await verifyToken(purpose, token);
  const member = await getMember(memberId);
  if (!member) {
    throw new Gone(
      'member_gone',
      'We no longer hold a membership for this link. You can register again at any time.',
    );
  }
  return member;
}

/** What a member sees of their own record on the preferences page. */
export const memberView = (member: MemberProfile) => ({
  name: member.name,
  email: member.email,
  organisation: member.organisation,
  organisationType: member.organisationType,
  networks: member.networks,
  interests: member.interests,
  newsletter: member.newsletter,
  status: member.status,
});

/** The actions the preferences page offers, each as a link scoped to its one purpose. */
export async function preferencesActions(memberId: string, preferencesToken: string) {
  const [unsubscribe, erase] = await Promise.all([
    issueToken('unsubscribe', memberId),
    issueToken('erase', memberId, config.limits.eraseTokenMinutes * 60),
  ]);
  const base = publicBaseUrl();
  return {
    unsubscribe: `${base}/api/unsubscribe?token=${encodeURIComponent(unsubscribe)}`,
    erase: `${base}/api/members/erase?token=${encodeURIComponent(erase)}`,
    data: `${base}/api/members/data?token=${encodeURIComponent(preferencesToken)}`,
  };
}
