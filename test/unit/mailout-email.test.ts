import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../functions/mailouts/domain/render-markdown';
import { mailoutEmail } from '../../functions/mailouts/mailout-email';
import { config } from '../../shared/config';

const links = {
  preferencesUrl: 'https://alliance.example.org/preferences.html?token=p.q.r',
  unsubscribeUrl: 'https://alliance.example.org/api/unsubscribe?token=u.v.w',
};
const markdown =
  '# Autumn update\n\nOur **next meeting** is on [the events page](https://example.org/events).';
/** A mail-out as the senders have it: the body rendered when the draft was saved. */
const mailout = { subject: 'Autumn update', body: renderMarkdown(markdown) };

describe('the Markdown body', () => {
  it('renders headings, emphasis and links, each link with rel="noopener"', () => {
    const { html } = renderMarkdown(markdown);
    expect(html).toMatch(/<h1[^>]*>Autumn update<\/h1>/);
    expect(html).toContain('<strong>next meeting</strong>');
    expect(html).toMatch(/<a href="https:\/\/example\.org\/events"[^>]* rel="noopener">the events page<\/a>/);
  });

  it('shows raw HTML in the Markdown as text, never as markup', () => {
    const { html, text } = renderMarkdown('Hello <script>alert(1)</script> <img src=x onerror=alert(2)>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('refuses javascript:, data: and relative links, leaving their text', () => {
    const { html } = renderMarkdown(
      '[one](javascript:alert(1)) [two](data:text/html;base64,PHNjcmlwdD4=) [three](/events) [four](mailto:hello@example.org)',
    );
    expect(html).not.toMatch(/href="(javascript|data|\/events)/);
    expect(html).toContain('[one](javascript:alert(1))');
    expect(html).toContain('href="mailto:hello@example.org"');
  });

  it('turns bare web addresses into links', () => {
    expect(renderMarkdown('See https://example.org/a for more.').html).toContain(
      '<a href="https://example.org/a"',
    );
  });

  it('gives a readable plain-text version: headings on their own lines, bullets, links with their address', () => {
    const { text } = renderMarkdown(
      '## Dates\n\nCome to [the festival](https://example.org/f) &amp; bring a friend.\n\n- Mobility\n- Energy\n  - Heat\n\n1. First\n2. Second',
    );
    expect(text).toBe(
      [
        'Dates',
        '-----',
        '',
        'Come to the festival (https://example.org/f) & bring a friend.',
        '',
        '- Mobility',
        '- Energy',
        '  - Heat',
        '',
        '1. First',
        '2. Second',
        '',
      ].join('\n'),
    );
  });

  it('does not repeat an address that is its own label in the text version', () => {
    expect(renderMarkdown('Visit https://example.org/x today').text).toBe(
      'Visit https://example.org/x today\n',
    );
  });
});

describe('the mail-out e-mail', () => {
  it('puts the stored body into the layout as it was saved, without parsing it again', () => {
    const saved = { html: '<p>Saved **as is**</p>\n', text: 'Saved **as is**\n' };
    const email = mailoutEmail({ subject: 'Saved', body: saved }, links);
    expect(email.html).toContain('<p>Saved **as is**</p>');
    expect(email.html).not.toContain('<strong>');
    expect(email.text).toBe(
      `${[
        'Saved **as is**',
        '--',
        config.branding.footer,
        `Manage your preferences: ${links.preferencesUrl}`,
        `Unsubscribe: ${links.unsubscribeUrl}`,
      ].join('\n\n')}\n`,
    );
  });

  it('wears the alliance layout: name in the header bar, the footer and the member links', () => {
    const email = mailoutEmail(mailout, links);
    expect(email.subject).toBe('Autumn update');
    expect(email.html).toContain(config.alliance.name);
    expect(email.html).toContain(config.branding.primaryColour);
    expect(email.html).toContain(config.branding.footer);
    expect(email.html).toMatch(
      /<a href="[^"]*preferences\.html\?token=p\.q\.r"[^>]*>Manage your preferences<\/a>/,
    );
    expect(email.html).toMatch(/<a href="[^"]*unsubscribe\?token=u\.v\.w"[^>]*>Unsubscribe<\/a>/);
    expect(email.text).toContain(`Unsubscribe: ${links.unsubscribeUrl}`);
    expect(email.text).toContain(`Manage your preferences: ${links.preferencesUrl}`);
    expect(email.text).toContain('Our next meeting is on the events page (https://example.org/events).');
  });

  it('SES click tracking leaves the token-carrying footer links as written and tracks the body links', () => {
    const email = mailoutEmail(mailout, links);
    const anchors = email.html.match(/<a [^>]*>/g) ?? [];
    const footer = anchors.filter((anchor) => anchor.includes('token='));
    expect(footer).toHaveLength(2);
    for (const anchor of footer) expect(anchor).toContain(' ses:no-track ');
    const body = anchors.filter((anchor) => !anchor.includes('token='));
    expect(body.length).toBeGreaterThan(0);
    for (const anchor of body) expect(anchor).not.toContain('ses:no-track');
  });

  it('puts the preheader, escaped, in a hidden preview span at the top of the body', () => {
    const email = mailoutEmail({ ...mailout, preheader: 'Dates & <b>venues</b>' }, links);
    const body = email.html.slice(email.html.indexOf('<body'));
    const span = body.match(/<span style="([^"]*)">([^<]*)<\/span>/);
    expect(span?.[1]).toContain('display:none');
    expect(span?.[1]).toContain('max-height:0');
    expect(span?.[1]).toContain('overflow:hidden');
    expect(span?.[1]).toContain('mso-hide:all');
    expect(span?.[2]).toContain('Dates &amp; &lt;b&gt;venues&lt;/b&gt;');
    expect(body.indexOf('<span')).toBeLessThan(body.indexOf('<table'));
  });

  it('has no preview span without a preheader', () => {
    expect(mailoutEmail(mailout, links).html).not.toContain('display:none');
  });

  it('escapes the subject in the HTML and keeps line breaks out of it', () => {
    const email = mailoutEmail({ ...mailout, subject: 'News <i>now</i>\r\nBcc: x@example.org' }, links);
    expect(email.subject).toBe('News <i>now</i> Bcc: x@example.org');
    expect(email.html).toContain('<title>News &lt;i&gt;now&lt;/i&gt; Bcc: x@example.org</title>');
  });

  it('a test send is marked in the subject and says where the links will go', () => {
    const email = mailoutEmail(mailout, undefined, { test: true });
    expect(email.subject).toBe('[TEST] Autumn update');
    expect(email.html).toContain('(links appear here in the real mail-out)');
    expect(email.text).toContain('Unsubscribe: (links appear here in the real mail-out)');
    expect(email.html).not.toContain('token=');
  });

  it('a real mail-out cannot be rendered without the member links', () => {
    expect(() => mailoutEmail(mailout, undefined)).toThrow(/links/);
  });
});
