import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { renderMessagePage } from '../../shared/pages';
import { bookingFromToken } from './activity-access';
import { cancelAndAnnounce } from './booking';

/** Cancel a place or leave the waitlist, with the link from the booking e-mail. Twice is harmless. */
export const handler = route(
  { query: tokenQuery, acceptAnyBody: true },
  async ({ query, wantsHtml, correlationId }) => {
    const { activity, rsvpId } = await bookingFromToken(query.token);
    const cancelled = await cancelAndAnnounce(activity, rsvpId, correlationId);
    const message = cancelled
      ? 'Your booking is cancelled. Thank you for letting us know.'
      : 'You had no booking for this activity.';
    return wantsHtml
      ? html(200, renderMessagePage({ title: 'Booking cancelled', message }))
      : json(200, { status: 'cancelled', message });
  },
);
