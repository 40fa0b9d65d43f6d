/** Satisfaction feedback rules: who is asked, what an answer may be, what staff see. Pure: no AWS. */
import * as z from 'zod';

const dayMs = 86_400_000;
/** The longest an activity may last (activity rules): an activity ended in the window started this much earlier at most. */
const longestActivityMs = 31 * dayMs;

export const ratings = [1, 2, 3, 4, 5] as const;
export type Rating = (typeof ratings)[number];

/** The words beside each rating, in the e-mail and on the page. */
export const ratingLabels: Record<Rating, string> = {
  1: 'Very poor',
  2: 'Poor',
  3: 'Fair',
  4: 'Good',
  5: 'Excellent',
};

export const maxCommentLength = 1000;

/** The marker that makes one feedback request per (activity, attendee). */
export const feedbackMarker = (attendeeKey: string) => `FEEDREQ#${attendeeKey}`;

/** The start times to look through for activities that may have ended in the last `maxAgeDays`. */
export function feedbackSearchWindow(now: Date, maxAgeDays: number): { from: string; to: string } {
  return {
    from: new Date(now.getTime() - maxAgeDays * dayMs - longestActivityMs).toISOString(),
    to: now.toISOString(),
  };
}

/**
 * An activity's attendees are asked for feedback once it has ended, as long as it ended no more
 * than `maxAgeDays` ago (recording past years' history never mails anyone) and was not cancelled.
 */
export function asksForFeedback(
  activity: { status: string; endsAt: string },
  now: Date,
  maxAgeDays: number,
): boolean {
  const ended = new Date(activity.endsAt).getTime();
  const at = now.getTime();
  return activity.status === 'scheduled' && ended <= at && at - ended <= maxAgeDays * dayMs;
}

export type RequestDecision = 'send' | 'already' | 'erased' | 'suppressed';

/**
 * What to do for one attendee: nothing once asked (a marker 'sent'), nothing for someone erased,
 * settle it unsent for a suppressed address, else send.
 */
export function requestDecision(
  attendee: { email: string },
  markerState: string | undefined,
  suppressed: boolean,
  erasedValue: string,
): RequestDecision {
  if (markerState === 'sent') return 'already';
  if (attendee.email === erasedValue || !attendee.email.includes('@')) return 'erased';
  return suppressed ? 'suppressed' : 'send';
}

/** The rating a link carries (`?rating=`): 1–5, or undefined for anything else (a mangled link). */
export function ratingFromLink(value: string | undefined): Rating | undefined {
  const parsed = Number(value);
  return ratings.find((rating) => rating === parsed);
}

const ratingMessage = 'Choose a rating from 1 to 5';

/** A rating from a form (text) or JSON (a number). */
export const ratingSchema = z.preprocess(
  (value) => (typeof value === 'string' && /^\s*\d{1,2}\s*$/.test(value) ? Number(value) : value),
  z
    .number({ error: ratingMessage })
    .int(ratingMessage)
    .min(1, ratingMessage)
    .max(5, ratingMessage)
    .transform((value) => value as Rating),
);

/**
 * What a person wrote: NFC, line breaks as \n, other control characters gone (a tab becomes a
 * space), trimmed. Empty means no comment.
 */
export const normaliseComment = (value: string): string =>
  value
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '')
    .trim();

export const commentSchema = z
  .string({ error: 'The comment must be text' })
  // A generous cap before the work: a browser's maxlength counts a line break once, the form sends two.
  .max(maxCommentLength * 3, `Shorten your comment to ${maxCommentLength} characters or fewer`)
  .transform(normaliseComment)
  .pipe(z.string().max(maxCommentLength, `Shorten your comment to ${maxCommentLength} characters or fewer`));

/** POST /api/feedback: from the page's form (text fields) or JSON. */
export const feedbackAnswerSchema = z
  .object({ rating: ratingSchema, comment: commentSchema.optional() })
  .strict()
  .transform(({ rating, comment }) => ({ rating, comment: comment ? comment : null }));

export type FeedbackAnswer = z.infer<typeof feedbackAnswerSchema>;

export interface StoredAnswer {
  rating: number;
  comment?: string | null;
  answeredAt: string;
}

/** What staff see of an activity's answers: how many, the average, the spread, and the words. */
export function summariseFeedback(answers: StoredAnswer[]) {
  const distribution = Object.fromEntries(ratings.map((rating) => [rating, 0])) as Record<Rating, number>;
  let sum = 0;
  for (const answer of answers) {
    const rating = ratingFromLink(String(answer.rating));
    if (rating === undefined) continue;
    distribution[rating] += 1;
    sum += rating;
  }
  const responses = ratings.reduce((total, rating) => total + distribution[rating], 0);
  return {
    responses,
    averageRating: responses === 0 ? null : Math.round((sum / responses) * 100) / 100,
    distribution,
    answers: [...answers]
      .sort((left, right) => left.answeredAt.localeCompare(right.answeredAt))
      .map((answer) => ({
        rating: answer.rating,
        comment: answer.comment ?? null,
        answeredAt: answer.answeredAt,
      })),
  };
}
