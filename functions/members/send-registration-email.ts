import { config } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { sendEmail } from '../../shared/email/send';
import { logger } from '../../shared/logger';
import { issueToken } from '../../shared/tokens';
import { alreadyMemberEmail, confirmationEmail } from './member-emails';
import { getMember } from './member-store';

/** A new or repeated registration gets a confirmation e-mail; a confirmed member gets "already a member". */
export const handler = consumer(
  'send-registration-email',
  ['MemberRegistered', 'MemberRegistrationRepeated'] as const,
  async ({ detail }) => {
    const member = await getMember(detail.memberId);
    if (!member) {
      logger.info('member gone before the registration e-mail was sent');
      return;
    }
    if (member.status === 'confirmed') {
      await sendEmail({
        to: member.email,
        email: alreadyMemberEmail(member),
        tags: { kind: 'already-member' },
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
