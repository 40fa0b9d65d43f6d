/**
 * Removing members from the members table: unconfirmed registrations that expire (data
 * minimisation), and erasure on request. Deleting the profile takes it out of the mail-out audience
 * index with it.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { tableName } from '../../shared/tables';
import { transactIfFirstHolds } from '../../shared/transactions';
import { normaliseEmail } from './domain/registration';
import { emailKey, getMember, type MemberProfile, memberKey } from './member-store';

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
