import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as updateCounters } from '../../functions/counters/update-counters';
import { compilePattern } from '../../infra/local/pattern';
import { announce, buildEvent, outboxItem, outboxPipe } from '../../shared/outbox';
import { issueToken, verifyToken } from '../../shared/tokens';
import { sqsBatch as batchFor } from './sqs-event';

const dynamo = mockClient(DynamoDBDocumentClient);
const memberId = '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10';

beforeEach(() => {
  dynamo.reset();
});

describe('announcing events through the outbox', () => {
  it('an outbox item carries the validated detail, its detail-type, source and time, and a TTL', () => {
    const item = outboxItem({
      detailType: 'MemberRegistrationExpired',
      detail: { memberId, occurredAt: '2026-11-27T10:00:00Z' },
    });
    const detail = JSON.parse(item.detail) as { eventId: string; memberId: string };
    expect(item).toMatchObject({
      pk: `OUTBOX#${detail.eventId}`,
      type: 'outbox',
      detailType: 'MemberRegistrationExpired',
      source: 'alliance.members',
      time: '2026-11-27T10:00:00.000Z',
    });
    expect(detail.memberId).toBe(memberId);
    expect(item.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('refuses to announce a detail that does not match its schema', () => {
    expect(() =>
      announce('members', [{ detailType: 'MemberRegistrationExpired', detail: { memberId: 'not-a-uuid' } }]),
    ).toThrow();
  });

  it("the pipe's filter passes inserted outbox items only", () => {
    const passes = compilePattern(outboxPipe.filterPattern, 'outbox filter');
    const image = { type: { S: 'outbox' }, pk: { S: 'OUTBOX#1' } };
    expect(passes({ eventName: 'INSERT', dynamodb: { NewImage: image } })).toBe(true);
    expect(passes({ eventName: 'MODIFY', dynamodb: { NewImage: image } })).toBe(false);
    expect(passes({ eventName: 'REMOVE', dynamodb: {} })).toBe(false);
    expect(
      passes({
        eventName: 'INSERT',
        dynamodb: { NewImage: { type: { S: 'member' }, pk: { S: 'MEMBER#1' } } },
      }),
    ).toBe(false);
  });
});

const sqsBatch = (...events: Parameters<typeof batchFor>[1][]) => batchFor('update-counters', ...events);

describe('counting a batch of events exactly once', () => {
  const confirmed = (networks = ['smart-city-alliance']) =>
    buildEvent('MemberConfirmed', {
      memberId,
      organisationType: 'sme',
      networks,
      interests: [],
      newsletter: true,
      registeredAt: '2026-11-20T10:00:00Z',
    });

  it('nets a batch into one transaction: a marker per event, one update per counter', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const first = confirmed();
    const second = confirmed();

    const answer = await updateCounters(
      sqsBatch(
        { detailType: 'MemberConfirmed', detail: first },
        { detailType: 'MemberConfirmed', detail: second },
      ),
    );

    expect(answer.batchItemFailures).toEqual([]);
    const calls = dynamo.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const items = calls[0]?.args[0].input.TransactItems ?? [];
    expect(items.slice(0, 2).map((item) => item.Put?.Item?.pk)).toEqual([
      `EVENT#${first.eventId}`,
      `EVENT#${second.eventId}`,
    ]);
    const updates = items.slice(2).map((item) => item.Update);
    // members.confirmed × (all, organisationType, network) and members.current × (all,
    // organisationType), each × (day, month, year), each by 2.
    expect(updates).toHaveLength(15);
    expect(updates.every((update) => update?.ExpressionAttributeValues?.[':by'] === 2)).toBe(true);
  });

  it('the same event twice in one batch counts once', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const event = confirmed();

    await updateCounters(
      sqsBatch(
        { detailType: 'MemberConfirmed', detail: event, id: 'a' },
        { detailType: 'MemberConfirmed', detail: event, id: 'b' },
      ),
    );

    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.filter((item) => item.Put)).toHaveLength(1);
    expect(
      items
        .filter((item) => item.Update)
        .every((item) => item.Update?.ExpressionAttributeValues?.[':by'] === 1),
    ).toBe(true);
  });

  it('a batch with one already-counted event still counts the rest, once', async () => {
    const counted = confirmed();
    const fresh = confirmed();
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
        }),
      )
      .resolves({});

    const answer = await updateCounters(
      sqsBatch(
        { detailType: 'MemberConfirmed', detail: counted },
        { detailType: 'MemberConfirmed', detail: fresh },
      ),
    );

    expect(answer.batchItemFailures).toEqual([]);
    const retry = dynamo.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
    expect(retry.filter((item) => item.Put).map((item) => item.Put?.Item?.pk)).toEqual([
      `EVENT#${fresh.eventId}`,
    ]);
    expect(
      retry
        .filter((item) => item.Update)
        .every((item) => item.Update?.ExpressionAttributeValues?.[':by'] === 1),
    ).toBe(true);
  });

  it('a batch too big for one transaction is split, never over 100 items', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    // Each event on its own network: 3 new counters per event, so 100 events cannot share one transaction.
    const events = Array.from({ length: 100 }, (_, index) => confirmed([`network-${index}`]));

    await updateCounters(sqsBatch(...events.map((detail) => ({ detailType: 'MemberConfirmed', detail }))));

    const calls = dynamo.commandCalls(TransactWriteCommand);
    expect(calls.length).toBeGreaterThan(1);
    const sizes = calls.map((call) => call.args[0].input.TransactItems?.length ?? 0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    const markers = calls.flatMap((call) =>
      (call.args[0].input.TransactItems ?? []).filter((item) => item.Put).map((item) => item.Put?.Item?.pk),
    );
    expect(new Set(markers).size).toBe(100);
  });

  it('a record whose detail breaks its schema alone comes back, so the queue retries and then dead-letters it', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const good = confirmed();

    const answer = await updateCounters(
      sqsBatch(
        { detailType: 'MemberConfirmed', detail: { ...good, memberId: 42 }, id: 'bad' },
        { detailType: 'MemberConfirmed', detail: confirmed(), id: 'good' },
      ),
    );

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

describe('signed links', () => {
  it('a token works for its own purpose only', async () => {
    const token = await issueToken('confirm', memberId, 3600);
    await expect(verifyToken('confirm', token)).resolves.toBe(memberId);
    await expect(verifyToken('unsubscribe', token)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('a tampered token is refused with a 400, an expired one with a 410', async () => {
    const token = await issueToken('confirm', memberId, 3600);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'someone-else', aud: 'confirm', iss: 'alliance' })).toString('base64url')}.${signature}`;
    await expect(verifyToken('confirm', forged)).rejects.toMatchObject({ statusCode: 400 });
    await expect(verifyToken('confirm', `${payload}`)).rejects.toMatchObject({ statusCode: 400 });
    await expect(verifyToken('confirm', undefined)).rejects.toMatchObject({ statusCode: 400 });
    const expired = await issueToken('confirm', memberId, -60);
    await expect(verifyToken('confirm', expired)).rejects.toMatchObject({
      statusCode: 410,
      code: 'token_expired',
    });
  });
});
