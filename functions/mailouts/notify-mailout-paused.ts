import { config, publicBaseUrl } from '../../shared/config';
import { consumer } from '../../shared/consumer';
import { renderEmail } from '../../shared/email/render';
import { sendEmail } from '../../shared/email/send';
import type { EventDetail } from '../../shared/events';
import { getMailout } from './mailout-store';

const percent = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(2)}%` : '0%');

type PauseReason = Exclude<EventDetail<'MailoutPaused'>['reason'], 'staff'>;

/** Why it paused, and what staff do about it. */
function explain(reason: PauseReason, detail: EventDetail<'MailoutPaused'>): { why: string; next: string } {
  const rules = config.mail.selfPause;
  const reviewed =
    'SES reviews accounts whose bounce or complaint rates stay this high, so nobody else gets it until you look. Check the recipients list for the addresses that bounced or complained, then resume or cancel the mail-out.';
  const body =
    'Nobody else gets it until it has a body to send. Open the draft and save it (any change will do), or resume it, which renders the body again; then check the preview.';
  switch (reason) {
    case 'ses-account':
      return {
        why: 'SES refused to send for the whole account (sending paused, or the sender identity is not verified)',
        next: 'Nobody else gets it until SES sends again for the account. Check the SES console, then resume or cancel the mail-out.',
      };
    case 'bounce-rate':
      return {
        why: `its hard-bounce rate reached ${percent(detail.bounced, detail.sent)} (${detail.bounced} of ${detail.sent} sent; the limit is ${percent(rules.bounceRate, 1)})`,
        next: reviewed,
      };
    case 'complaint-rate':
      return {
        why: `its complaint rate reached ${percent(detail.complained, detail.sent)} (${detail.complained} of ${detail.sent} sent; the limit is ${percent(rules.complaintRate, 1)})`,
        next: reviewed,
      };
    case 'body-not-rendered':
      return { why: 'it was saved by an earlier version, which kept no rendered body to send', next: body };
    case 'body-unreadable':
      return { why: 'its stored body could not be read', next: body };
  }
}

/** Tells staff when a mail-out paused itself, and why. */
export const handler = consumer('notify-mailout-paused', ['MailoutPaused'], async ({ detail }) => {
  if (detail.reason === 'staff') return;
  const mailout = await getMailout(detail.mailoutId, false);
  if (!mailout) return;
  const { why, next } = explain(detail.reason, detail);
  await sendEmail({
    to: config.mail.staffAddress,
    email: renderEmail({
      subject: `Mail-out paused: ${mailout.subject}`,
      paragraphs: [`The mail-out "${mailout.subject}" paused itself because ${why}.`, next],
      action: { label: 'Open the mail-out', url: `${publicBaseUrl()}/api/mailouts/${mailout.mailoutId}` },
    }),
    tags: { category: 'staff-notice' },
  });
});
