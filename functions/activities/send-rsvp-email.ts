import { consumer } from '../../shared/consumer';
import { sendEmail } from '../../shared/email/send';
import { logger } from '../../shared/logger';
import { listUnsubscribeHeaders, memberLinks } from '../../shared/member-links';
import { issueToken } from '../../shared/tokens';
import {
  acceptedEmail,
  bookingCancelledEmail,
  rsvpLinkUrl,
  rsvpRequestEmail,
  waitlistedEmail,
} from './activity-emails';
import { erased, getActivity, getRsvp, getRsvpRequest } from './activity-store';
import { calendarInvite } from './domain/calendar';
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
      // The link carries the name and member, so following it needs no lookup before the booking.
      const claims = { name: request.name, ...(request.memberId ? { mid: request.memberId } : {}) };
      const token = await issueToken(
        'rsvp',
        rsvpSubject(activity.activityId, request.email),
        requestLinkHours * 3600,
        claims,
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
    const links = rsvp.memberId ? await memberLinks(rsvp.memberId) : undefined;
    const headers = links ? listUnsubscribeHeaders(links) : {};
    const manageUrl = rsvpLinkUrl(
      'cancel',
      await issueToken('rsvp-manage', rsvpSubject(activity.activityId, rsvp.email)),
    );
    const attendee = { email: rsvp.email, name: rsvp.name || undefined };
    if (detailType === 'RsvpWaitlisted') {
      await sendEmail({
        to: rsvp.email,
        email: waitlistedEmail(activity, rsvp.name, manageUrl, links),
        headers,
        tags: { kind: 'rsvp-waitlisted' },
      });
      return;
    }
    if (detailType === 'RsvpCancelled') {
      const wasBooked = 'previousStatus' in detail && detail.previousStatus === 'accepted';
      await sendEmail({
        to: rsvp.email,
        email: bookingCancelledEmail(activity, rsvp.name, links),
        headers,
        tags: { kind: 'rsvp-cancelled' },
        attachments: wasBooked
          ? [
              {
                filename: 'cancel.ics',
                contentType: 'text/calendar; method=CANCEL; charset=UTF-8',
                content: calendarInvite(
                  { ...activity, sequence: activity.sequence + 1 },
                  { method: 'CANCEL', attendee, includeOnlineLink: false },
                ),
              },
            ]
          : [],
      });
      return;
    }
    await sendEmail({
      to: rsvp.email,
      email: acceptedEmail(activity, rsvp.name, manageUrl, links, detailType === 'RsvpPromoted'),
      headers,
      tags: { kind: detailType === 'RsvpPromoted' ? 'rsvp-promoted' : 'rsvp-accepted' },
      attachments: [
        {
          filename: 'invite.ics',
          contentType: 'text/calendar; method=REQUEST; charset=UTF-8',
          content: calendarInvite(activity, { method: 'REQUEST', attendee, includeOnlineLink: true }),
        },
      ],
    });
  },
);
