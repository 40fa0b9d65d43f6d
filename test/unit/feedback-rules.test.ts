import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asksForFeedback,
  feedbackAnswerSchema,
  feedbackSearchWindow,
  normaliseComment,
  ratingFromLink,
  ratings,
  requestDecision,
  summariseFeedback,
} from '../../functions/feedback/domain/feedback';

const at = (iso: string) => new Date(iso);
const activity = (endsAt: string, status = 'scheduled') => ({ status, endsAt });
const erased = '(erased)';

describe('which activities ask their attendees for feedback', () => {
  it('asks once the activity has ended, not while it is on', () => {
    expect(asksForFeedback(activity('2027-01-14T16:00:00Z'), at('2027-01-14T15:59:00Z'), 14)).toBe(false);
    expect(asksForFeedback(activity('2027-01-14T16:00:00Z'), at('2027-01-14T16:00:00Z'), 14)).toBe(true);
    expect(asksForFeedback(activity('2027-01-14T16:00:00Z'), at('2027-01-20T09:00:00Z'), 14)).toBe(true);
  });

  it('asks nobody about an activity that ended more than maxAgeDays ago, so recording history mails no one', () => {
    expect(asksForFeedback(activity('2027-01-14T16:00:00Z'), at('2027-01-28T16:00:00Z'), 14)).toBe(true);
    expect(asksForFeedback(activity('2027-01-14T16:00:00Z'), at('2027-01-28T16:01:00Z'), 14)).toBe(false);
    expect(asksForFeedback(activity('2020-03-05T12:00:00Z'), at('2027-01-01T00:00:00Z'), 14)).toBe(false);
  });

  it('asks nobody about a cancelled activity', () => {
    expect(
      asksForFeedback(activity('2027-01-14T16:00:00Z', 'cancelled'), at('2027-01-15T09:00:00Z'), 14),
    ).toBe(false);
  });

  it('looks back far enough to find a month-long activity that ended inside the window', () => {
    const window = feedbackSearchWindow(at('2027-03-01T00:00:00Z'), 14);
    expect(window.to).toBe('2027-03-01T00:00:00.000Z');
    expect(window.from <= '2027-01-15T00:00:00.000Z').toBe(true);
  });
});

describe('who among the attendees is asked', () => {
  it('asks someone not yet asked, and nobody twice', () => {
    expect(requestDecision({ email: 'ada@example.org' }, undefined, false, erased)).toBe('send');
    expect(requestDecision({ email: 'ada@example.org' }, 'claimed', false, erased)).toBe('send');
    expect(requestDecision({ email: 'ada@example.org' }, 'sent', false, erased)).toBe('already');
  });

  it('asks no one erased and no suppressed address', () => {
    expect(requestDecision({ email: erased }, undefined, false, erased)).toBe('erased');
    expect(requestDecision({ email: 'bounced@example.org' }, undefined, true, erased)).toBe('suppressed');
  });
});

describe('what an answer may be', () => {
  it('takes a rating from 1 to 5 as a number (JSON) or as text (a form)', () => {
    expect(feedbackAnswerSchema.parse({ rating: 4 })).toEqual({ rating: 4, comment: null });
    expect(feedbackAnswerSchema.parse({ rating: '5', comment: 'Great' })).toEqual({
      rating: 5,
      comment: 'Great',
    });
  });

  it('refuses a rating outside 1–5, a fraction, a missing one, and unknown fields, naming the field', () => {
    for (const body of [
      { rating: 0 },
      { rating: 6 },
      { rating: 3.5 },
      { rating: 'five' },
      {},
      { rating: true },
    ]) {
      const result = feedbackAnswerSchema.safeParse(body);
      expect(result.success, JSON.stringify(body)).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['rating']);
      expect(result.error?.issues[0]?.message).toBe('Choose a rating from 1 to 5');
    }
    expect(feedbackAnswerSchema.safeParse({ rating: 3, name: 'Ada' }).success).toBe(false);
  });

  it('keeps line breaks in a comment but drops other control characters, and normalises to NFC', () => {
    expect(normaliseComment('  Good\r\nday\u0000\u0007\ttoo\u2028 ')).toBe('Good\nday too');
    expect(normaliseComment('Cafe\u0301')).toBe('Café');
    expect(feedbackAnswerSchema.parse({ rating: 3, comment: '   ' }).comment).toBeNull();
  });

  it('takes a comment of 1,000 characters and refuses one of 1,001', () => {
    expect(feedbackAnswerSchema.safeParse({ rating: 3, comment: 'a'.repeat(1000) }).success).toBe(true);
    const tooLong = feedbackAnswerSchema.safeParse({ rating: 3, comment: 'a'.repeat(1001) });
    expect(tooLong.error?.issues[0]).toMatchObject({
      path: ['comment'],
      message: 'Shorten your comment to 1000 characters or fewer',
    });
  });

  it('counts a line break sent as CR LF once, as the browser did when it enforced maxlength', () => {
    expect(feedbackAnswerSchema.safeParse({ rating: 3, comment: `${'a'.repeat(998)}\r\nb` }).success).toBe(
      true,
    );
  });

  it('reads the rating a link carries, and ignores a mangled one', () => {
    expect(ratingFromLink('3')).toBe(3);
    for (const value of ['0', '6', '2.5', 'x', '', undefined]) expect(ratingFromLink(value)).toBeUndefined();
  });
});

describe('what staff see', () => {
  it('gives the number of answers, the average to two places and the spread, oldest answer first', () => {
    const summary = summariseFeedback([
      { rating: 5, comment: 'Loved it', answeredAt: '2027-01-15T10:00:00Z' },
      { rating: 4, answeredAt: '2027-01-15T09:00:00Z' },
      { rating: 4, comment: null, answeredAt: '2027-01-16T09:00:00Z' },
    ]);
    expect(summary).toEqual({
      responses: 3,
      averageRating: 4.33,
      distribution: { 1: 0, 2: 0, 3: 0, 4: 2, 5: 1 },
      answers: [
        { rating: 4, comment: null, answeredAt: '2027-01-15T09:00:00Z' },
        { rating: 5, comment: 'Loved it', answeredAt: '2027-01-15T10:00:00Z' },
        { rating: 4, comment: null, answeredAt: '2027-01-16T09:00:00Z' },
      ],
    });
  });

  it('has no average when nobody answered', () => {
    expect(summariseFeedback([])).toMatchObject({ responses: 0, averageRating: null });
  });
});

describe('any answer body', () => {
  it('is either refused or gives a rating 1–5 and a comment of at most 1000 characters on which only line breaks remain', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            rating: fc.oneof(fc.integer(), fc.string(), fc.double(), fc.boolean()),
            comment: fc.oneof(fc.string({ unit: 'binary', maxLength: 3100 }), fc.integer()),
          },
          { requiredKeys: [] },
        ),
        (body) => {
          const result = feedbackAnswerSchema.safeParse(body);
          if (!result.success) return;
          expect(ratings).toContain(result.data.rating);
          const comment = result.data.comment ?? '';
          expect(comment.length).toBeLessThanOrEqual(1000);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
          expect(comment).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
        },
      ),
    );
  });
});
