/**
 * One-off jobs under an activity (a reminder for one booking, start and offset; a change notice to
 * one recipient) tracked by a marker with a lease: claimed → sent. A claim lasts `leaseSeconds`; a
 * run that dies between claiming and sending leaves a claim that lapses, and a later run retakes it,
 * so the job is neither lost nor done twice by runs that overlap.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { transactIfFirstHolds } from '../../shared/transactions';
import { table } from './activity-store';

const markerKey = (activityId: string, marker: string) => ({ pk: `ACTIVITY#${activityId}`, sk: marker });

export const reminderMarker = (rsvpId: string, startsAt: string, offsetHours: number) =>
  `REMIND#${rsvpId}#${startsAt}#${offsetHours}`;

/**
 * Claims a marker for `leaseSeconds`: true when it was free, or claimed by a run whose lease has
 * lapsed. False when it is done, or another run holds a live claim.
 */
export async function claimMarker(
  activityId: string,
  marker: string,
  options: { leaseSeconds: number; expiresAt?: number },
): Promise<boolean> {
  const nowMs = Date.now();
  try {
    await dynamo.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...markerKey(activityId, marker),
          state: 'claimed',
          leaseUntil: nowMs + options.leaseSeconds * 1000,
          claimedAt: new Date(nowMs).toISOString(),
          ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#state = :claimed AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':claimed': 'claimed', ':now': nowMs },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Marks a claimed job done, with the events announcing it, in one transaction. Markers written by
 * earlier versions (no state) count as done already.
 */
export async function markDone(
  activityId: string,
  marker: string,
  events: TransactItem[] = [],
): Promise<boolean> {
  return transactIfFirstHolds([
    {
      Update: {
        TableName: table(),
        Key: markerKey(activityId, marker),
        UpdateExpression: 'SET #state = :sent, sentAt = :at REMOVE leaseUntil',
        ConditionExpression: '#state = :claimed',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':claimed': 'claimed',
          ':at': new Date().toISOString(),
        },
      },
    },
    ...events,
  ]);
}

/**
 * Does a marker's job once: claims it, runs `send`, and marks it done with `events` in one
 * transaction. A failed send gives the claim back (and rethrows). False when another run holds it,
 * it is already done, or the claim lapsed before it was marked.
 */
export async function sendOnce(
  activityId: string,
  marker: string,
  leaseSeconds: number,
  send: () => Promise<void>,
  events: TransactItem[],
): Promise<boolean> {
  if (!(await claimMarker(activityId, marker, { leaseSeconds }))) return false;
  try {
    await send();
  } catch (error) {
    await releaseMarker(activityId, marker);
    throw error;
  }
  return markDone(activityId, marker, events);
}

/** Records a job as settled without doing it (a reminder whose time passed before the booking). */
export async function settleMarker(activityId: string, marker: string, expiresAt?: number): Promise<void> {
  await dynamo
    .send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...markerKey(activityId, marker),
          state: 'sent',
          settled: true,
          ...(expiresAt ? { expiresAt } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/** Gives a claim back at once (the send failed), so the next run need not wait for the lease. */
export async function releaseMarker(activityId: string, marker: string): Promise<void> {
  await dynamo
    .send(
      new DeleteCommand({
        TableName: table(),
        Key: markerKey(activityId, marker),
        ConditionExpression: '#state = :claimed',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':claimed': 'claimed' },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}
