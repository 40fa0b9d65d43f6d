import { consumer } from '../../shared/consumer';
import { sendEmail } from '../../shared/email/send';
import { logger } from '../../shared/logger';
import { issueToken } from '../../shared/tokens';
import {
  acceptedEmail,
  bookingCancelledEmail,
  rsvpLinkUrl,
  rsvpRequestEmail,
  waitlistedEmail,
} from './activity-emails';
import { erased, getActivity, getRsvp, getRsvpRequest } from './activity-store';
import { manageUrl, memberExtras } from './booking-mail';
import { inviteAttachment } from './domain/calendar';
import { rsvpSubject } from './domain/rsvp';

const requestLinkHours = 48;

/** Booking e-mails. Each goes only if the booking is still in the state the event announced
 * (events arrive in any order: a place cancelled meanwhile gets no "you are booked"). */
export const handler = consumer(
  'send-rsvp-email',
  ['RsvpRequested', 'RsvpAccepted', 'RsvpWaitlisted', 'RsvpPromoted', 'RsvpCancelled'] as const,
  async ({ detailType, detail }) => {
    const activity = await getActivity(detail.activityId);
    if (!activity) return;
    if (detailType === 'RsvpRequested') {
      const request = await getRsvpRequest(activity.activityId, detail.rsvpId);
      if (!request) return;
      // The link names the request, never the person: following it reads the name and address here.
      const token = await issueToken(
        'rsvp',
        rsvpSubject(activity.activityId, request.rsvpId),
        requestLinkHours * 3600,
      );
      await sendEmail({
        to: request.email,
        email: rsvpRequestEmail(activity, request.name, rsvpLinkUrl('confirm', token)),
        tags: { kind: 'rsvp-request' },
      });
      return;
    }
    const rsvp = await getRsvp(activity.activityId, detail.rsvpId);
    const expected = {
      RsvpAccepted: 'accepted',
      RsvpPromoted: 'accepted',
      RsvpWaitlisted: 'waitlisted',
      RsvpCancelled: 'cancelled',
    }[detailType];
    if (!rsvp || rsvp.status !== expected || rsvp.email === erased) {
      logger.info('booking changed before its e-mail went; skipped', { detailType });
      return;
    }
    const { links, headers } = await memberExtras(rsvp.memberId);
    const cancelUrl = await manageUrl(activity.activityId, rsvp.rsvpId);
    if (detailType === 'RsvpWaitlisted') {
      const email = waitlistedEmail(activity, rsvp.name, cancelUrl, links);
      await sendEmail({ to: rsvp.email, email, headers, tags: { kind: 'rsvp-waitlisted' } });
      return;
    }
    if (detailType === 'RsvpCancelled') {
      const wasBooked = 'previousStatus' in detail && detail.previousStatus === 'accepted';
      const cancelled = { ...activity, sequence: activity.sequence + 1 };
      await sendEmail({
        to: rsvp.email,
        email: bookingCancelledEmail(activity, rsvp.name, links),
        headers,
        tags: { kind: 'rsvp-cancelled' },
        attachments: wasBooked ? [inviteAttachment(cancelled, 'CANCEL', rsvp)] : [],
      });
      return;
    }
    const promoted = detailType === 'RsvpPromoted';
    await sendEmail({
      to: rsvp.email,
      email: acceptedEmail(activity, rsvp.name, cancelUrl, links, promoted),
      headers,
      tags: { kind: promoted ? 'rsvp-promoted' : 'rsvp-accepted' },
      attachments: [inviteAttachment(activity, 'REQUEST', rsvp)],
    });
  },
);
