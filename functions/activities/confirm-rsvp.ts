import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { renderMessagePage } from '../../shared/pages';
import { getMember } from '../members/member-store';
import { assertBookable, assertRequesterExists, rsvpRequestFromToken } from './activity-access';
import { bookAndAnnounce, bookingAnswer } from './booking';

/** Following the RSVP link books. The link names only the request; its name and address come from
 * the request item, so an erased or lapsed request books nothing. */
export const handler = route({ query: tokenQuery }, async ({ query, wantsHtml, correlationId }) => {
  const { activity, request } = await rsvpRequestFromToken(query.token);
  assertBookable(activity, new Date());
  assertRequesterExists(request, request.memberId ? Boolean(await getMember(request.memberId)) : true);
  const { rsvpId, personKey, email, name, memberId } = request;
  const outcome = await bookAndAnnounce(
    activity,
    { rsvpId, ...(personKey ? { personKey } : {}), email, name, ...(memberId ? { memberId } : {}) },
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
