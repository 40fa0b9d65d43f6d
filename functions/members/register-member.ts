import { randomUUID } from 'node:crypto';
import { config } from '../../shared/config';
import { TooManyRequests } from '../../shared/errors';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { consumeAllowance, limitKey } from '../../shared/limits';
import { logger } from '../../shared/logger';
import { announce } from '../../shared/outbox';
import { putOutbox } from '../../shared/outbox-put';
import { consentAtSignUp, normaliseEmail, registrationSchema } from './domain/registration';
import { createMember, getMember } from './member-store';

/** The same answer whether or not the address is known: registration never reveals who is a member. */
const accepted = () =>
  json(202, {
    status: 'accepted',
    message: 'Thank you. Please check your inbox for an e-mail to confirm your address.',
  });

const mailAllowance = (memberId: string) =>
  consumeAllowance(
    limitKey('registration-mail', memberId),
    config.limits.confirmationEmailsPerAddressPerDay,
    24 * 3600,
  );

export const handler = route({ body: registrationSchema }, async ({ body, clientIp, correlationId }) => {
  if (body.website) {
    logger.info('honeypot filled: registration dropped');
    return accepted();
  }
  if (
    !(await consumeAllowance(
      limitKey('register-ip', clientIp),
      config.limits.registrationsPerIpPerHour,
      3600,
    ))
  ) {
    throw new TooManyRequests(3600);
  }
  const registeredAt = new Date().toISOString();
  const { website: _honeypot, consent, ...details } = body;
  const memberId = randomUUID();
  const { organisationType, networks, interests } = details;
  const outcome = await createMember(
    {
      memberId,
      ...details,
      newsletter: consent.newsletter,
      formVersion: consent.formVersion,
      status: 'pending',
      registeredAt,
    },
    normaliseEmail(body.email),
    consentAtSignUp(body, registeredAt),
    announce(
      'members',
      [
        {
          detailType: 'MemberRegistered',
          detail: {
            memberId,
            organisationType,
            networks,
            interests,
            newsletter: consent.newsletter,
            formVersion: consent.formVersion,
            occurredAt: registeredAt,
          },
        },
      ],
      correlationId,
    ),
  );
  if (outcome.created) {
    await mailAllowance(memberId);
    return accepted();
  }
  const existing = await getMember(outcome.existingMemberId);
  if (existing && (await mailAllowance(existing.memberId))) {
    // Nothing changes for a repeated registration but the mail allowance: the outbox item alone is
    // the write that announces "send this person their link again".
    await putOutbox(
      'members',
      {
        detailType: 'MemberRegistrationRepeated',
        detail: { memberId: existing.memberId, memberStatus: existing.status },
      },
      correlationId,
    );
  } else {
    logger.info('registration mail allowance spent for today');
  }
  return accepted();
});
