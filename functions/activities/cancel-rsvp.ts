import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { renderMessagePage } from '../../shared/pages';
import { publish } from '../../shared/publish';
import { rsvpFromToken } from './activity-access';
import { cancelBooking } from './activity-store';
import { rsvpIdFor } from './domain/rsvp';

/** Cancel a place or leave the waitlist, with the link from the booking e-mail. Twice is harmless. */
export const handler = route(
  { query: tokenQuery, acceptAnyBody: true },
  async ({ query, wantsHtml, correlationId }) => {
    const { activity, email } = await rsvpFromToken('rsvp-manage', query.token);
    const rsvpId = rsvpIdFor(activity.activityId, email);
    const now = new Date().toISOString();
    const cancelled = await cancelBooking(activity.activityId, rsvpId, now);
    if (cancelled && cancelled.status !== 'cancelled') {
      const { activityId, kind, network, startsAt } = activity;
      await publish(
        [
          {
            detailType: 'RsvpCancelled',
            detail: {
              activityId,
              kind,
              network,
              startsAt,
              rsvpId,
              previousStatus: cancelled.status,
              occurredAt: now,
            },
          },
        ],
        correlationId,
      );
    }
    const message = cancelled
      ? 'Your booking is cancelled. Thank you for letting us know.'
      : 'You had no booking for this activity.';
    return wantsHtml
      ? html(200, renderMessagePage({ title: 'Booking cancelled', message }))
      : json(200, { status: 'cancelled', message });
  },
);
