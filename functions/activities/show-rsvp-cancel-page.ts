import { html } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { renderMessagePage } from '../../shared/pages';
import { bookingFromToken } from './activity-access';
import { getRsvp } from './activity-store';

export const handler = route({ query: tokenQuery }, async ({ query, event }) => {
  const { activity, rsvpId } = await bookingFromToken(query.token);
  const rsvp = await getRsvp(activity.activityId, rsvpId);
  const active = rsvp && rsvp.status !== 'cancelled';
  return html(
    200,
    renderMessagePage({
      title:
        rsvp?.status === 'waitlisted'
          ? `Leave the waitlist: ${activity.title}`
          : `Cancel your place: ${activity.title}`,
      message: active
        ? 'Press the button if you can no longer come. Your place goes to the next person waiting.'
        : 'You have no booking for this activity. There is nothing to cancel.',
      form: active
        ? {
            action: `${event.rawPath}?${event.rawQueryString}`,
            button: rsvp.status === 'waitlisted' ? 'Leave the waitlist' : 'Cancel my place',
          }
        : undefined,
    }),
  );
});
