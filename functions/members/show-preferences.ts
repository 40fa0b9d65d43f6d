import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { memberFromToken, memberView, preferencesActions } from './member-access';

/** What the preferences page shows: the member's own record and the links for what they can do. */
export const handler = route({ query: tokenQuery }, async ({ query }) => {
  const member = await memberFromToken('preferences', query.token);
  return json(200, {
    member: memberView(member),
    links: await preferencesActions(member.memberId, query.token ?? ''),
  });
});
