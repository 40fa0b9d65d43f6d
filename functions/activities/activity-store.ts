/**
 * The activities table. Under one activity's key: its META item (with the `accepted` count that
 * guards capacity), one RSVP item per person, WAIT items ordered by arrival (the waitlist),
 * ATTEND items and REMIND markers.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { tableName } from '../../shared/tables';
import { retryOnConflict, transactIfFirstHolds } from '../../shared/transactions';
import type { Activity } from './domain/activity';
import type { RsvpStatus } from './domain/rsvp';

export const table = () => tableName('activities');
export const activityKey = (activityId: string) => ({ pk: `ACTIVITY#${activityId}`, sk: 'META' });
const rsvpKey = (activityId: string, rsvpId: string) => ({
  pk: `ACTIVITY#${activityId}`,
  sk: `RSVP#${rsvpId}`,
});
const waitKey = (activityId: string, arrival: string, rsvpId: string) => ({
  pk: `ACTIVITY#${activityId}`,
  sk: `WAIT#${arrival}#${rsvpId}`,
});

export interface Rsvp {
  activityId: string;
  rsvpId: string;
  email: string;
  name: string;
  memberId?: string;
  /** The person's keyed label (`personKey`): finds their bookings at erasure, even made as a guest. */
  personKey?: string;
  status: RsvpStatus;
  /** When the person asked; the waitlist is in this order. */
  arrival: string;
  acceptedAt?: string;
  waitlistedAt?: string;
  cancelledAt?: string;
}

/** One transaction, run again if it lost a race with another on the same activity. */
export const transact = (items: NonNullable<TransactWriteCommandInput['TransactItems']>) =>
  retryOnConflict(() => dynamo.send(new TransactWriteCommand({ TransactItems: items })));

const cancelledAt = (error: unknown, index: number) =>
  error instanceof TransactionCanceledException &&
  error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';

export function toActivity(item: Record<string, unknown>): Activity {
  const { pk: _pk, sk: _sk, listPk: _listPk, ...rest } = item;
  return { capacity: null, venue: null, onlineUrl: null, description: '', ...rest } as Activity;
}

function activityItem(activity: Activity) {
  const { capacity, ...rest } = activity;
  // No capacity attribute means no limit: the booking condition reads `attribute_not_exists(capacity)`.
  return {
    ...activityKey(activity.activityId),
    listPk: 'ACTIVITY',
    ...rest,
    ...(capacity === null ? {} : { capacity }),
  };
}

/** Stores a new activity and the events announcing it, in one transaction. */
export async function putNewActivity(activity: Activity, events: TransactItem[]): Promise<void> {
  await transact([
    {
      Put: {
        TableName: table(),
        Item: activityItem(activity),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...events,
  ]);
}

export async function getActivity(activityId: string): Promise<Activity | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: table(), Key: activityKey(activityId), ConsistentRead: true }),
  );
  return result.Item ? toActivity(result.Item) : undefined;
}

/**
 * Saves a changed activity and the events announcing the change, if nobody changed it meanwhile
 * (optimistic: `updatedAt` must still match).
 */
export async function replaceActivity(
  next: Activity,
  expectedUpdatedAt: string,
  events: TransactItem[],
): Promise<boolean> {
  return transactIfFirstHolds([
    {
      Put: {
        TableName: table(),
        Item: activityItem(next),
        ConditionExpression: 'updatedAt = :expected AND accepted <= :capacity',
        ExpressionAttributeValues: {
          ':expected': expectedUpdatedAt,
          ':capacity': next.capacity ?? Number.MAX_SAFE_INTEGER,
        },
      },
    },
    ...events,
  ]);
}

/** Scheduled (not cancelled) activities starting in [from, to), soonest first. */
export async function activitiesStartingBetween(from: string, to: string, limit = 200): Promise<Activity[]> {
  const activities: Activity[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byStart',
        KeyConditionExpression: 'listPk = :list AND startsAt BETWEEN :from AND :to',
        FilterExpression: '#status = :scheduled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':list': 'ACTIVITY',
          ':from': from,
          ':to': to,
          ':scheduled': 'scheduled',
        },
        ExclusiveStartKey: startKey,
      }),
    );
    activities.push(...(page.Items ?? []).map(toActivity));
    startKey = page.LastEvaluatedKey;
  } while (startKey && activities.length < limit);
  return activities.filter((activity) => activity.startsAt < to).slice(0, limit);
}

export async function getRsvp(activityId: string, rsvpId: string): Promise<Rsvp | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: table(), Key: rsvpKey(activityId, rsvpId), ConsistentRead: true }),
  );
  return result.Item as Rsvp | undefined;
}

/** Every item under an activity whose sort key starts with `prefix`, page after page. */
export async function itemsUnder<Item = Record<string, unknown>>(
  activityId: string,
  prefix: string,
  projection?: string,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `ACTIVITY#${activityId}`, ':prefix': prefix },
        ...(projection ? { ProjectionExpression: projection } : {}),
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export async function listRsvps(activityId: string): Promise<Rsvp[]> {
  return itemsUnder<Rsvp>(activityId, 'RSVP#');
}

