/** The members table: profiles, the e-mail uniqueness lock and the append-only consent record. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { tableName } from '../../shared/tables';
import { isFirstConditionFailure, transactIfFirstHolds } from '../../shared/transactions';
import { type ConsentEntry, normaliseEmail } from './domain/registration';

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
}

export const memberKey = (memberId: string) => ({ pk: `MEMBER#${memberId}`, sk: 'PROFILE' });
export const emailKey = (normalisedEmail: string) => ({ pk: `EMAIL#${normalisedEmail}`, sk: 'EMAIL' });
const consentKey = (memberId: string, entry: ConsentEntry, index: number) => ({
  pk: `MEMBER#${memberId}`,
  sk: `CONSENT#${entry.at}#${entry.purpose}#${index}`,
});

const consentPuts = (memberId: string, entries: ConsentEntry[]) =>
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

export async function getMember(memberId: string): Promise<MemberProfile | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: tableName('members'), Key: memberKey(memberId), ConsistentRead: true }),
  );
  if (!result.Item) return undefined;
  const {
    pk: _pk,
    sk: _sk,
    type: _type,
    pendingPk: _pendingPk,
    pendingSince: _pendingSince,
    ...profile
  } = result.Item;
  return profile as MemberProfile;
}

/** A consent item as the record shows it: what, how, when, in which words and form version. */
export const toConsentEntry = ({
  purpose,
  action,
  formVersion,
  wording,
  method,
  at,
}: Record<string, unknown>) => ({ purpose, action, formVersion, wording, method, at }) as ConsentEntry;

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

/** Moves a pending member to confirmed, with the confirmation consent entries and events, atomically. */
export async function confirmMember(
  memberId: string,
  confirmedAt: string,
  consent: ConsentEntry[],
  events: TransactItem[],
): Promise<'confirmed' | 'already-confirmed' | 'missing'> {
  const changed = await updateProfileWithConsent(
    memberId,
    {
      UpdateExpression: 'SET #status = :confirmed, confirmedAt = :at REMOVE pendingPk, pendingSince',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':confirmed': 'confirmed', ':pending': 'pending', ':at': confirmedAt },
    },
    consent,
    events,
  );
  if (changed) return 'confirmed';
  const member = await getMember(memberId);
  return member ? 'already-confirmed' : 'missing';
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
  return transactIfFirstHolds([
    { Update: { TableName: tableName('members'), Key: memberKey(memberId), ...update } },
    ...consentPuts(memberId, consent),
    ...events,
  ]);
}

/** Unconfirmed registrations older than `before`, oldest first (a sparse index holds only these). */
export async function listPendingBefore(before: string, limit: number): Promise<string[]> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: tableName('members'),
      IndexName: 'pending',
      KeyConditionExpression: 'pendingPk = :pending AND pendingSince < :before',
      ExpressionAttributeValues: { ':pending': 'pending', ':before': before },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => String(item.memberId));
}

/** Deletes every item of a member that is still pending (profile, e-mail lock, consent entries) and
 * announces it, in one transaction. */
export async function deletePendingMember(
  memberId: string,
  events: (member: MemberProfile) => TransactItem[],
): Promise<boolean> {
  const member = await getMember(memberId);
  if (member?.status !== 'pending') return false;
  const items = await dynamo.send(
    new QueryCommand({
      TableName: tableName('members'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `MEMBER#${memberId}` },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    }),
  );
  const announcement = events(member);
  // 100 items at most in one transaction: profile, e-mail lock, the events, then consent entries.
  const others = (items.Items ?? [])
    .filter((item) => item.sk !== 'PROFILE')
    .slice(0, 98 - announcement.length);
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: tableName('members'),
              Key: memberKey(memberId),
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':pending': 'pending' },
            },
          },
          {
            Delete: {
              TableName: tableName('members'),
              Key: emailKey(normaliseEmail(member.email)),
              ConditionExpression: 'memberId = :memberId',
              ExpressionAttributeValues: { ':memberId': memberId },
            },
          },
          ...others.map((item) => ({
            Delete: { TableName: tableName('members'), Key: { pk: item.pk, sk: item.sk } },
          })),
          ...announcement,
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/** Saves new preferences and any consent entry with them, atomically. False when the member is gone. */
export function savePreferences(
  memberId: string,
  next: { networks: string[]; interests: string[]; newsletter: boolean },
  consent: ConsentEntry[],
  at: string,
  events: TransactItem[],
): Promise<boolean> {
  return updateProfileWithConsent(
    memberId,
    {
      UpdateExpression:
        'SET networks = :networks, interests = :interests, newsletter = :newsletter, preferencesChangedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':networks': next.networks,
        ':interests': next.interests,
        ':newsletter': next.newsletter,
        ':at': at,
      },
    },
    consent,
    events,
  );
}

/**
 * Withdraws newsletter consent at once. 'already' when it was not given (so doing it twice is
 * harmless and records nothing new), 'missing' when there is no such member.
 */
export async function unsubscribeMember(
  memberId: string,
  entry: ConsentEntry,
  events: TransactItem[],
): Promise<'unsubscribed' | 'already' | 'missing'> {
  const changed = await updateProfileWithConsent(
    memberId,
    {
      UpdateExpression: 'SET newsletter = :false, unsubscribedAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND newsletter = :true',
      ExpressionAttributeValues: { ':false': false, ':true': true, ':at': entry.at },
    },
    [entry],
    events,
  );
  if (changed) return 'unsubscribed';
  return (await getMember(memberId)) ? 'already' : 'missing';
}

/** Every item under the member's key, for the data export and for erasure. */
export async function allMemberItems(memberId: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName('members'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `MEMBER#${memberId}` },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Right to erasure: deletes the e-mail lock, the consent entries and finally the profile, in the
 * same transaction as the events announcing it. The profile goes last so that an interrupted
 * erasure can be run again with the same link, and its announcement cannot be lost on the way.
 */
export async function eraseMember(member: MemberProfile, events: TransactItem[]): Promise<boolean> {
  const items = await allMemberItems(member.memberId);
  const keys = [
    emailKey(normaliseEmail(member.email)),
    ...items.filter((item) => item.sk !== 'PROFILE').map((item) => ({ pk: item.pk, sk: item.sk })),
  ];
  for (let start = 0; start < keys.length; start += 25) {
    let pending = keys.slice(start, start + 25).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 5) throw new Error('erasure could not finish deleting; run it again');
      const result = await dynamo.send(
        new BatchWriteCommand({ RequestItems: { [tableName('members')]: pending } }),
      );
      pending = (result.UnprocessedItems?.[tableName('members')] ?? []) as typeof pending;
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
  // False when it was erased meanwhile by another request with the same link: that one announced it.
  return transactIfFirstHolds([
    {
      Delete: {
        TableName: tableName('members'),
        Key: memberKey(member.memberId),
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
    ...events,
  ]);
}
