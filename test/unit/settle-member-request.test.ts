/** What happens after the answer: the consumer that decides what a registration or link request means. */
import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/members/settle-member-request';
import { lambdaContext } from '../../infra/local/lambda';
import { buildEvent } from '../../shared/outbox';
import { adaRegistration } from './fixtures';
import { sqsBatch } from './sqs-event';

const dynamo = mockClient(DynamoDBDocumentClient);
const idempotencyStore = mockClient(DynamoDBClient);

const requestId = '0b8f7c1e-5d2a-4a8e-9f10-2c3d4e5f6a7b';
const knownMemberId = '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10';
const registration = { ...adaRegistration, email: 'Ada@Example.org' };

const storedRequest = (request: Record<string, unknown>) =>
  dynamo.on(GetCommand, { Key: { pk: `REQUEST#${requestId}`, sk: 'REQUEST' } }).resolves({
    Item: { pk: `REQUEST#${requestId}`, sk: 'REQUEST', type: 'member-request', requestId, ...request },
  });

const settle = (detailType: 'MemberRegistrationRequested' | 'MemberLinkRequestReceived') =>
  handler(
    sqsBatch('settle-member-request', { detailType, detail: buildEvent(detailType, { requestId }) }),
    lambdaContext('settle-member-request', 10),
  );

const transactionShapes = () =>
  dynamo
    .commandCalls(TransactWriteCommand)
    .map((call) =>
      (call.args[0].input.TransactItems ?? []).map((item) =>
        item.Delete ? `delete ${String(item.Delete.Key?.pk).split('#')[0]}` : String(item.Put?.Item?.type),
      ),
    );

beforeEach(() => {
  dynamo.reset();
  idempotencyStore.reset();
  idempotencyStore.on(PutItemCommand).resolves({});
  idempotencyStore.on(UpdateItemCommand).resolves({});
  idempotencyStore.on(DeleteItemCommand).resolves({});
  dynamo.on(GetCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({});
  dynamo.on(TransactWriteCommand).resolves({});
  dynamo.on(DeleteCommand).resolves({});
});

describe('settling a member request', () => {
  it('a new address becomes a pending member, announced, with the request settled in the same transaction', async () => {
    storedRequest({ kind: 'registration', requestedAt: '2026-11-27T10:00:00.000Z', registration });

    expect((await settle('MemberRegistrationRequested')).batchItemFailures).toEqual([]);

    expect(transactionShapes()).toEqual([
      ['email', 'member', 'consent', 'consent', 'outbox', 'delete REQUEST'],
    ]);
    const [lock, profile, , , outbox] =
      dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(lock?.Put?.Item?.pk).toBe('EMAIL#ada@example.org');
    // The member id is the request id: a request handled twice can never make two members.
    expect(profile?.Put?.Item).toMatchObject({
      memberId: requestId,
      status: 'pending',
      registeredAt: '2026-11-27T10:00:00.000Z',
    });
    expect(outbox?.Put?.Item?.detailType).toBe('MemberRegistered');
    expect(outbox?.Put?.Item?.detail).not.toContain('Lovelace');
  });

  it('a known pending address that registers again gets a fresh confirmation (MemberRegistrationRepeated), once', async () => {
    storedRequest({ kind: 'registration', requestedAt: '2026-11-27T10:00:00.000Z', registration });
    dynamo.on(TransactWriteCommand).rejectsOnce(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
      }),
    );
    dynamo
      .on(GetCommand, { Key: { pk: 'EMAIL#ada@example.org', sk: 'EMAIL' } })
      .resolves({ Item: { memberId: knownMemberId } });
    dynamo
      .on(GetCommand, { Key: { pk: `MEMBER#${knownMemberId}`, sk: 'PROFILE' } })
      .resolves({ Item: { memberId: knownMemberId, status: 'pending' } });

    await settle('MemberRegistrationRequested');

    expect(transactionShapes()[1]).toEqual(['delete REQUEST', 'outbox']);
    const outbox = dynamo.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems?.[1]?.Put?.Item;
    expect(JSON.parse(String(outbox?.detail))).toMatchObject({
      memberId: knownMemberId,
      memberStatus: 'pending',
    });
  });

  it('a link request for an unknown address sends nothing, and the request is dropped', async () => {
    storedRequest({ kind: 'link', requestedAt: '2026-11-27T10:00:00.000Z', email: 'nobody@example.org' });

    await settle('MemberLinkRequestReceived');

    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({
      pk: `REQUEST#${requestId}`,
      sk: 'REQUEST',
    });
  });

  it('a request already settled (a duplicate or a replay from the archive) writes nothing', async () => {
    await settle('MemberRegistrationRequested');

    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(DeleteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
