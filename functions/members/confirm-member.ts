import { config } from '../../shared/config';
import { Gone } from '../../shared/errors';
import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { announce } from '../../shared/outbox';
import { renderMessagePage } from '../../shared/pages';
import { verifyToken } from '../../shared/tokens';
import { consentAtConfirmation } from './domain/registration';
import { confirmMember, getMember, listConsent } from './member-store';

export const handler = route({ query: tokenQuery }, async ({ query, wantsHtml, correlationId }) => {
  const memberId = await verifyToken('confirm', query.token);
  const member = await getMember(memberId);
  if (!member)
    throw new Gone('registration_not_found', 'This registration no longer exists. Please register again.');
  let status: 'confirmed' | 'already-confirmed' | 'missing' = 'already-confirmed';
  if (member.status === 'pending') {
    const confirmedAt = new Date().toISOString();
    status = await confirmMember(
      memberId,
      confirmedAt,
      consentAtConfirmation(await listConsent(memberId), confirmedAt),
      ({ organisationType, networks, interests, newsletter, registeredAt }) =>
        announce(
          'members',
          [
            {
              detailType: 'MemberConfirmed',
              detail: {
                memberId,
                organisationType,
                networks,
                interests,
                newsletter,
                registeredAt,
                occurredAt: confirmedAt,
              },
            },
          ],
          correlationId,
        ),
    );
  }
  if (status === 'missing')
    throw new Gone('registration_not_found', 'This registration no longer exists. Please register again.');
  const message =
    status === 'confirmed'
      ? `Welcome to the ${config.alliance.name}. Your registration is confirmed; a welcome e-mail is on its way.`
      : 'Your registration was already confirmed. There is nothing more to do.';
  return wantsHtml
    ? html(200, renderMessagePage({ title: 'You are registered', message }))
    : json(200, { status, memberId });
});
