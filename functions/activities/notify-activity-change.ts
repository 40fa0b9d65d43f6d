import { consumer } from '../../shared/consumer';
import { sendEmail } from '../../shared/email/send';
import { listUnsubscribeHeaders, memberLinks } from '../../shared/member-links';
import { issueToken } from '../../shared/tokens';
import { activityCancelledEmail, rescheduledEmail, rsvpLinkUrl } from './activity-emails';
import { erased, getActivity, listRsvps } from './activity-store';
import { calendarInvite } from './domain/calendar';
import { rsvpSubject } from './domain/rsvp';

/**
 * A new time or place: everyone booked gets an updated invite (higher SEQUENCE). Called off: everyone
 * booked gets a cancellation (METHOD:CANCEL), and everyone waiting is told.
 */
export const handler = consumer(
  'notify-activity-change',
  ['ActivityRescheduled', 'ActivityCancelled'] as const,
  async ({ detailType, detail }) => {
    const activity = await getActivity(detail.activityId);
    if (!activity) return;
    // A reschedule notice that arrives after the activity was called off, or after a later change, says nothing new.
    if (
      detailType === 'ActivityRescheduled' &&
      (activity.status === 'cancelled' || ('sequence' in detail && detail.sequence !== activity.sequence))
    )
      return;
    const rsvps = (await listRsvps(activity.activityId)).filter(
      (rsvp) =>
        rsvp.email !== erased &&
        (detailType === 'ActivityCancelled' ? rsvp.status !== 'cancelled' : rsvp.status === 'accepted'),
    );
    for (const rsvp of rsvps) {
      const links = rsvp.memberId ? await memberLinks(rsvp.memberId) : undefined;
      const headers = links ? listUnsubscribeHeaders(links) : {};
      const attendee = { email: rsvp.email, name: rsvp.name || undefined };
      if (detailType === 'ActivityCancelled') {
        await sendEmail({
          to: rsvp.email,
          email: activityCancelledEmail(activity, rsvp.name, links),
          headers,
          tags: { kind: 'activity-cancelled' },
          attachments:
            rsvp.status === 'accepted'
              ? [
                  {
                    filename: 'cancel.ics',
                    contentType: 'text/calendar; method=CANCEL; charset=UTF-8',
                    content: calendarInvite(activity, {
                      method: 'CANCEL',
                      attendee,
                      includeOnlineLink: false,
                    }),
                  },
                ]
              : [],
        });
        continue;
      }
      const cancelUrl = rsvpLinkUrl(
        'cancel',
        await issueToken('rsvp-manage', rsvpSubject(activity.activityId, rsvp.email)),
      );
      const previousStartsAt = 'previousStartsAt' in detail ? detail.previousStartsAt : activity.startsAt;
      await sendEmail({
        to: rsvp.email,
        email: rescheduledEmail(activity, rsvp.name, previousStartsAt, cancelUrl, links),
        headers,
        tags: { kind: 'activity-rescheduled' },
        attachments: [
          {
            filename: 'invite.ics',
            contentType: 'text/calendar; method=REQUEST; charset=UTF-8',
            content: calendarInvite(activity, { method: 'REQUEST', attendee, includeOnlineLink: true }),
          },
        ],
      });
    }
  },
);
