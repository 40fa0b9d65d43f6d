import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { logger } from '../../shared/logger';
import { announce } from '../../shared/outbox';
import { verifyToken } from '../../shared/tokens';
import { personKey } from '../activities/person-keys';
import { getMember } from './member-store';
import { eraseMember } from './retention-store';

/**
 * Right to erasure: personal data goes from every table (other capabilities erase their own on
 * MemberErased), aggregate counters stay, and every link the member holds stops working.
 */
export const handler = route({ query: tokenQuery }, async ({ query, correlationId }) => {
  const memberId = await verifyToken('erase', query.token);
  const member = await getMember(memberId);
  if (!member) {
    logger.info('erasure repeated for a member already gone');
    return json(200, { status: 'erased' });
  }
  await eraseMember(
    member,
    announce(
      'members',
      [
        {
          detailType: 'MemberErased',
          detail: {
            memberId,
            organisationType: member.organisationType,
            wasConfirmed: member.status === 'confirmed',
            personKey: await personKey(member.email),
          },
        },
      ],
      correlationId,
    ),
  );
  return json(200, { status: 'erased' });
});
