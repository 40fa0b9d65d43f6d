import { config } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { sendEmail } from '../../shared/email/send';
import { logger } from '../../shared/logger';
import { listUnsubscribeHeaders, memberLinks } from '../../shared/member-links';
import { issueToken } from '../../shared/tokens';
import { alreadyMemberEmail, confirmationEmail, preferencesLinkEmail } from './member-emails';
import { getMember } from './member-store';

/**
 * A registration, a repeated one or a request for a fresh link: someone still pending gets a
 * confirmation e-mail; a confirmed member gets "already a member", or their preferences link.
 */
export const handler = consumer(
  'send-registration-email',
  ['MemberRegistered', 'MemberRegistrationRepeated', 'MemberLinkRequested'] as const,
  async ({ detailType, detail }) => {
    const member = await getMember(detail.memberId);
    if (!member) {
      logger.info('member gone before the registration e-mail was sent');
      return;
    }
    if (member.status === 'confirmed') {
      const links = await memberLinks(member.memberId);
      const email =
        detailType === 'MemberLinkRequested'
          ? preferencesLinkEmail(member, links)
          : alreadyMemberEmail(member, links);
      await sendEmail({
        to: member.email,
        email,
        headers: listUnsubscribeHeaders(links),
        tags: { kind: 'member-link' },
      });
      return;
    }
    const token = await issueToken('confirm', member.memberId, config.limits.confirmTokenHours * 3600);
    await sendEmail({
      to: member.email,
      email: confirmationEmail(member, token),
      tags: { kind: 'confirmation' },
    });
  },
);
