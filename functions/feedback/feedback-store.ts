/**
 * Feedback answers, in the activities table under the activity's key: FEEDBACK#<attendeeKey>, one
 * per attendee (a second answer replaces the first). The item carries the member's id while they
 * are a member, so the byMember index finds it for erasure, and a version for optimistic
 * concurrency, so the event announcing an answer names the rating it replaced exactly.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { activityKey, erased, itemsUnder, table, transact } from '../activities/activity-store';
import type { FeedbackAnswer, StoredAnswer } from './domain/feedback';

const feedbackPrefix = 'FEEDBACK#';
const feedbackKey = (activityId: string, attendeeKey: string) => ({
  pk: `ACTIVITY#${activityId}`,
  sk: `${feedbackPrefix}${attendeeKey}`,
});
const attendanceKey = (activityId: string, attendeeKey: string) => ({
  pk: `ACTIVITY#${activityId}`,
  sk: `ATTEND#${attendeeKey}`,
});

export interface FeedbackItem extends StoredAnswer {
  activityId: string;
  attendeeKey: string;
  memberId?: string;
  version: number;
}

export interface AttendanceItem {
  personKey: string;
  email: string;
  name: string;
  memberId?: string;
}

export async function getFeedback(
  activityId: string,
  attendeeKey: string,
): Promise<FeedbackItem | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: table(), Key: feedbackKey(activityId, attendeeKey), ConsistentRead: true }),
  );
  return result.Item as FeedbackItem | undefined;
}

/** One person's attendance record (its address is `(erased)` after erasure). */
export async function getAttendance(
  activityId: string,
  attendeeKey: string,
): Promise<AttendanceItem | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: table(), Key: attendanceKey(activityId, attendeeKey), ConsistentRead: true }),
  );
  return result.Item as AttendanceItem | undefined;
}

export const listAttendance = (activityId: string) => itemsUnder<AttendanceItem>(activityId, 'ATTEND#');

export const listFeedback = (activityId: string) => itemsUnder<FeedbackItem>(activityId, feedbackPrefix);

export type SaveOutcome =
  | { saved: true; previousRating: number | null }
  | { saved: false; reason: 'cancelled' | 'erased' };

/** The answer changed under us this many times in a row: give up (the person can send again). */
const maxAttempts = 8;

/**
 * Stores an answer and the events announcing it (`announce` is given the rating it replaces, or
 * null) in one transaction, on three conditions: nobody answered meanwhile (the version read), the
 * activity is still on, and the attendance is still the person's (not erased). A lost race reads
 * again, so `previousRating` is exact however many answers arrive at once.
 */
export async function saveAnswer(
  activityId: string,
  attendee: { attendeeKey: string; memberId?: string },
  answer: FeedbackAnswer,
  answeredAt: string,
  announce: (previousRating: number | null) => TransactItem[],
): Promise<SaveOutcome> {
  const key = feedbackKey(activityId, attendee.attendeeKey);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const existing = await getFeedback(activityId, attendee.attendeeKey);
    const previousRating = existing?.rating ?? null;
    const item: FeedbackItem & typeof key = {
      ...key,
      activityId,
      attendeeKey: attendee.attendeeKey,
      rating: answer.rating,
      answeredAt,
      version: (existing?.version ?? 0) + 1,
      ...(answer.comment ? { comment: answer.comment } : {}),
      ...(attendee.memberId ? { memberId: attendee.memberId } : {}),
    };
    try {
      await transact([
        {
          Put: {
            TableName: table(),
            Item: item,
            ConditionExpression: existing ? 'version = :version' : 'attribute_not_exists(pk)',
            ...(existing ? { ExpressionAttributeValues: { ':version': existing.version } } : {}),
          },
        },
        {
          ConditionCheck: {
            TableName: table(),
            Key: activityKey(activityId),
            ConditionExpression: '#status = :scheduled',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':scheduled': 'scheduled' },
          },
        },
        {
          ConditionCheck: {
            TableName: table(),
            Key: attendanceKey(activityId, attendee.attendeeKey),
            ConditionExpression: 'attribute_exists(pk) AND email <> :erased',
            ExpressionAttributeValues: { ':erased': erased },
          },
        },
        ...announce(previousRating),
      ]);
      return { saved: true, previousRating };
    } catch (error) {
      const failed = failedConditions(error);
      if (failed.has(1)) return { saved: false, reason: 'cancelled' };
      if (failed.has(2)) return { saved: false, reason: 'erased' };
      if (!failed.has(0)) throw error;
    }
  }
  throw new Error(`feedback for ${activityId} kept changing while saving; try again`);
}

function failedConditions(error: unknown): Set<number> {
  if (!(error instanceof TransactionCanceledException)) return new Set();
  return new Set(
    (error.CancellationReasons ?? []).flatMap((reason, index) =>
      reason.Code === 'ConditionalCheckFailed' ? [index] : [],
    ),
  );
}

/** Erasure: the comment and the member link go; the rating stays for the aggregate. */
export async function eraseFeedbackComment(pk: string, sk: string): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk, sk },
      // The version moves too: an answer being saved from what was read before fails and reads again.
      UpdateExpression: 'SET version = version + :one REMOVE #comment, memberId',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#comment': 'comment' },
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
}

export const isFeedbackItem = (sk: string) => sk.startsWith(feedbackPrefix);
