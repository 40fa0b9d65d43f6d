import { config } from '../../shared/config';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { assertAllowance, consumeAllowance, limitKey } from '../../shared/limits';
import { announce } from '../../shared/outbox';
import { normaliseEmail } from '../members/domain/registration';
import { memberFromToken } from '../members/member-access';
import { findMemberIdByEmail } from '../members/member-store';
import { activityFromPath, assertBookable } from './activity-access';
import { putRsvpRequest } from './activity-store';
import { bookAndAnnounce, bookingAnswer } from './booking';
import { rsvpRequestSchema } from './domain/rsvp';
import { personKey, rsvpIdFor } from './person-keys';

const requestHours = 48;

/**
 * RSVP by address: a link goes to that address and following it books (no one books for someone
 * else's address); the answer is the same whatever the address. With a member token: books at once.
 */
export const handler = route(
  { body: rsvpRequestSchema },
  async ({ body, pathParameters, clientIp, correlationId }) => {
    const activity = await activityFromPath(pathParameters);
    assertBookable(activity, new Date());
    if ('memberToken' in body) {
      const member = await memberFromToken('preferences', body.memberToken);
      const email = normaliseEmail(member.email);
      const outcome = await bookAndAnnounce(
        activity,
        {
          rsvpId: await rsvpIdFor(activity.activityId, email),
          personKey: await personKey(email),
          email,
          name: member.name,
          memberId: member.memberId,
        },
        correlationId,
      );
      return json(200, bookingAnswer(activity, outcome));
    }
    await assertAllowance(limitKey('rsvp-ip', clientIp), config.limits.registrationsPerIpPerHour * 3, 3600);
    const email = normaliseEmail(body.email);
    const rsvpId = await rsvpIdFor(activity.activityId, email);
    if (
      await consumeAllowance(
        limitKey('rsvp-mail', rsvpId),
        config.limits.confirmationEmailsPerAddressPerDay,
        24 * 3600,
      )
    ) {
      const memberId = await findMemberIdByEmail(email);
      const { activityId, kind, network, startsAt } = activity;
      await putRsvpRequest(
        activityId,
        {
          rsvpId,
          personKey: await personKey(email),
          email,
          name: body.name ?? '',
          ...(memberId ? { memberId } : {}),
        },
        Math.floor(Date.now() / 1000) + requestHours * 3600,
        announce(
          'activities',
          [{ detailType: 'RsvpRequested', detail: { activityId, kind, network, startsAt, rsvpId } }],
          correlationId,
        ),
      );
    }
    return json(202, {
      status: 'pending-confirmation',
      message: 'Check your inbox: follow the link in our e-mail to confirm your place.',
    });
  },
);
