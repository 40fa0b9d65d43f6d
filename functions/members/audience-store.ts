/**
 * The mail-out audience, read for the mail-outs capability: the sparse `audience` index holds only
 * profiles that may receive mail-outs (confirmed, newsletter consent, not suppressed; see
 * domain/audience.ts), so reading it never touches anyone else. The index is eventually
 * consistent: the dispatcher rechecks each recipient with `getProfiles` just before sending.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { tableName } from '../../shared/tables';
import { batchGetMembersItems } from './batch-get';
import { audiencePartition } from './domain/audience';
import { type MemberProfile, memberKey, toProfile } from './member-store';

/** What a mail-out needs of a recipient: to address, greet and segment them. */
export type AudienceMember = Pick<
  MemberProfile,
  'memberId' | 'name' | 'email' | 'organisation' | 'organisationType' | 'networks' | 'interests'
>;

export interface AudiencePage {
  members: AudienceMember[];
  /** The last member of this page: pass it as `startAfter` to carry on after it (a checkpoint). */
  lastMemberId?: string;
}

const audienceIndex = 'audience';

/**
 * The audience, page by page in memberId order, starting after `startAfter` when given (so a
 * dispatcher resumes from its checkpoint). Pages are never empty; there are none at all when the
 * audience is empty.
 */
export async function* audiencePages(
  pageSize = 200,
  startAfter?: string,
): AsyncGenerator<AudiencePage, void, undefined> {
  // An index's start key names the item's table key as well as its index key.
  let startKey: Record<string, unknown> | undefined = startAfter
    ? { audiencePk: audiencePartition, memberId: startAfter, ...memberKey(startAfter) }
    : undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName('members'),
        IndexName: audienceIndex,
        KeyConditionExpression: 'audiencePk = :audience',
        ExpressionAttributeValues: { ':audience': audiencePartition },
        ProjectionExpression: 'memberId, #name, email, organisation, organisationType, networks, interests',
        ExpressionAttributeNames: { '#name': 'name' },
        Limit: pageSize,
        ExclusiveStartKey: startKey,
      }),
    );
    const members = (page.Items ?? []).map(toAudienceMember);
    const last = members.at(-1);
    if (last) yield { members, lastMemberId: last.memberId };
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

const toAudienceMember = (item: Record<string, unknown>): AudienceMember => ({
  memberId: String(item.memberId),
  name: String(item.name ?? ''),
  email: String(item.email ?? ''),
  organisation: String(item.organisation ?? ''),
  organisationType: String(item.organisationType ?? ''),
  networks: Array.isArray(item.networks) ? item.networks.map(String) : [],
  interests: Array.isArray(item.interests) ? item.interests.map(String) : [],
});

/**
 * The current profiles of these members, read with strong consistency (100 a call, unprocessed
 * keys retried). A member erased since is absent from the map; a suppressed one carries
 * `suppressedAt`; one who unsubscribed has `newsletter: false`.
 */
export async function getProfiles(
  memberIds: string[],
): Promise<Map<string, MemberProfile & { suppressedAt?: string }>> {
  const items = await batchGetMembersItems(memberIds.map(memberKey));
  const profiles = new Map<string, MemberProfile>();
  for (const item of items) {
    if (item.type !== 'member') continue;
    const profile = toProfile(item);
    profiles.set(profile.memberId, profile);
  }
  return profiles;
}