export type BookingOutcome = { status: 'accepted' | 'waitlisted'; isNew: boolean; rsvp: Rsvp };

/**
 * Books a place if one is free, else joins the waitlist. Capacity is guarded by a condition on the
 * activity's `accepted` count in the same transaction as the booking, so no concurrency can oversell.
 * The events announcing the answer (`announce`) are written in that same transaction. A person
 * already booked or waiting gets their existing answer back, and nothing is announced again.
 */
export async function book(
  activity: Activity,
  person: { rsvpId: string; personKey?: string; email: string; name: string; memberId?: string },
  now: string,
  announce: (answer: Rsvp) => TransactItem[],
): Promise<BookingOutcome> {
  const base = { activityId: activity.activityId, ...person, arrival: now };
  const accepted: Rsvp = { ...base, status: 'accepted', acceptedAt: now };
  const rsvpPut = (item: Rsvp) => ({
    Put: {
      TableName: table(),
      Item: { ...rsvpKey(activity.activityId, person.rsvpId), ...item },
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :cancelled',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':cancelled': 'cancelled' },
    },
  });
  try {
    await transact([
      {
        Update: {
          TableName: table(),
          Key: activityKey(activity.activityId),
          UpdateExpression: 'SET accepted = accepted + :one',
          ConditionExpression:
            '#status = :scheduled AND (attribute_not_exists(#capacity) OR accepted < #capacity)',
          ExpressionAttributeNames: { '#status': 'status', '#capacity': 'capacity' },
          ExpressionAttributeValues: { ':one': 1, ':scheduled': 'scheduled' },
        },
      },
      rsvpPut(accepted),
      ...announce(accepted),
    ]);
    return { status: 'accepted', isNew: true, rsvp: accepted };
  } catch (error) {
    if (cancelledAt(error, 1)) return existingBooking(activity.activityId, person.rsvpId, now);
    if (!cancelledAt(error, 0)) throw error;
  }
  const waitlisted: Rsvp = { ...base, status: 'waitlisted', waitlistedAt: now };
  try {
    await transact([
      {
        ConditionCheck: {
          TableName: table(),
          Key: activityKey(activity.activityId),
          ConditionExpression: '#status = :scheduled',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':scheduled': 'scheduled' },
        },
      },
      rsvpPut(waitlisted),
      {
        Put: {
          TableName: table(),
          Item: { ...waitKey(activity.activityId, now, person.rsvpId), rsvpId: person.rsvpId },
        },
      },
      ...announce(waitlisted),
    ]);
    return { status: 'waitlisted', isNew: true, rsvp: waitlisted };
  } catch (error) {
    if (cancelledAt(error, 1)) return existingBooking(activity.activityId, person.rsvpId, now);
    if (cancelledAt(error, 0)) throw new ActivityClosedError();
    throw error;
  }
}

export class ActivityClosedError extends Error {}

async function existingBooking(activityId: string, rsvpId: string, now: string): Promise<BookingOutcome> {
  const rsvp = await getRsvp(activityId, rsvpId);
  if (!rsvp || rsvp.status === 'cancelled')
    throw new Error(`booking ${rsvpId} changed while booking at ${now}; retry`);
  return { status: rsvp.status, isNew: false, rsvp };
}

/**
 * Cancels a booking or leaves the waitlist, with the events announcing it (`announce` is given the
 * booking as it was); undefined when there was nothing to cancel.
 */
export async function cancelBooking(
  activityId: string,
  rsvpId: string,
  now: string,
  announce: (was: Rsvp) => TransactItem[],
): Promise<Rsvp | undefined> {
  const rsvp = await getRsvp(activityId, rsvpId);
  if (!rsvp || rsvp.status === 'cancelled') return undefined;
  const statusChange = {
    Update: {
      TableName: table(),
      Key: rsvpKey(activityId, rsvpId),
      UpdateExpression: 'SET #status = :cancelled, cancelledAt = :now',
      ConditionExpression: '#status = :was',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':cancelled': 'cancelled', ':now': now, ':was': rsvp.status },
    },
  };
  const release =
    rsvp.status === 'accepted'
      ? {
          Update: {
            TableName: table(),
            Key: activityKey(activityId),
            UpdateExpression: 'SET accepted = accepted - :one',
            ConditionExpression: 'accepted > :zero',
            ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
          },
        }
      : { Delete: { TableName: table(), Key: waitKey(activityId, rsvp.arrival, rsvpId) } };
  try {
    await transact([statusChange, release, ...announce(rsvp)]);
  } catch (error) {
    if (cancelledAt(error, 0)) return cancelBooking(activityId, rsvpId, now, announce);
    throw error;
  }
  return rsvp;
}

/** The first person waiting, in arrival order. */
export async function firstWaiting(activityId: string): Promise<{ rsvpId: string; sk: string } | undefined> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :wait)',
      ExpressionAttributeValues: { ':pk': `ACTIVITY#${activityId}`, ':wait': 'WAIT#' },
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = result.Items?.[0];
  return item ? { rsvpId: String(item.rsvpId), sk: String(item.sk) } : undefined;
}

