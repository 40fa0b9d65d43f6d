import { consumer } from '../../shared/consumer';
import { sendEmail } from '../../shared/email/send';
import { logger } from '../../shared/logger';
import { welcomeEmail } from './member-emails';
import { getMember } from './member-store';

export const handler = consumer('send-welcome-email', ['MemberConfirmed'] as const, async ({ detail }) => {
  const member = await getMember(detail.memberId);
  if (!member) {
    logger.info('member gone before the welcome e-mail was sent');
    return;
  }
  await sendEmail({ to: member.email, email: welcomeEmail(member), tags: { kind: 'welcome' } });
});
