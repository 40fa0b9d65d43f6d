import { describe, expect, it } from 'vitest';
import { feedbackRequestEmail } from '../../functions/feedback/feedback-email';
import { feedbackPage, thanksPage } from '../../functions/feedback/feedback-page';

const activity = { title: '<script>alert(1)</script> & "Mobility"', startsAt: '2027-01-14T14:00:00Z' };

describe('the feedback e-mail', () => {
  it('has five links, one per rating, to the feedback page with the same token', () => {
    const email = feedbackRequestEmail(activity, 'Ada', 'tok.en.x');

    for (const rating of [1, 2, 3, 4, 5]) {
      expect(email.text).toContain(`/api/feedback?token=tok.en.x&rating=${rating}`);
      expect(email.html).toContain(`/api/feedback?token=tok.en.x&amp;rating=${rating}`);
    }
    expect(email.text.match(/\/api\/feedback\?token=/g)).toHaveLength(5);
    expect(email.text).toContain('1 – Very poor');
    expect(email.text).toContain('5 – Excellent');
  });

  it("escapes the activity's title and the person's name in the HTML part", () => {
    const email = feedbackRequestEmail(activity, '<b>Ada</b>', 'tok');

    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<b>Ada</b>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Mobility&quot;');
    expect(email.subject).toBe('How was <script>alert(1)</script> & "Mobility"?');
  });

  it("carries a member's preferences and unsubscribe links, and none for a guest", () => {
    const links = { preferencesUrl: 'https://x/preferences', unsubscribeUrl: 'https://x/unsubscribe' };
    expect(feedbackRequestEmail(activity, 'Ada', 'tok', links).text).toContain('https://x/unsubscribe');
    expect(feedbackRequestEmail(activity, 'Ada', 'tok').text).not.toContain('Unsubscribe');
  });
});

describe('the feedback page', () => {
  const page = (chosen?: 1 | 2 | 3 | 4 | 5, comment = '') =>
    feedbackPage({ activity, action: '/api/feedback?token=a&b', chosen, comment, answeredBefore: false });

  it('shows five radio buttons in a fieldset with the rating from the link chosen, and nothing else chosen', () => {
    const html = page(4);

    expect(html.match(/type="radio"/g)).toHaveLength(5);
    expect(html).toMatch(/<fieldset>\s*<legend>/);
    expect(html.match(/ checked/g)).toHaveLength(1);
    expect(html).toContain('value="4" required checked');
    expect(page().match(/ checked/g)).toBeNull();
  });

  it('has a labelled comment box of at most 1000 characters, a button, and posts back to the link', () => {
    const html = page(3);

    expect(html).toContain('<label for="comment">');
    expect(html).toMatch(/<textarea id="comment" name="comment" rows="5" maxlength="1000"/);
    expect(html).toContain('<form method="post" action="/api/feedback?token=a&amp;b">');
    expect(html).toContain('<button type="submit">Send my feedback</button>');
  });

  it('escapes the title and an earlier comment, and carries no script', () => {
    const html = page(3, '</textarea><script>alert(2)</script>');

    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(thanksPage(activity.title, 5, true)).not.toContain('<script>');
  });
});
