/**
 * The deliveries table: one record per (mail-out, member). It is created `pending` when the audience
 * is fixed, claimed `queued` by a conditional write before the SES call (so nobody is sent the same
 * mail-out twice), and moved on by the send's answer and by SES's events.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { tableName } from '../../shared/tables';

export type DeliveryState =
  | 'pending'
  | 'queued'
  | 'sent'
  | 'failed'
  | 'skipped'
  | 'delivered'
  | 'bounced'
  | 'complained';

export interface Delivery {
  mailoutId: string;
  memberId: string;
  state: DeliveryState;
  email?: string;
  name?: string;
  organisation?: string;
  queuedAt?: string;
  sentAt?: string;
  messageId?: string;
  reason?: string;
  deliveredAt?: string;
  bouncedAt?: string;
  bounceType?: 'permanent' | 'transient';
  complainedAt?: string;
  delayedAt?: string;
  humanOpenAt?: string;
  machineOpenAt?: string;
  readAt?: string;
  firstClickAt?: string;
  clicks?: number;
  /** When the last few clicks came, to tell a link scanner (every link at once) from a person. */
  recentClicks?: string[];
  erased?: boolean;
}

export const deliveryKey = (mailoutId: string, memberId: string) => ({
  pk: `MAILOUT#${mailoutId}`,
  sk: `MEMBER#${memberId}`,
});

/** A one-way key of the record for events and counters: never the address. */
export const recipientKey = (mailoutId: string, memberId: string) =>
  createHash('sha256').update(`${mailoutId}\n${memberId}`).digest('base64url').slice(0, 32);

const table = () => tableName('deliveries');

const toDelivery = (item: Record<string, unknown>): Delivery => {
  const { pk: _pk, sk: _sk, ...delivery } = item;
  return delivery as unknown as Delivery;
};

/** Adds a recipient to a mail-out's fixed audience; false when the record already exists. */
export async function addPending(mailoutId: string, memberId: string): Promise<boolean> {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: table(),
        Item: { ...deliveryKey(mailoutId, memberId), mailoutId, memberId, state: 'pending' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** A page of a mail-out's records in member order, after `cursor` (a sort key). */
export async function deliveriesAfter(
  mailoutId: string,
  cursor: string | undefined,
  limit: number,
): Promise<{ deliveries: Delivery[]; lastKey?: string }> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: cursor ? 'pk = :pk AND sk > :cursor' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `MAILOUT#${mailoutId}`, ...(cursor ? { ':cursor': cursor } : {}) },
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  const items = result.Items ?? [];
  const last = items.at(-1);
  return {
    deliveries: items.map(toDelivery),
    lastKey: last ? String(last.sk) : undefined,
  };
}

/** Every record of a mail-out, page by page (the recipients export, a resend, the final sweep). */
export async function* allDeliveries(mailoutId: string, pageSize = 500): AsyncGenerator<Delivery[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await deliveriesAfter(mailoutId, cursor, pageSize);
    if (page.deliveries.length > 0) yield page.deliveries;
    if (page.deliveries.length < pageSize || !page.lastKey) return;
    cursor = page.lastKey;
  }
}

export async function getDelivery(mailoutId: string, memberId: string): Promise<Delivery | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: table(), Key: deliveryKey(mailoutId, memberId), ConsistentRead: true }),
  );
  return result.Item ? toDelivery(result.Item) : undefined;
}

/**
 * Claims a pending record for sending (pending → queued): the conditional write before the SES call.
 * False when someone else has it already (a duplicate run, a resumed one).
 */
export async function claim(
  mailoutId: string,
  memberId: string,
  recipient: { email: string; name: string; organisation: string },
  at: string,
  from: { state: 'pending' } | { state: 'queued'; queuedAt: string } = { state: 'pending' },
): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: table(),
        Key: deliveryKey(mailoutId, memberId),
        UpdateExpression:
          'SET #state = :queued, queuedAt = :at, email = :email, #name = :name, organisation = :organisation',
        ConditionExpression:
          from.state === 'pending' ? '#state = :pending' : '#state = :queued AND queuedAt = :previous',
        ExpressionAttributeNames: { '#state': 'state', '#name': 'name' },
        ExpressionAttributeValues: {
          ':queued': 'queued',
          ':at': at,
          ':email': recipient.email,
          ':name': recipient.name,
          ':organisation': recipient.organisation,
          ...(from.state === 'pending' ? { ':pending': 'pending' } : { ':previous': from.queuedAt }),
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Gives a claim back (SES answered with an error that did not send it): the record is pending again. */
export async function unclaim(mailoutId: string, memberId: string): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: table(),
        Key: deliveryKey(mailoutId, memberId),
        UpdateExpression: 'SET #state = :pending REMOVE queuedAt',
        ConditionExpression: '#state = :queued',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pending': 'pending', ':queued': 'queued' },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/**
 * A transaction item moving one record from one of `from` to a new state with `set` (and `add`
 * counters on the record), conditioned on that: put it first in a transaction, so a repeated or
 * late change does nothing.
 */
export function moveRecord(
  mailoutId: string,
  memberId: string,
  from: DeliveryState[] | 'any',
  change: {
    state?: DeliveryState;
    set?: Record<string, unknown>;
    /** Only when the attribute is absent (a first open, a first click). */
    unlessSet?: string;
    add?: Record<string, number>;
  },
): TransactItem {
  // DynamoDB refuses names an expression does not use: `#state` only when it is read or written.
  const names: Record<string, string> = change.state || from !== 'any' ? { '#state': 'state' } : {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  if (change.state) {
    values[':to'] = change.state;
    sets.push('#state = :to');
  }
  Object.entries(change.set ?? {}).forEach(([field, value], index) => {
    names[`#f${index}`] = field;
    values[`:f${index}`] = value;
    sets.push(`#f${index} = :f${index}`);
  });
  const adds = Object.entries(change.add ?? {}).map(([field, by], index) => {
    names[`#a${index}`] = field;
    values[`:a${index}`] = by;
    return `#a${index} :a${index}`;
  });
  const conditions = ['attribute_exists(pk)'];
  if (from !== 'any') {
    from.forEach((state, index) => {
      values[`:from${index}`] = state;
    });
    conditions.push(`#state IN (${from.map((_, index) => `:from${index}`).join(', ')})`);
  }
  if (change.unlessSet) {
    names['#unless'] = change.unlessSet;
    conditions.push('attribute_not_exists(#unless)');
  }
  const expression = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    Update: {
      TableName: table(),
      Key: deliveryKey(mailoutId, memberId),
      UpdateExpression: expression,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    },
  };
}
