import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as updateCounters } from '../../functions/counters/update-counters';
import { buildEvent, publish } from '../../shared/publish';
import { issueToken, verifyToken } from '../../shared/tokens';

const dynamo = mockClient(DynamoDBDocumentClient);
const bus = mockClient(EventBridgeClient);
const memberId = '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10';

beforeEach(() => {
  dynamo.reset();
  bus.reset();
});

describe('publishing events', () => {
  it('sends in batches of ten and re-sends only the entries the bus refused', async () => {
    bus
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }, ...Array(8).fill({ EventId: 'b' })],
      })
      .resolves({ FailedEntryCount: 0, Entries: [] });
    const events = Array.from({ length: 12 }, () => ({
      detailType: 'MemberRegistrationExpired' as const,
      detail: { memberId },
    }));

    await publish(events);

    const sizes = bus.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 1, 2]);
  });

  it('refuses to publish a detail that does not match its schema', async () => {
    await expect(
      publish([{ detailType: 'MemberRegistrationExpired', detail: { memberId: 'not-a-uuid' } }]),
    ).rejects.toThrow();
    expect(bus.calls()).toHaveLength(0);
  });
});

describe('counting events exactly once', () => {
  const envelope = (detail: unknown) => ({
    version: '0',
    id: 'e1',
    'detail-type': 'MemberConfirmed',
    source: 'alliance.members',
    time: '2026-11-27T10:00:00Z',
    detail,
  });
  const confirmed = buildEvent('MemberConfirmed', {
    memberId,
    organisationType: 'sme',
    networks: ['smart-city-alliance'],
    interests: [],
    newsletter: true,
    registeredAt: '2026-11-20T10:00:00Z',
  });

  it('writes a marker for the event id in the same transaction as the counters', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    await updateCounters(envelope(confirmed));

    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put?.Item?.pk).toBe(`EVENT#${confirmed.eventId}`);
    expect(items[0]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(items.slice(1).every((item) => item.Update?.UpdateExpression?.startsWith('ADD #count :by'))).toBe(
      true,
    );
  });

  it('a second delivery of the same event is a quiet no-op', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
      }),
    );
    await expect(updateCounters(envelope(confirmed))).resolves.toBeUndefined();
  });

  it('an event whose detail breaks its schema is refused, so the bus retries and then dead-letters it', async () => {
    await expect(updateCounters(envelope({ ...confirmed, memberId: 42 }))).rejects.toThrow();
    expect(dynamo.calls()).toHaveLength(0);
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