/**
 * Moves the first waiting person into a free place, with the events announcing it. 'full' when there
 * is none; 'stale' when they had left.
 */
export async function promote(
  activityId: string,
  waiting: { rsvpId: string; sk: string },
  now: string,
  events: TransactItem[],
): Promise<'promoted' | 'full' | 'stale'> {
  try {
    await transact([
      {
        Update: {
          TableName: table(),
          Key: activityKey(activityId),
          UpdateExpression: 'SET accepted = accepted + :one',
          ConditionExpression:
            '#status = :scheduled AND (attribute_not_exists(#capacity) OR accepted < #capacity)',
          ExpressionAttributeNames: { '#status': 'status', '#capacity': 'capacity' },
          ExpressionAttributeValues: { ':one': 1, ':scheduled': 'scheduled' },
        },
      },
      {
        Update: {
          TableName: table(),
          Key: rsvpKey(activityId, waiting.rsvpId),
          UpdateExpression: 'SET #status = :accepted, acceptedAt = :now',
          ConditionExpression: '#status = :waitlisted',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':accepted': 'accepted',
            ':waitlisted': 'waitlisted',
            ':now': now,
          },
        },
      },
      { Delete: { TableName: table(), Key: { pk: `ACTIVITY#${activityId}`, sk: waiting.sk } } },
      ...events,
    ]);
    return 'promoted';
  } catch (error) {
    if (cancelledAt(error, 0)) return 'full';
    if (cancelledAt(error, 1)) {
      await dynamo.send(
        new DeleteCommand({ TableName: table(), Key: { pk: `ACTIVITY#${activityId}`, sk: waiting.sk } }),
      );
      return 'stale';
    }
    throw error;
  }
}

/**
 * Calls an activity off, with the events announcing it, if it is still scheduled and unchanged
 * since it was read. 'changed' when someone changed it meanwhile (read it again and retry).
 */
export async function markActivityCancelled(
  activity: Activity,
  now: string,
  events: TransactItem[],
): Promise<'cancelled' | 'changed'> {
  const cancelled = await transactIfFirstHolds([
    {
      Update: {
        TableName: table(),
        Key: activityKey(activity.activityId),
        UpdateExpression: 'SET #status = :cancelled, updatedAt = :now, #sequence = #sequence + :one',
        ConditionExpression: '#status = :scheduled AND updatedAt = :expected',
        ExpressionAttributeNames: { '#status': 'status', '#sequence': 'sequence' },
        ExpressionAttributeValues: {
          ':cancelled': 'cancelled',
          ':scheduled': 'scheduled',
          ':now': now,
          ':one': 1,
          ':expected': activity.updatedAt,
        },
      },
    },
    ...events,
  ]);
  return cancelled ? 'cancelled' : 'changed';
}

/** A member's bookings and attendance, through the sparse byMember index. */
export async function itemsOfMember(memberId: string): Promise<Array<Record<string, unknown>>> {
  const result = await dynamo.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'byMember',
      KeyConditionExpression: 'memberId = :memberId',
      ExpressionAttributeValues: { ':memberId': memberId },
    }),
  );
  return result.Items ?? [];
}

/** What an erased person's name and address become on their bookings and attendance. */
export const erased = '(erased)';

/** Erasure: removes the name, address and member link from one booking or attendance item (and a
 * booking's person key, so it is no longer found as theirs). */
export async function anonymise(pk: string, sk: string): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk, sk },
      UpdateExpression: `SET email = :erased, #name = :erased REMOVE memberId${sk.startsWith('RSVP#') ? ', personKey' : ''}`,
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':erased': erased },
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

export interface RsvpRequest {
  rsvpId: string;
  personKey?: string;
  email: string;
  name: string;
  memberId?: string;
}

/** Pending e-mail RSVPs: the address and name wait here until the person follows the link (the
 * events ask for the link to be sent); the link names only the activity and the request id. */
export async function putRsvpRequest(
  activityId: string,
  request: RsvpRequest,
  expiresAt: number,
  events: TransactItem[],
): Promise<void> {
  await transact([
    {
      Put: {
        TableName: table(),
        Item: {
          pk: `ACTIVITY#${activityId}`,
          sk: `REQUEST#${request.rsvpId}`,
          activityId,
          ...request,
          expiresAt,
        },
      },
    },
    ...events,
  ]);
}

export async function getRsvpRequest(activityId: string, rsvpId: string): Promise<RsvpRequest | undefined> {
  const result = await dynamo.send(
    new GetCommand({
      TableName: table(),
      Key: { pk: `ACTIVITY#${activityId}`, sk: `REQUEST#${rsvpId}` },
      ConsistentRead: true,
    }),
  );
  // A request lapses by TTL, which DynamoDB applies late: past its time it is gone for us too.
  const expiresAt = Number(result.Item?.expiresAt ?? Number.POSITIVE_INFINITY);
  if (!result.Item || expiresAt * 1000 < Date.now()) return undefined;
  return result.Item as RsvpRequest;
}
