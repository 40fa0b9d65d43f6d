import { config } from '../../shared/config';
import { html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { unsubscribeQuery } from '../../shared/http/token-query';
import { announce } from '../../shared/outbox';
import { renderMessagePage } from '../../shared/pages';
import { newsletterConsentChange } from './domain/preferences';
import { memberFromToken } from './member-access';
import { unsubscribeMember } from './member-store';

/**
 * RFC 8058 one-click unsubscribe (a mailbox provider POSTs `List-Unsubscribe=One-Click`, as form or
 * multipart) and the unsubscribe page's button alike. Takes effect at once; doing it twice is harmless.
 * A mail-out's links carry `&mailout=`: the unsubscribe is announced with it, to count against it.
 */
export const handler = route(
  { query: unsubscribeQuery, acceptAnyBody: true },
  async ({ query, rawBody, wantsHtml, correlationId }) => {
    const member = await memberFromToken('unsubscribe', query.token);
    const method = rawBody.includes('List-Unsubscribe=One-Click')
      ? 'one-click-unsubscribe'
      : 'unsubscribe-page';
    const at = new Date().toISOString();
    const outcome = await unsubscribeMember(
      member.memberId,
      newsletterConsentChange(false, config.alliance.currentFormVersion, at, method),
      announce(
        'members',
        [
          {
            detailType: 'MemberUnsubscribed',
            detail: {
              memberId: member.memberId,
              organisationType: member.organisationType,
              method,
              mailoutId: query.mailout,
              occurredAt: at,
            },
          },
        ],
        correlationId,
      ),
    );
    const status = outcome === 'unsubscribed' ? 'unsubscribed' : 'already-unsubscribed';
    return wantsHtml
      ? html(
          200,
          renderMessagePage({
            title: 'You are unsubscribed',
            message: `You will not receive the ${config.alliance.name} e-mail updates any more. You can subscribe again from your preferences at any time.`,
          }),
        )
      : json(200, { status });
  },
);
