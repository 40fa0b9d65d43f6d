import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { renderMessagePage } from '../../shared/pages';
import { findMemberIdByEmail } from '../members/member-store';
import { assertBookable, rsvpFromToken } from './activity-access';
import { getRsvpRequest } from './activity-store';
import { bookAndAnnounce, bookingAnswer } from './booking';
import { rsvpIdFor } from './domain/rsvp';

export const handler = route({ query: tokenQuery }, async ({ query, wantsHtml, correlationId }) => {
  const { activity, email } = await rsvpFromToken('rsvp', query.token);
  assertBookable(activity, new Date());
  const request = await getRsvpRequest(activity.activityId, rsvpIdFor(activity.activityId, email));
  const memberId = await findMemberIdByEmail(email);
  const outcome = await bookAndAnnounce(
    activity,
    { email, name: request?.name ?? '', ...(memberId ? { memberId } : {}) },
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
