import * as z from 'zod';
import { html } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { ratingFromLink } from './domain/feedback';
import { feedbackFromToken } from './feedback-access';
import { feedbackPage } from './feedback-page';
import { getFeedback } from './feedback-store';

/**
 * The page behind each rating link: that rating chosen, a comment box and a button. A GET records
 * nothing (mail scanners prefetch links); a bad or expired link gets the usual page saying so.
 */
export const handler = route(
  { query: tokenQuery.extend({ rating: z.string().max(10).optional() }) },
  async ({ query, event }) => {
    const { activity, attendeeKey } = await feedbackFromToken(query.token);
    const earlier = await getFeedback(activity.activityId, attendeeKey);
    const chosen = ratingFromLink(query.rating) ?? ratingFromLink(String(earlier?.rating));
    return html(
      200,
      feedbackPage({
        activity,
        action: `${event.rawPath}?token=${encodeURIComponent(query.token ?? '')}`,
        chosen,
        comment: earlier?.comment ?? '',
        answeredBefore: earlier !== undefined,
      }),
    );
  },
);
