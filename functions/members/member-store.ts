/**
 * The members table: profiles, the e-mail uniqueness lock and the append-only consent record.
 * Every write that changes whether a profile belongs in the mail-out audience (status, newsletter,
 * suppression) settles its `audiencePk` in the same update (see domain/audience.ts). Removing
 * members lives in retention-store.ts, the audience's reads in audience-store.ts, suppression in
 * suppression-store.ts.
 */
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { tableName } from '../../shared/tables';
import { isFirstConditionFailure, transactIfFirstHolds } from '../../shared/transactions';
import { audienceUpdate, updateExpression } from './domain/audience';
import type { ConsentEntry } from './domain/registration';
import type { SuppressionReason } from './domain/suppression';

export type MemberStatus = 'pending' | 'confirmed';

export interface MemberProfile {
  memberId: string;
  name: string;
  email: string;
  organisation: string;
  organisationType: string;
  networks: string[];
  interests: string[];
  newsletter: boolean;
  formVersion: string;
  status: MemberStatus;
  registeredAt: string;
  confirmedAt?: string;
  /** When SES reported the address as hard-bouncing or complaining (see suppression-store.ts). */
  suppressedAt?: string;
  suppressedReason?: SuppressionReason;
}

export const memberKey = (memberId: string) => ({ pk: `MEMBER#${memberId}`, sk: 'PROFILE' });
export const emailKey = (normalisedEmail: string) => ({ pk: `EMAIL#${normalisedEmail}`, sk: 'EMAIL' });
const consentKey = (memberId: string, entry: ConsentEntry, index: number) => ({
  pk: `MEMBER#${memberId}`,
  sk: `CONSENT#${entry.at}#${entry.purpose}#${index}`,
});

export const consentPuts = (memberId: string, entries: ConsentEntry[]) =>
  entries.map((entry, index) => ({
    Put: {
      TableName: tableName('members'),
      Item: { ...consentKey(memberId, entry, index), type: 'consent', memberId, ...entry },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));

/**
 * Stores a new member, its e-mail lock, its consent entries and the events announcing it (outbox
 * items) in one transaction. When the address is already held, nothing is written and the holder's
 * id is returned.
 */
export async function createMember(
  profile: MemberProfile,
  normalisedEmail: string,
  consent: ConsentEntry[],
  events: TransactItem[],
): Promise<{ created: true } | { created: false; existingMemberId: string }> {
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName('members'),
              Item: { ...emailKey(normalisedEmail), type: 'email', memberId: profile.memberId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName('members'),
              Item: {
                ...memberKey(profile.memberId),
                type: 'member',
                ...profile,
                pendingPk: 'pending',
                pendingSince: profile.registeredAt,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...consentPuts(profile.memberId, consent),
          ...events,
        ],
      }),
    );
    return { created: true };
  } catch (error) {
    if (isFirstConditionFailure(error)) {
      const existing = await findMemberIdByEmail(normalisedEmail);
      if (existing) return { created: false, existingMemberId: existing };
    }
    throw error;
  }
}

export async function findMemberIdByEmail(normalisedEmail: string): Promise<string | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: tableName('members'), Key: emailKey(normalisedEmail), ConsistentRead: true }),
  );
  return typeof result.Item?.memberId === 'string' ? result.Item.memberId : undefined;
}

/** A stored profile item without its keys and index attributes. */
export function toProfile(item: Record<string, unknown>): MemberProfile {
  const {
    pk: _pk,
    sk: _sk,
    type: _type,
    pendingPk: _pendingPk,
    pendingSince: _pendingSince,
    audiencePk: _audiencePk,
    ...profile
  } = item;
  return profile as unknown as MemberProfile;
}

export async function getMember(memberId: string): Promise<MemberProfile | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: tableName('members'), Key: memberKey(memberId), ConsistentRead: true }),
  );
  return result.Item ? toProfile(result.Item) : undefined;
}

/** A consent item as the record shows it: what, how, when, in which words and form version. */
export const toConsentEntry = ({
  purpose,
  action,
  formVersion,
  wording,
  method,
  at,
  reason,
}: Record<string, unknown>) =>
  ({ purpose, action, formVersion, wording, method, at, ...(reason ? { reason } : {}) }) as ConsentEntry;

export async function listConsent(memberId: string): Promise<ConsentEntry[]> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName('members'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :consent)',
      ExpressionAttributeValues: { ':pk': `MEMBER#${memberId}`, ':consent': 'CONSENT#' },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map(toConsentEntry);
}

/** A read-then-conditional write lost a race this many times in a row: give up rather than spin. */
const maxProfileAttempts = 5;

class ProfileKeptChanging extends Error {
  constructor(memberId: string) {
    super(`member ${memberId} changed under every attempt to update it; try again`);
  }
}

