import { config, publicBaseUrl } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { renderEmail } from '../../shared/email/render';
import { sendEmail } from '../../shared/email/send';
import { getMailout } from './mailout-store';

const percent = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(2)}%` : '0%');

/** Tells staff when a mail-out paused itself (bounce or complaint rate), and why. */
export const handler = consumer('notify-mailout-paused', ['MailoutPaused'], async ({ detail }) => {
  if (detail.reason === 'staff') return;
  const mailout = await getMailout(detail.mailoutId, false);
  if (!mailout) return;
  const rules = config.mail.selfPause;
  const why =
    detail.reason === 'ses-account'
      ? 'SES refused to send for the whole account (sending paused, or the sender identity is not verified)'
      : detail.reason === 'bounce-rate'
        ? `its hard-bounce rate reached ${percent(detail.bounced, detail.sent)} (${detail.bounced} of ${detail.sent} sent; the limit is ${percent(rules.bounceRate, 1)})`
        : `its complaint rate reached ${percent(detail.complained, detail.sent)} (${detail.complained} of ${detail.sent} sent; the limit is ${percent(rules.complaintRate, 1)})`;
  await sendEmail({
    to: config.mail.staffAddress,
    email: renderEmail({
      subject: `Mail-out paused: ${mailout.subject}`,
      paragraphs: [
        `The mail-out "${mailout.subject}" paused itself because ${why}.`,
        detail.reason === 'ses-account'
          ? 'Nobody else gets it until SES sends again for the account. Check the SES console, then resume or cancel the mail-out.'
          : 'SES reviews accounts whose bounce or complaint rates stay this high, so nobody else gets it until you look. Check the recipients list for the addresses that bounced or complained, then resume or cancel the mail-out.',
      ],
      action: { label: 'Open the mail-out', url: `${publicBaseUrl()}/api/mailouts/${mailout.mailoutId}` },
    }),
    tags: { category: 'staff-notice' },
  });
});
