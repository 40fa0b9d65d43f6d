import { z } from 'zod';
import { config } from '../../shared/config';
import { TooManyRequests } from '../../shared/errors';
import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { consumeAllowance, limitKey } from '../../shared/limits';
import { putOutbox } from '../../shared/outbox-put';
import { renderMessagePage } from '../../shared/pages';
import { emailSchema, normaliseEmail } from './domain/registration';
import { findMemberIdByEmail, getMember } from './member-store';

const message = 'If this address is registered with us, a fresh link is on its way. Please check your inbox.';

/** "E-mail me a fresh link": the same answer whether or not the address is known. */
export const handler = route(
  { body: z.object({ email: emailSchema }).strict() },
  async ({ body, clientIp, wantsHtml, correlationId }) => {
    if (
      !(await consumeAllowance(limitKey('link-ip', clientIp), config.limits.registrationsPerIpPerHour, 3600))
    ) {
      throw new TooManyRequests(3600);
    }
    const memberId = await findMemberIdByEmail(normaliseEmail(body.email));
    const member = memberId ? await getMember(memberId) : undefined;
    const allowance = member
      ? await consumeAllowance(
          limitKey('registration-mail', member.memberId),
          config.limits.confirmationEmailsPerAddressPerDay,
          24 * 3600,
        )
      : false;
    if (member && allowance) {
      // No state changes here but the allowance: the outbox item alone announces the request.
      await putOutbox(
        'members',
        {
          detailType: 'MemberLinkRequested',
          detail: { memberId: member.memberId, memberStatus: member.status },
        },
        correlationId,
      );
    }
    return wantsHtml
      ? html(202, renderMessagePage({ title: 'Check your inbox', message }))
      : json(202, { status: 'accepted', message });
  },
);
