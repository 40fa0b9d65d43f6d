import { consumer } from '../../shared/consumer';
import { sendEmail } from '../../shared/email/send';
import { activityCancelledEmail, rescheduledEmail } from './activity-emails';
import { erased, getActivity, listRsvps, type Rsvp } from './activity-store';
import { manageUrl, memberExtras } from './booking-mail';
import type { Activity } from './domain/activity';
import { inviteAttachment } from './domain/calendar';
import { claimMarker, markDone, releaseMarker } from './marker-store';

const markerDays = 30;
/** A claim on one recipient's notice: long enough for one send; a lapsed claim is retaken on redelivery. */
const leaseSeconds = 60;

/**
 * A new time or place: everyone booked gets an updated invite (higher SEQUENCE). Called off: everyone
 * booked gets a cancellation (METHOD:CANCEL), and everyone waiting is told. One notice per recipient
 * and event, even when a run is retried after a partial failure.
 */
export const handler = consumer(
  'notify-activity-change',
  ['ActivityRescheduled', 'ActivityCancelled'] as const,
  async ({ detailType, detail }) => {
    const activity = await getActivity(detail.activityId);
    if (!activity) return;
    const cancelled = detailType === 'ActivityCancelled';
    // A reschedule notice that arrives after the activity was called off, or after a later change, says nothing new.
    if (
      !cancelled &&
      (activity.status === 'cancelled' || ('sequence' in detail && detail.sequence !== activity.sequence))
    )
      return;
    const recipients = (await listRsvps(activity.activityId)).filter(
      (rsvp) =>
        rsvp.email !== erased && (cancelled ? rsvp.status !== 'cancelled' : rsvp.status === 'accepted'),
    );
    const expiresAt = Math.floor(Date.now() / 1000) + markerDays * 24 * 3600;
    for (const rsvp of recipients) {
      const marker = `NOTIFIED#${detail.eventId}#${rsvp.rsvpId}`;
      if (!(await claimMarker(activity.activityId, marker, { leaseSeconds, expiresAt }))) continue;
      try {
        const previousStartsAt = 'previousStartsAt' in detail ? detail.previousStartsAt : undefined;
        await (cancelled
          ? sendCancellation(activity, rsvp)
          : sendUpdate(activity, rsvp, previousStartsAt ?? activity.startsAt));
      } catch (error) {
        await releaseMarker(activity.activityId, marker);
        throw error;
      }
      await markDone(activity.activityId, marker);
    }
  },
);

async function sendCancellation(activity: Activity, rsvp: Rsvp): Promise<void> {
  const { links, headers } = await memberExtras(rsvp.memberId);
  await sendEmail({
    to: rsvp.email,
    email: activityCancelledEmail(activity, rsvp.name, links),
    headers,
    tags: { kind: 'activity-cancelled' },
    attachments: rsvp.status === 'accepted' ? [inviteAttachment(activity, 'CANCEL', rsvp)] : [],
  });
}

async function sendUpdate(activity: Activity, rsvp: Rsvp, previousStartsAt: string): Promise<void> {
  const { links, headers } = await memberExtras(rsvp.memberId);
  const cancelUrl = await manageUrl(activity.activityId, rsvp.rsvpId);
  await sendEmail({
    to: rsvp.email,
    email: rescheduledEmail(activity, rsvp.name, previousStartsAt, cancelUrl, links),
    headers,
    tags: { kind: 'activity-rescheduled' },
    attachments: [inviteAttachment(activity, 'REQUEST', rsvp)],
  });
}
