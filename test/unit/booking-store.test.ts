import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { book } from '../../functions/activities/activity-store';
import type { Activity } from '../../functions/activities/domain/activity';

const dynamo = mockClient(DynamoDBDocumentClient);
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const activity = {
  activityId: '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10',
  status: 'scheduled',
  capacity: 2,
} as Activity;
const person = { rsvpId: 'r1', email: 'ada@example.org', name: 'Ada' };

beforeEach(() => dynamo.reset());

describe('booking at the seam', () => {
  it('books a place with the capacity condition and the booking in one transaction', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    const outcome = await book(activity, person, '2026-11-27T10:00:00Z', () => []);

    expect(outcome).toMatchObject({ status: 'accepted', isNew: true });
    const [guard, booking] = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(guard?.Update?.ConditionExpression).toContain('accepted < #capacity');
    expect(booking?.Put?.Item).toMatchObject({ status: 'accepted', rsvpId: 'r1' });
  });

  it('joins the waitlist when the capacity condition fails', async () => {
    dynamo.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None')).resolves({});

    const outcome = await book(activity, person, '2026-11-27T10:00:00Z', () => []);

    expect(outcome.status).toBe('waitlisted');
    const items = dynamo.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
    expect(items.map((item) => Object.keys(item)[0])).toEqual(['ConditionCheck', 'Put', 'Put']);
    expect(String(items[2]?.Put?.Item?.sk)).toMatch(/^WAIT#2026-11-27T10:00:00Z#r1$/);
  });

  it('a transaction that lost a race is tried again rather than failing the person', async () => {
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('TransactionConflict', 'None'))
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .resolves({});

    expect((await book(activity, person, '2026-11-27T10:00:00Z', () => [])).status).toBe('accepted');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('someone already booked gets their booking back, not a second one', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    dynamo.on(GetCommand).resolves({
      Item: { ...person, activityId: activity.activityId, status: 'waitlisted', arrival: 'earlier' },
    });

    const outcome = await book(activity, person, '2026-11-27T10:00:00Z', () => []);

    expect(outcome).toMatchObject({ status: 'waitlisted', isNew: false });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
