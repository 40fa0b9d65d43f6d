import { randomUUID } from 'node:crypto';
import { config } from '../../shared/config';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { assertAllowance, limitKey } from '../../shared/limits';
import { logger } from '../../shared/logger';
import { countBusinessEvent } from '../../shared/metrics';
import { announce } from '../../shared/outbox';
import { registrationSchema } from './domain/registration';
import { storeMemberRequest } from './member-request-store';

/** The same answer whether or not the address is known: registration never reveals who is a member. */
const accepted = () =>
  json(202, {
    status: 'accepted',
    message: 'Thank you. Please check your inbox for an e-mail to confirm your address.',
  });

/**
 * Validates, applies the per-IP limit, stores the request and answers. Whether the address is new,
 * pending or confirmed is decided after the answer (settle-member-request.ts), so every address
 * takes this same path, in the same time.
 */
export const handler = route({ body: registrationSchema }, async ({ body, clientIp, correlationId }) => {
  if (body.website) {
    logger.info('honeypot filled: registration dropped');
    return accepted();
  }
  await assertAllowance(limitKey('register-ip', clientIp), config.limits.registrationsPerIpPerHour, 3600);
  const { website: _honeypot, ...registration } = body;
  const requestId = randomUUID();
  const requestedAt = new Date().toISOString();
  await storeMemberRequest(
    { kind: 'registration', requestId, requestedAt, registration },
    announce(
      'members',
      [{ detailType: 'MemberRegistrationRequested', detail: { requestId, occurredAt: requestedAt } }],
      correlationId,
    ),
  );
  countBusinessEvent('RegistrationRequested');
  return accepted();
});
