import { consumer } from '../../shared/consumer';
import { eraseFeedbackComment, isFeedbackItem } from '../feedback/feedback-store';
import { anonymise, getActivity, itemsOfMember } from './activity-store';
import { cancelAndAnnounce } from './booking';

/**
 * Erasure reaches bookings, attendance and feedback: a future booking is cancelled (its place goes
 * to the waitlist), every booking and attendance item loses the name and address, and every
 * feedback answer loses its comment and member link (its rating stays in the aggregate). Counts stay.
 */
export const handler = consumer('erase-member-bookings', ['MemberErased'] as const, async ({ detail }) => {
  for (const item of await itemsOfMember(detail.memberId)) {
    const sk = String(item.sk);
    if (isFeedbackItem(sk)) {
      await eraseFeedbackComment(String(item.pk), sk);
      continue;
    }
    if (sk.startsWith('RSVP#') && (item.status === 'accepted' || item.status === 'waitlisted')) {
      const activity = await getActivity(String(item.activityId));
      if (activity?.status === 'scheduled' && activity.startsAt > new Date().toISOString()) {
        await cancelAndAnnounce(activity, String(item.rsvpId), detail.correlationId);
      }
    }
    await anonymise(String(item.pk), sk);
  }
});
