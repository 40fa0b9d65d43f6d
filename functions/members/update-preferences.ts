import { config } from '../../shared/config';
import { Gone } from '../../shared/errors';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { announce, type Publishable } from '../../shared/outbox';
import {
  applyPreferences,
  choiceChange,
  newsletterConsentChange,
  preferencesSchema,
} from './domain/preferences';
import { memberFromToken, memberView } from './member-access';
import { savePreferences } from './member-store';

export const handler = route(
  { query: tokenQuery, body: preferencesSchema },
  async ({ query, body, correlationId }) => {
    const member = await memberFromToken('preferences', query.token);
    const { next, changed } = applyPreferences(member, body);
    if (changed.length === 0) return json(200, { member: memberView(member), changed });

    const at = new Date().toISOString();
    const formVersion = body.formVersion ?? config.alliance.currentFormVersion;
    // Every change lands in the append-only record: newsletter consent given or withdrawn, and the
    // networks and interests chosen.
    const consent = [
      ...(changed.includes('newsletter')
        ? [newsletterConsentChange(next.newsletter, formVersion, at, 'preferences-page')]
        : []),
      ...(changed.includes('networks') || changed.includes('interests')
        ? [choiceChange(next, formVersion, at)]
        : []),
    ];
    const facts = {
      memberId: member.memberId,
      organisationType: member.organisationType,
      ...next,
      occurredAt: at,
    };
    const events: Publishable[] = [{ detailType: 'MemberPreferencesChanged', detail: { ...facts, changed } }];
    if (changed.includes('newsletter') && !next.newsletter) {
      events.push({
        detailType: 'MemberUnsubscribed',
        detail: {
          memberId: member.memberId,
          organisationType: member.organisationType,
          method: 'preferences-page',
          occurredAt: at,
        },
      });
    }
    if (
      !(await savePreferences(member.memberId, next, consent, at, announce('members', events, correlationId)))
    ) {
      throw new Gone('member_gone', 'We no longer hold a membership for this link.');
    }
    return json(200, { member: memberView({ ...member, ...next }), changed });
  },
);
