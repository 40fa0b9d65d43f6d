/**
 * Attendance items under an activity: ATTEND#<personKey>, one per person, each written with the
 * AttendanceRecorded event that counts it (outbox) in the same transaction. A whole upload is
 * written in transactions of 50 people (100 items, DynamoDB's limit), a few at a time.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { TransactItem } from '../../shared/outbox';
import { itemsUnder, table, transact } from './activity-store';

export interface Attendee {
  personKey: string;
  email: string;
  name: string;
  memberId?: string;
}

const peoplePerTransaction = 50;
const transactionsInHand = 4;

/** Person keys already recorded for an activity. */
async function recordedKeys(activityId: string): Promise<Set<string>> {
  const items = await itemsUnder(activityId, 'ATTEND#', 'sk');
  return new Set(items.map((item) => String(item.sk).slice('ATTEND#'.length)));
}

/** Writes one group; people recorded meanwhile by another upload are dropped and the rest written. */
async function writeGroup(
  activityId: string,
  group: Attendee[],
  now: string,
  announce: (attendee: Attendee) => TransactItem,
): Promise<number> {
  let pending = group;
  while (pending.length > 0) {
    try {
      await transact(
        pending.flatMap((attendee) => [
          {
            Put: {
              TableName: table(),
              Item: {
                pk: `ACTIVITY#${activityId}`,
                sk: `ATTEND#${attendee.personKey}`,
                activityId,
                ...attendee,
                recordedAt: now,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          announce(attendee),
        ]),
      );
      return pending.length;
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      const taken = new Set(
        pending.filter((_, index) => reasons[index * 2]?.Code === 'ConditionalCheckFailed'),
      );
      if (taken.size === 0) throw error;
      pending = pending.filter((attendee) => !taken.has(attendee));
    }
  }
  return 0;
}

/**
 * Records attendance once per (activity, person), with its event. Returns how many were new; people
 * already recorded are left as they are and announce nothing again.
 */
export async function recordAttendances(
  activityId: string,
  attendees: Attendee[],
  now: string,
  announce: (attendee: Attendee) => TransactItem,
): Promise<number> {
  const known = await recordedKeys(activityId);
  const fresh = attendees.filter((attendee) => !known.has(attendee.personKey));
  const groups: Attendee[][] = [];
  for (let start = 0; start < fresh.length; start += peoplePerTransaction) {
    groups.push(fresh.slice(start, start + peoplePerTransaction));
  }
  let recorded = 0;
  const workers = Array.from({ length: transactionsInHand }, async () => {
    for (let group = groups.shift(); group; group = groups.shift()) {
      const written = await writeGroup(activityId, group, now, announce);
      recorded += written;
    }
  });
  await Promise.all(workers);
  return recorded;
}
