import { consumer } from '../../shared/consumer';
import { sendEmail } from '../../shared/email/send';
import { logger } from '../../shared/logger';
import { listUnsubscribeHeaders, memberLinks } from '../../shared/member-links';
import { welcomeEmail } from './member-emails';
import { getMember } from './member-store';

export const handler = consumer('send-welcome-email', ['MemberConfirmed'] as const, async ({ detail }) => {
  const member = await getMember(detail.memberId);
  if (!member) {
    logger.info('member gone before the welcome e-mail was sent');
    return;
  }
  const links = await memberLinks(member.memberId);
  await sendEmail({
    to: member.email,
    email: welcomeEmail(member, links),
    headers: listUnsubscribeHeaders(links),
    tags: { kind: 'welcome' },
  });
});
