import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../functions/mailouts/domain/render-markdown';
import { mailoutEmail } from '../../functions/mailouts/mailout-email';
import { handler as previewMailout } from '../../functions/mailouts/preview-mailout';
import { context, httpEvent } from './http-event';

function preview(body: unknown, groups: string[] = ['staff']) {
  const event = httpEvent('POST /api/mailouts/preview', { body });
  event.requestContext.authorizer.jwt.claims = { 'cognito:groups': groups };
  return previewMailout(event, context);
}

describe('previewing a mail-out', () => {
  it('answers the subject, HTML and text a recipient gets, from the sender’s renderer', async () => {
    const draft = {
      subject: 'Spring update',
      markdown: '# Hello\n\nSee [the map](https://example.org/map).',
    };
    const answer = await preview(draft);
    expect(answer.statusCode).toBe(200);
    const shown = JSON.parse(answer.body) as { subject: string; html: string; text: string };
    const sent = mailoutEmail(
      { subject: draft.subject, body: renderMarkdown(draft.markdown) },
      {
        preferencesUrl: 'https://x/preferences.html?token=preview',
        unsubscribeUrl: 'https://x/api/unsubscribe?token=preview',
      },
    );
    expect(shown.subject).toBe('Spring update');
    expect(shown.html.replace(/https?:\/\/[^/"]+\/(preferences|api\/unsubscribe)/g, '$1')).toBe(
      sent.html.replace(/https:\/\/x\/(preferences|api\/unsubscribe)/g, '$1'),
    );
    expect(shown.html).toContain('<h1 style=');
    expect(shown.html).not.toContain('This is a test');
    expect(shown.text).toContain('the map (https://example.org/map)');
    expect(shown.text).toMatch(/Unsubscribe: https?:\/\/\S+\/api\/unsubscribe\?token=preview/);
  });

  it('shows Markdown’s raw HTML as text, never as markup', async () => {
    const answer = await preview({ subject: 'S', markdown: '<script>alert(1)</script> <b>bold</b>' });
    const { html } = JSON.parse(answer.body) as { html: string };
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('names the fields that need attention, as the draft would', async () => {
    const answer = await preview({ subject: '', markdown: '  ' });
    expect(answer.statusCode).toBe(400);
    const fields = (
      JSON.parse(answer.body) as { error: { details: Array<{ field: string }> } }
    ).error.details.map((problem) => problem.field);
    expect(fields).toEqual(expect.arrayContaining(['subject', 'markdown']));
  });

  it('is for staff only', async () => {
    const answer = await preview({ subject: 'S', markdown: 'x' }, ['analyst']);
    expect(answer.statusCode).toBe(403);
  });
});
