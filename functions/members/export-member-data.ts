import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { tokenQuery } from '../../shared/http/token-query';
import { itemsOfMember } from '../activities/activity-store';
import { personKey } from '../activities/person-keys';
import { itemsOfMemberOrPerson } from '../activities/person-store';
import { suppressionExplanation } from './domain/suppression';
import { memberFromToken } from './member-access';
import { toConsentEntry } from './member-store';
import { allMemberItems } from './retention-store';
import { getSuppression } from './suppression-store';

/** Right of access: everything held about the member, as one JSON download. */
/** What an item of the member's under an activity is: attendance, feedback, a pending RSVP
 * request, or a booking. */
const recordKind = (sk: string) =>
  sk.startsWith('ATTEND#')
    ? 'attendance'
    : sk.startsWith('FEEDBACK#')
      ? 'feedback'
      : sk.startsWith('REQUEST#')
        ? 'rsvp-request'
        : 'booking';

export const handler = route({ query: tokenQuery }, async ({ query }) => {
  const member = await memberFromToken('preferences', query.token);
  const items = await allMemberItems(member.memberId);
  const consent = items
    .filter((item) => item.type === 'consent')
    .map(toConsentEntry)
    .sort((left, right) => String(left.at).localeCompare(String(right.at)));
  // By member id and by the keyed label of the address: bookings made before registering have no
  // member id.
  const held = await itemsOfMemberOrPerson(
    await itemsOfMember(member.memberId),
    await personKey(member.email),
  );
  const bookings = held.map(
    ({ pk: _pk, sk, memberId: _memberId, personKey: _personKey, expiresAt: _expiresAt, ...item }) => ({
      record: recordKind(String(sk)),
      ...item,
    }),
  );
  // Held under the address rather than the member: it may predate the membership (a guest's RSVP).
  const suppressed = await getSuppression(member.email);
  const suppression = suppressed
    ? { suppressed: true, ...suppressed, explanation: suppressionExplanation[suppressed.reason] }
    : { suppressed: false };
  return json(
    200,
    { exportedAt: new Date().toISOString(), profile: member, consent, bookings, suppression },
    { 'content-disposition': 'attachment; filename="my-data.json"' },
  );
});
