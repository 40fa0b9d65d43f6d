import { consumer } from '../../shared/consumer';
import { eraseFeedbackComment, isFeedbackItem } from '../feedback/feedback-store';
import { anonymise, getActivity, itemsOfMember } from './activity-store';
import { cancelAndAnnounce } from './booking';
import { deleteRsvpRequest, isRsvpRequest, itemsOfMemberOrPerson } from './person-store';

/**
 * Erasure reaches bookings, RSVP requests, attendance and feedback, found by member id and by the
 * person's keyed label (what they did before registering carries no member id): a pending RSVP
 * request is deleted (its link then books nothing), a future booking is cancelled (its place goes to
 * the waitlist), every booking and attendance item loses the name and address, and every feedback
 * answer loses its comment and member link (its rating stays in the aggregate). Counts stay.
 */
export const handler = consumer('erase-member-bookings', ['MemberErased'] as const, async ({ detail }) => {
  const items = await itemsOfMemberOrPerson(await itemsOfMember(detail.memberId), detail.personKey);
  for (const item of items) {
    const sk = String(item.sk);
    if (isRsvpRequest(sk)) {
      await deleteRsvpRequest(String(item.pk), sk);
      continue;
    }
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