/**
 * Moves a pending member to confirmed, with the confirmation consent entries and the events (built
 * from the profile as it is confirmed), atomically; a member with newsletter consent and an
 * address not suppressed joins the mail-out audience with it.
 */
export async function confirmMember(
  memberId: string,
  confirmedAt: string,
  consent: ConsentEntry[],
  events: (member: MemberProfile) => TransactItem[],
): Promise<'confirmed' | 'already-confirmed' | 'missing'> {
  for (let attempt = 1; attempt <= maxProfileAttempts; attempt++) {
    const member = await getMember(memberId);
    if (!member) return 'missing';
    if (member.status !== 'pending') return 'already-confirmed';
    const audience = audienceUpdate({ ...member, status: 'confirmed' }, ['newsletter', 'suppressed']);
    const changed = await updateProfileWithConsent(
      memberId,
      {
        UpdateExpression: updateExpression(
          ['#status = :confirmed', 'confirmedAt = :at', audience.set],
          ['pendingPk', 'pendingSince', audience.remove],
        ),
        ConditionExpression: ['#status = :pending', ...audience.conditions].join(' AND '),
        ExpressionAttributeNames: { '#status': 'status', ...audience.names },
        ExpressionAttributeValues: {
          ':confirmed': 'confirmed',
          ':pending': 'pending',
          ':at': confirmedAt,
          ...audience.values,
        },
      },
      consent,
      events(member),
    );
    if (changed) return 'confirmed';
  }
  throw new ProfileKeptChanging(memberId);
}

/**
 * Changes the profile, appends consent entries and announces the change in one transaction. False
 * when the update's condition did not hold (the member is gone, or already in the state asked for).
 */
async function updateProfileWithConsent(
  memberId: string,
  update: {
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  },
  consent: ConsentEntry[],
  events: TransactItem[],
): Promise<boolean> {
  const { ExpressionAttributeNames: names, ...rest } = update;
  return transactIfFirstHolds([
    {
      Update: {
        TableName: tableName('members'),
        Key: memberKey(memberId),
        ...rest,
        // DynamoDB refuses an empty map.
        ...(names && Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      },
    },
    ...consentPuts(memberId, consent),
    ...events,
  ]);
}

/**
 * Saves new preferences and any consent entry with them, atomically, and moves the member into or
 * out of the mail-out audience with their newsletter choice (never into it while pending or
 * suppressed: the write holds only if those are still as read). False when the member is gone.
 */
export async function savePreferences(
  memberId: string,
  next: { networks: string[]; interests: string[]; newsletter: boolean },
  consent: ConsentEntry[],
  at: string,
  events: TransactItem[],
): Promise<boolean> {
  for (let attempt = 1; attempt <= maxProfileAttempts; attempt++) {
    const member = await getMember(memberId);
    if (!member) return false;
    const audience = audienceUpdate(
      { status: member.status, newsletter: next.newsletter, suppressedAt: member.suppressedAt },
      ['status', 'suppressed'],
    );
    const saved = await updateProfileWithConsent(
      memberId,
      {
        UpdateExpression: updateExpression(
          [
            'networks = :networks',
            'interests = :interests',
            'newsletter = :newsletter',
            'preferencesChangedAt = :at',
            audience.set,
          ],
          [audience.remove],
        ),
        ConditionExpression: ['attribute_exists(pk)', ...audience.conditions].join(' AND '),
        ExpressionAttributeNames: audience.names,
        ExpressionAttributeValues: {
          ':networks': next.networks,
          ':interests': next.interests,
          ':newsletter': next.newsletter,
          ':at': at,
          ...audience.values,
        },
      },
      consent,
      events,
    );
    if (saved) return true;
  }
  throw new ProfileKeptChanging(memberId);
}

/**
 * Withdraws newsletter consent at once, which takes the member out of the mail-out audience.
 * 'already' when it was not given (so doing it twice is harmless and records nothing new),
 * 'missing' when there is no such member.
 */
export async function unsubscribeMember(
  memberId: string,
  entry: ConsentEntry,
  events: TransactItem[],
): Promise<'unsubscribed' | 'already' | 'missing'> {
  const changed = await updateProfileWithConsent(
    memberId,
    {
      UpdateExpression: 'SET newsletter = :false, unsubscribedAt = :at REMOVE audiencePk',
      ConditionExpression: 'attribute_exists(pk) AND newsletter = :true',
      ExpressionAttributeValues: { ':false': false, ':true': true, ':at': entry.at },
    },
    [entry],
    events,
  );
  if (changed) return 'unsubscribed';
  return (await getMember(memberId)) ? 'already' : 'missing';
}
