import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { config } from '../../shared/config';
import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { assertAllowance, limitKey } from '../../shared/limits';
import { announce } from '../../shared/outbox';
import { renderMessagePage } from '../../shared/pages';
import { emailSchema } from './domain/registration';
import { storeMemberRequest } from './member-request-store';

const message = 'If this address is registered with us, a fresh link is on its way. Please check your inbox.';

/**
 * "E-mail me a fresh link": the same answer, by the same path, whether or not the address is known.
 * Whether it is, and what to send, is decided after the answer (settle-member-request.ts).
 */
export const handler = route(
  { body: z.object({ email: emailSchema }).strict() },
  async ({ body, clientIp, wantsHtml, correlationId }) => {
    await assertAllowance(limitKey('link-ip', clientIp), config.limits.registrationsPerIpPerHour, 3600);
    const requestId = randomUUID();
    const requestedAt = new Date().toISOString();
    await storeMemberRequest(
      { kind: 'link', requestId, requestedAt, email: body.email },
      announce(
        'members',
        [{ detailType: 'MemberLinkRequestReceived', detail: { requestId, occurredAt: requestedAt } }],
        correlationId,
      ),
    );
    return wantsHtml
      ? html(202, renderMessagePage({ title: 'Check your inbox', message }))
      : json(202, { status: 'accepted', message });
  },
);
