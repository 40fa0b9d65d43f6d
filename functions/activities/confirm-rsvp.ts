import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { renderMessagePage } from '../../shared/pages';
import { assertBookable, rsvpFromToken } from './activity-access';
import { bookAndAnnounce, bookingAnswer } from './booking';

/** Following the RSVP link books. The link itself carries the name and member, so the decision
 * costs one read (the activity) and the booking transaction. */
export const handler = route({ query: tokenQuery }, async ({ query, wantsHtml, correlationId }) => {
  const { activity, email, name, memberId } = await rsvpFromToken('rsvp', query.token);
  assertBookable(activity, new Date());
  const outcome = await bookAndAnnounce(
    activity,
    { email, name, ...(memberId ? { memberId } : {}) },
    correlationId,
  );
  const answer = bookingAnswer(activity, outcome);
  return wantsHtml
    ? html(
        200,
        renderMessagePage({
          title: outcome.status === 'accepted' ? 'Your place is booked' : 'You are on the waitlist',
          message: answer.message,
        }),
      )
    : json(200, answer);
});
