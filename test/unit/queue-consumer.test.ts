import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda';
import { consumer } from '../../shared/consumer';
import { buildEvent } from '../../shared/outbox';
import { sqsBatch } from './sqs-event';

const dynamo = mockClient(DynamoDBClient);
const memberId = '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10';

const batch = (...details: unknown[]) =>
  sqsBatch(
    'send-registration-email',
    ...details.map((detail) => ({ detailType: 'MemberLinkRequested', detail })),
  );

const linkRequested = () => buildEvent('MemberLinkRequested', { memberId, memberStatus: 'confirmed' });

beforeEach(() => {
  dynamo.reset();
  dynamo.on(PutItemCommand).resolves({});
  dynamo.on(UpdateItemCommand).resolves({});
  dynamo.on(DeleteItemCommand).resolves({});
});

describe('a queue consumer', () => {
  it('reports only the record whose handling failed, and frees its idempotency record for the retry', async () => {
    const [good, bad] = [linkRequested(), linkRequested()];
    const handled: string[] = [];
    const handler = consumer('test-consumer', ['MemberLinkRequested'] as const, async ({ detail }) => {
      if (detail.eventId === bad.eventId) throw new Error('SES said no');
      handled.push(detail.eventId);
    });

    const answer = await handler(batch(good, bad), lambdaContext('test-consumer', 30));

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(handled).toEqual([good.eventId]);
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('holds its in-progress lock until the invocation deadline, so the lock outlasts the longest run', async () => {
    const handler = consumer('test-consumer', ['MemberLinkRequested'] as const, async () => {});
    const before = Date.now();

    await handler(batch(linkRequested()), lambdaContext('test-consumer', 300));

    const item = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item ?? {};
    const lockedUntil = Number(item.in_progress_expiration?.N);
    expect(lockedUntil).toBeGreaterThanOrEqual(before + 299_000);
    expect(lockedUntil).toBeLessThanOrEqual(Date.now() + 300_000);
    expect(item.id?.S).toMatch(/^test-consumer#/);
  });

  const alreadyThere = (record: Record<string, unknown>) =>
    new ConditionalCheckFailedException({
      message: 'exists',
      $metadata: {},
      Item: marshall({ id: 'test-consumer#x', expiresAt: Math.floor(Date.now() / 1000) + 3600, ...record }),
    });

  it('an event already handled is not handled again', async () => {
    const event = linkRequested();
    dynamo.on(PutItemCommand).rejects(alreadyThere({ status: 'COMPLETED' }));
    let calls = 0;
    const handler = consumer('test-consumer', ['MemberLinkRequested'] as const, async () => {
      calls++;
    });

    const answer = await handler(batch(event), lambdaContext('test-consumer', 30));

    expect(answer.batchItemFailures).toEqual([]);
    expect(calls).toBe(0);
  });

  it('an event another invocation is still handling comes back later rather than being handled twice', async () => {
    dynamo
      .on(PutItemCommand)
      .rejects(alreadyThere({ status: 'INPROGRESS', in_progress_expiration: Date.now() + 60_000 }));
    let calls = 0;
    const handler = consumer('test-consumer', ['MemberLinkRequested'] as const, async () => {
      calls++;
    });

    const answer = await handler(batch(linkRequested()), lambdaContext('test-consumer', 30));

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    expect(calls).toBe(0);
  });
});
