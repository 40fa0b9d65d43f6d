/** Transactional e-mail layout: one HTML and one plain-text rendering of the same message. */
import { config } from '../config';
import { escapeHtml, oneLine } from '../escape';

export interface EmailContent {
  subject: string;
  /** Plain paragraphs of text; user text may be in them, they are escaped for HTML. */
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Several links offered side by side (a rating from 1 to 5), after the paragraphs; one a line in the text part. */
  choices?: Array<{ label: string; url: string }>;
  /** Links shown in the footer of every member e-mail (preferences, unsubscribe). */
  footerLinks?: Array<{ label: string; url: string }>;
}

/**
 * SES click tracking (on while the configuration set reports Click events) would rewrite every link
 * through its tracking domain; this attribute keeps a link as written. Every link in a transactional
 * e-mail carries a token (confirm, RSVP, preferences, unsubscribe, feedback), so none is tracked.
 */
export const noTrack = 'ses:no-track';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function renderEmail(content: EmailContent): RenderedEmail {
  const colour = config.branding.primaryColour;
  const subject = oneLine(content.subject).slice(0, 200);
  const paragraphsHtml = content.paragraphs
    .map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`)
    .join('\n');
  const actionHtml = content.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" ${noTrack} style="background:${colour};color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(content.action.label)}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#4a5160">If the button does not work, copy this address into your browser:<br><a href="${escapeHtml(content.action.url)}" ${noTrack}>${escapeHtml(content.action.url)}</a></p>`
    : '';
  const choicesHtml = content.choices?.length
    ? `<p style="margin:24px 0">${content.choices
        .map(
          (choice) =>
            `<a href="${escapeHtml(choice.url)}" ${noTrack} style="background:${colour};color:#ffffff;padding:10px 14px;border-radius:6px;text-decoration:none;display:inline-block;margin:0 8px 8px 0">${escapeHtml(choice.label)}</a>`,
        )
        .join('\n')}</p>`
    : '';
  const footerLinksHtml = (content.footerLinks ?? [])
    .map(
      (link) =>
        `<a href="${escapeHtml(link.url)}" ${noTrack} style="color:#4a5160">${escapeHtml(link.label)}</a>`,
    )
    .join(' · ');
  const html = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;background:#f6f7f9;font-family:Arial,Helvetica,sans-serif;color:#1b1f24">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px">
<tr><td style="background:${colour};color:#ffffff;padding:16px 24px;font-weight:bold;border-radius:8px 8px 0 0">${escapeHtml(config.alliance.name)}</td></tr>
<tr><td style="padding:24px;font-size:16px;line-height:1.5">
${paragraphsHtml}
${choicesHtml}
${actionHtml}
</td></tr>
<tr><td style="padding:16px 24px;font-size:12px;color:#4a5160;border-top:1px solid #e3e6ea">${escapeHtml(config.branding.footer)}${footerLinksHtml ? `<br>${footerLinksHtml}` : ''}</td></tr>
</table></td></tr></table>
</body></html>`;
  const textParts = [...content.paragraphs];
  for (const choice of content.choices ?? []) textParts.push(`${choice.label}: ${choice.url}`);
  if (content.action) textParts.push(`${content.action.label}: ${content.action.url}`);
  textParts.push('--', config.branding.footer);
  for (const link of content.footerLinks ?? []) textParts.push(`${link.label}: ${link.url}`);
  return { subject, html, text: `${textParts.join('\n\n')}\n` };
}
