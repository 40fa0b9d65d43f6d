import { consumer } from '../../shared/consumer';
import { publish } from '../../shared/publish';
import { anonymise, cancelBooking, getActivity, itemsOfMember } from './activity-store';

/**
 * Erasure reaches bookings and attendance: a future booking is cancelled (its place goes to the
 * waitlist), and every booking and attendance item loses the name and address. Counts stay.
 */
export const handler = consumer('erase-member-bookings', ['MemberErased'] as const, async ({ detail }) => {
  for (const item of await itemsOfMember(detail.memberId)) {
    const pk = String(item.pk);
    const sk = String(item.sk);
    if (sk.startsWith('RSVP#') && (item.status === 'accepted' || item.status === 'waitlisted')) {
      const activity = await getActivity(String(item.activityId));
      const now = new Date().toISOString();
      if (activity && activity.status === 'scheduled' && activity.startsAt > now) {
        const cancelled = await cancelBooking(activity.activityId, String(item.rsvpId), now);
        if (cancelled) {
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
                  rsvpId: cancelled.rsvpId,
                  previousStatus: cancelled.status === 'accepted' ? 'accepted' : 'waitlisted',
                  occurredAt: now,
                },
              },
            ],
            detail.correlationId,
          );
        }
      }
    }
    await anonymise(pk, sk);
  }
});
