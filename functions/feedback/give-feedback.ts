import { config } from '../../shared/config';
import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { assertAllowance, limitKey } from '../../shared/limits';
import { announce } from '../../shared/outbox';
import { feedbackAnswerSchema } from './domain/feedback';
import { cancelledActivity, erasedAttendee, feedbackFromToken } from './feedback-access';
import { thanksPage } from './feedback-page';
import { saveAnswer } from './feedback-store';

/**
 * Records a rating (1–5) and an optional comment from the feedback page's form, or JSON. One answer
 * per attendee per activity: a second replaces the first, and its FeedbackGiven names the rating
 * it replaced, so the counters move by the difference. A cancelled activity or an erased attendee
 * gets a 410.
 */
/** As many answers from one address in an hour as RSVP requests (a family or an office behind one NAT). */
const answersPerIpPerHour = config.limits.registrationsPerIpPerHour * 3;

export const handler = route(
  { query: tokenQuery, body: feedbackAnswerSchema, maxBodyBytes: 16 * 1024 },
  async ({ query, body, wantsHtml, clientIp, correlationId }) => {
    // Public, like the other form posts: a per-address allowance, even behind a signed link.
    await assertAllowance(limitKey('feedback-ip', clientIp), answersPerIpPerHour, 3600);
    const { activity, attendeeKey, attendee } = await feedbackFromToken(query.token);
    const { activityId, kind, network, startsAt } = activity;
    const answeredAt = new Date().toISOString();
    const outcome = await saveAnswer(
      activityId,
      { attendeeKey, ...(attendee.memberId ? { memberId: attendee.memberId } : {}) },
      body,
      answeredAt,
      (previousRating) =>
        announce(
          'activities',
          [
            {
              detailType: 'FeedbackGiven',
              detail: {
                activityId,
                kind,
                network,
                startsAt,
                attendeeKey,
                rating: body.rating,
                previousRating,
                hasComment: body.comment !== null,
                occurredAt: answeredAt,
              },
            },
          ],
          correlationId,
        ),
    );
    if (!outcome.saved) throw outcome.reason === 'cancelled' ? cancelledActivity() : erasedAttendee();
    const replaced = outcome.previousRating !== null;
    return wantsHtml
      ? html(200, thanksPage(activity.title, body.rating, replaced))
      : json(200, { activityId, rating: body.rating, comment: body.comment, replaced });
  },
);
