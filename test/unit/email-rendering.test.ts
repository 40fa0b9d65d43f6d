import { describe, expect, it } from 'vitest';
import { confirmationEmail, welcomeEmail } from '../../functions/members/member-emails';
import { renderEmail } from '../../shared/email/render';
import { escapeHtml, oneLine } from '../../shared/escape';

describe("e-mails show people's own words safely", () => {
  it('escapes user text in the HTML part and keeps it readable in the text part', () => {
    const email = confirmationEmail({ name: '<img src=x onerror=alert(1)> & "Ada"' }, 'tok.en');

    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Ada&quot;');
    expect(email.html).not.toContain('<img src=x');
    expect(email.text).toContain('<img src=x onerror=alert(1)> & "Ada"');
  });

  it('puts the full confirm link in both the text and the HTML', () => {
    const email = confirmationEmail({ name: 'Ada' }, 'abc.def.ghi');
    expect(email.text).toContain('/api/members/confirm?token=abc.def.ghi');
    expect(email.html).toContain('/api/members/confirm?token=abc.def.ghi');
  });

  it('never lets a line break into the subject', () => {
    const email = renderEmail({ subject: 'Hello\r\nBcc: victim@example.org', paragraphs: [] });
    expect(email.subject).toBe('Hello Bcc: victim@example.org');
    expect(oneLine('a\u2028b\u0000c')).toBe('a b c');
  });

  it('names the networks a new member joined in the welcome e-mail', () => {
    expect(
      welcomeEmail(
        { name: 'Ada', networks: ['innovation-support-forum'] },
        { preferencesUrl: 'https://x/p', unsubscribeUrl: 'https://x/u' },
      ).text,
    ).toContain('Innovation Support Forum');
  });

  it('SES click tracking leaves every link as written: each carries a token (ses:no-track)', () => {
    const email = renderEmail({
      subject: 'Rate it',
      paragraphs: [],
      action: { label: 'Confirm', url: 'https://x/confirm?token=a.b.c' },
      choices: [{ label: '5', url: 'https://x/feedback?token=d.e.f&rating=5' }],
      footerLinks: [{ label: 'Unsubscribe', url: 'https://x/unsubscribe?token=g.h.i' }],
    });
    const anchors = email.html.match(/<a [^>]*>/g) ?? [];
    expect(anchors).toHaveLength(4);
    for (const anchor of anchors) expect(anchor).toMatch(/^<a href="[^"]*token=[^"]*" ses:no-track[ >]/);
  });

  it('escapes every character that matters in HTML', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});
