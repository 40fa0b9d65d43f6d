import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { eraseFeedbackComment, saveAnswer } from '../../functions/feedback/feedback-store';

const dynamo = mockClient(DynamoDBDocumentClient);
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const activityId = '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10';
const attendee = { attendeeKey: 'a'.repeat(32), memberId: '0b3c1f7e-95a4-4d2b-8d7e-6f2b9a1c0d11' };
const stored = (rating: number, version: number) => ({ Item: { rating, version, answeredAt: 'then' } });

beforeEach(() => dynamo.reset());

describe('saving a feedback answer at the seam', () => {
  it('a first answer is written only if there is none, with the activity and attendance checked in the same transaction', async () => {
    dynamo.on(GetCommand).resolves({});
    dynamo.on(TransactWriteCommand).resolves({});
    const replaced: Array<number | null> = [];

    const outcome = await saveAnswer(
      activityId,
      attendee,
      { rating: 4, comment: 'Good' },
      'now',
      (previous) => {
        replaced.push(previous);
        return [];
      },
    );

    expect(outcome).toEqual({ saved: true, previousRating: null });
    expect(replaced).toEqual([null]);
    const [put, activity, attendance] =
      dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(put?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put?.Put?.Item).toMatchObject({
      sk: `FEEDBACK#${attendee.attendeeKey}`,
      rating: 4,
      comment: 'Good',
      memberId: attendee.memberId,
      version: 1,
    });
    expect(activity?.ConditionCheck?.ConditionExpression).toBe('#status = :scheduled');
    expect(attendance?.ConditionCheck?.Key).toEqual({
      pk: `ACTIVITY#${activityId}`,
      sk: `ATTEND#${attendee.attendeeKey}`,
    });
  });

  it('when another answer landed between the read and the write, it reads again, so the replaced rating is exact', async () => {
    dynamo.on(GetCommand).resolvesOnce(stored(2, 1)).resolvesOnce(stored(5, 2));
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None'))
      .resolves({});
    const replaced: Array<number | null> = [];

    const outcome = await saveAnswer(
      activityId,
      attendee,
      { rating: 3, comment: null },
      'now',
      (previous) => {
        replaced.push(previous);
        return [];
      },
    );

    expect(outcome).toEqual({ saved: true, previousRating: 5 });
    expect(replaced).toEqual([2, 5]);
    const second = dynamo.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems?.[0]?.Put;
    expect(second?.ConditionExpression).toBe('version = :version');
    expect(second?.ExpressionAttributeValues).toEqual({ ':version': 2 });
    expect(second?.Item).toMatchObject({ rating: 3, version: 3 });
    expect(second?.Item).not.toHaveProperty('comment');
  });

  it('says so, and writes nothing, when the activity was cancelled or the attendee erased', async () => {
    dynamo.on(GetCommand).resolves({});
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'ConditionalCheckFailed', 'None'))
      .rejectsOnce(cancelled('None', 'None', 'ConditionalCheckFailed'));

    expect(await saveAnswer(activityId, attendee, { rating: 3, comment: null }, 'now', () => [])).toEqual({
      saved: false,
      reason: 'cancelled',
    });
    expect(await saveAnswer(activityId, attendee, { rating: 3, comment: null }, 'now', () => [])).toEqual({
      saved: false,
      reason: 'erased',
    });
  });

  it('erasure removes the comment and the member link, keeps the rating, and moves the version', async () => {
    dynamo.on(UpdateCommand).resolves({});

    await eraseFeedbackComment(`ACTIVITY#${activityId}`, `FEEDBACK#${attendee.attendeeKey}`);

    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.UpdateExpression).toBe('SET version = version + :one REMOVE #comment, memberId');
    expect(update?.UpdateExpression).not.toContain('rating');
  });
});
