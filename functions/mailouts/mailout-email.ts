/**
 * A mail-out as an e-mail: its body, rendered from Markdown when the draft was saved
 * (domain/render-markdown.ts), put into the alliance's layout with the recipient's links, as HTML and
 * plain text. Pure, and free of the Markdown parser: the senders import this, per recipient.
 */
import { config } from '../../shared/config';
import { noTrack, type RenderedEmail } from '../../shared/email/render';
import { escapeHtml, oneLine } from '../../shared/escape';
import { footerLinksFor, type MemberLinks } from '../../shared/member-links';
import { colour, muted, rule } from './domain/email-palette';
import type { RenderedBody } from './domain/stored-body';

/** The hidden preview text many inboxes show beside the subject; padding keeps the body out of it. */
const preheaderHtml = (preheader: string) =>
  `<span style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f6f7f9;opacity:0">${escapeHtml(preheader)}${'&#8199;&#65279;&#847; '.repeat(20)}</span>`;

export const testLinksNote = '(links appear here in the real mail-out)';

/**
 * A mail-out e-mail for one recipient (`links` are theirs), or a test (subject marked "[TEST] "; without
 * links the footer says where they will be). A real mail-out without links is a programming error.
 */
export function mailoutEmail(
  mailout: { subject: string; body: RenderedBody; preheader?: string },
  links: MemberLinks | undefined,
  options: { test?: boolean } = {},
): RenderedEmail {
  if (!links && !options.test) throw new Error('A mail-out e-mail needs the member’s unsubscribe links');
  const subject = `${options.test ? '[TEST] ' : ''}${oneLine(mailout.subject).slice(0, 200)}`;
  const preheader = oneLine(mailout.preheader ?? '');
  const { body } = mailout;
  const footerLinks = links ? footerLinksFor(links) : undefined;

  const footerLinksHtml = footerLinks
    ? footerLinks
        .map(
          // Token-carrying links are not rewritten by SES click tracking; the body's links are.
          (link) =>
            `<a href="${escapeHtml(link.url)}" ${noTrack} style="color:${muted}">${escapeHtml(link.label)}</a>`,
        )
        .join(' · ')
    : `Manage your preferences · Unsubscribe ${escapeHtml(testLinksNote)}`;
  const testBanner = options.test
    ? `<p style="margin:0 0 16px;padding:8px 12px;background:#fff4ce;border-radius:4px;font-size:14px">This is a test of a mail-out. It was not sent to members.</p>\n`
    : '';
  const html = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;background:#f6f7f9;font-family:Arial,Helvetica,sans-serif;color:#1b1f24">
${preheader ? preheaderHtml(preheader) : ''}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px">
<tr><td style="background:${colour};color:#ffffff;padding:16px 24px;font-weight:bold;border-radius:8px 8px 0 0">${escapeHtml(config.alliance.name)}</td></tr>
<tr><td style="padding:24px;font-size:16px;line-height:1.5">
${testBanner}${body.html}</td></tr>
<tr><td style="padding:16px 24px;font-size:12px;color:${muted};border-top:1px solid ${rule}">${escapeHtml(config.branding.footer)}<br>${footerLinksHtml}</td></tr>
</table></td></tr></table>
</body></html>`;

  const textParts = [
    ...(options.test ? ['This is a test of a mail-out. It was not sent to members.'] : []),
    body.text.trimEnd(),
    '--',
    config.branding.footer,
    ...(footerLinks
      ? footerLinks.map((link) => `${link.label}: ${link.url}`)
      : [`Manage your preferences: ${testLinksNote}`, `Unsubscribe: ${testLinksNote}`]),
  ];
  return { subject, html, text: `${textParts.join('\n\n')}\n` };
}
