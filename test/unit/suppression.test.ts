import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { complaintWithdrawal, suppressionPlan } from '../../functions/members/domain/suppression';
import { suppressAddress, suppressedAddresses } from '../../functions/members/suppression-store';

const dynamo = mockClient(DynamoDBDocumentClient);
beforeEach(() => dynamo.reset());

const members = 'test-table_members';
const memberId = '0b7c3e6a-6a43-4c59-9d1e-2f3a4b5c6d7e';
const mailoutId = '7d1f2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c';
const at = '2026-11-27T10:00:00.000Z';
const profile = (overrides: Record<string, unknown> = {}) => ({
  pk: `MEMBER#${memberId}`,
  sk: 'PROFILE',
  type: 'member',
  memberId,
  name: 'Ada Lovelace',
  email: 'Ada@Example.org',
  organisation: 'Analytical Engines Ltd',
  organisationType: 'sme',
  networks: ['smart-city-alliance'],
  interests: [],
  newsletter: true,
  formVersion: '2026-11',
  status: 'confirmed',
  registeredAt: '2026-11-01T10:00:00.000Z',
  audiencePk: 'newsletter',
  ...overrides,
});
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const transaction = (call = 0) =>
  dynamo.commandCalls(TransactWriteCommand)[call]?.args[0].input.TransactItems ?? [];
const announced = (call = 0) =>
  transaction(call)
    .filter((item) => item.Put?.Item?.type === 'outbox')
    .map((item) => ({
      detailType: item.Put?.Item?.detailType,
      ...JSON.parse(String(item.Put?.Item?.detail)),
    }));

describe('what a suppression does to the member', () => {
  it.each([
    ['a bounce for a subscribed member', 'bounce', { newsletter: true }, true, false],
    ['a complaint from a subscribed member', 'complaint', { newsletter: true }, true, true],
    ['a complaint after they had unsubscribed', 'complaint', { newsletter: false }, true, false],
    ['an address that is no member’s', 'complaint', undefined, false, false],
  ] as const)('%s', (_label, reason, member, stampsProfile, withdrawsNewsletter) => {
    expect(suppressionPlan(reason, member)).toEqual({ stampsProfile, withdrawsNewsletter });
  });

  it('a complaint’s consent entry says it was a complaint, and why', () => {
    expect(complaintWithdrawal(at, mailoutId)).toMatchObject({
      purpose: 'newsletter',
      action: 'withdrawn',
      method: 'complaint',
      at,
      reason: expect.stringContaining(`mail-out ${mailoutId} as spam`),
    });
  });
});

describe('suppressing an address at the seam', () => {
  it('a hard bounce suppresses the address, stamps the profile and takes it out of the audience, in one transaction', async () => {
    dynamo.on(GetCommand).resolves({ Item: profile() });
    dynamo.on(TransactWriteCommand).resolves({});

    const outcome = await suppressAddress({
      email: ' ADA@example.org',
      reason: 'bounce',
      at: '2026-11-27T10:00:00Z',
      memberId,
      mailoutId,
    });

    expect(outcome).toBe('suppressed');
    const [suppression, stamp, ...rest] = transaction();
    expect(suppression?.Put).toMatchObject({
      Item: {
        pk: 'SUPPRESSED#ada@example.org',
        sk: 'SUPPRESSED',
        type: 'suppression',
        email: 'ada@example.org',
        reason: 'bounce',
        at,
        memberId,
        mailoutId,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(stamp?.Update?.UpdateExpression).toBe(
      'SET suppressedAt = :at, suppressedReason = :reason REMOVE audiencePk',
    );
    expect(rest).toHaveLength(1);
    expect(announced()).toEqual([
      expect.objectContaining({ detailType: 'MemberSuppressed', memberId, reason: 'bounce', mailoutId }),
    ]);
  });

  it('a complaint from a subscriber also withdraws newsletter consent, on the record with the reason, and announces the unsubscribe', async () => {
    dynamo.on(GetCommand).resolves({ Item: profile() });
    dynamo.on(TransactWriteCommand).resolves({});

    await suppressAddress({ email: 'ada@example.org', reason: 'complaint', at, memberId, mailoutId });

    const items = transaction();
    expect(items[1]?.Update?.UpdateExpression).toBe(
      'SET suppressedAt = :at, suppressedReason = :reason, newsletter = :false, unsubscribedAt = :at REMOVE audiencePk',
    );
    expect(items[1]?.Update?.ConditionExpression).toBe('attribute_exists(pk) AND newsletter = :newsletter');
    const consent = items.find((item) => item.Put?.Item?.type === 'consent')?.Put?.Item;
    expect(consent).toMatchObject({
      pk: `MEMBER#${memberId}`,
      purpose: 'newsletter',
      action: 'withdrawn',
      method: 'complaint',
      reason: expect.stringContaining('as spam'),
    });
    expect(announced()).toEqual([
      expect.objectContaining({ detailType: 'MemberSuppressed', reason: 'complaint' }),
      expect.objectContaining({
        detailType: 'MemberUnsubscribed',
        memberId,
        organisationType: 'sme',
        method: 'complaint',
        mailoutId,
      }),
    ]);
  });

  it('a complaint after the member had unsubscribed records the suppression but no second unsubscribe', async () => {
    dynamo.on(GetCommand).resolves({ Item: profile({ newsletter: false, audiencePk: undefined }) });
    dynamo.on(TransactWriteCommand).resolves({});

    await suppressAddress({ email: 'ada@example.org', reason: 'complaint', at, memberId });

    const items = transaction();
    expect(items[1]?.Update?.UpdateExpression).not.toContain('newsletter = :false');
    expect(items.some((item) => item.Put?.Item?.type === 'consent')).toBe(false);
    expect(announced().map((event) => event.detailType)).toEqual(['MemberSuppressed']);
  });

  it('a second report for the same address changes nothing', async () => {
    dynamo.on(GetCommand).resolves({ Item: profile() });
    dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));

    expect(await suppressAddress({ email: 'ada@example.org', reason: 'bounce', at, memberId })).toBe(
      'already',
    );
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('an unsubscribe landing between the read and the write is read again, and not withdrawn twice', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: profile() })
      .resolves({ Item: profile({ newsletter: false }) });
    dynamo.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed')).resolves({});

    expect(await suppressAddress({ email: 'ada@example.org', reason: 'complaint', at, memberId })).toBe(
      'suppressed',
    );
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(announced(1).map((event) => event.detailType)).toEqual(['MemberSuppressed']);
  });

  it('without a member id the member is found by address (a reminder or RSVP e-mail that bounced)', async () => {
    dynamo
      .on(GetCommand, { Key: { pk: 'EMAIL#ada@example.org', sk: 'EMAIL' } })
      .resolves({ Item: { memberId } });
    dynamo.on(GetCommand, { Key: { pk: `MEMBER#${memberId}`, sk: 'PROFILE' } }).resolves({ Item: profile() });
    dynamo.on(TransactWriteCommand).resolves({});

    await suppressAddress({ email: 'ada@example.org', reason: 'bounce', at });

    expect(transaction()[1]?.Update?.Key).toEqual({ pk: `MEMBER#${memberId}`, sk: 'PROFILE' });
  });

  it('an address that is no member’s (a guest, or someone erased) is suppressed alone, announced without a member', async () => {
    dynamo.on(GetCommand).resolves({});
    dynamo.on(TransactWriteCommand).resolves({});

    await suppressAddress({ email: 'guest@example.org', reason: 'bounce', at, memberId });

    const items = transaction();
    expect(items.map((item) => Object.keys(item)[0])).toEqual(['Put', 'Put']);
    expect(items[0]?.Put?.Item).not.toHaveProperty('memberId');
    const [event] = announced();
    expect(event).toMatchObject({ detailType: 'MemberSuppressed', reason: 'bounce' });
    expect(event).not.toHaveProperty('memberId');
  });

  it('tells which addresses are suppressed, looked up by their normalised key in one batch', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { [members]: [{ pk: 'SUPPRESSED#ada@example.org' }] } });

    const suppressed = await suppressedAddresses(['Ada@Example.org', 'grace@example.org', 'ada@example.org']);

    expect(suppressed).toEqual(new Set(['ada@example.org']));
    const keys = dynamo.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.[members]?.Keys;
    expect(keys).toEqual([
      { pk: 'SUPPRESSED#ada@example.org', sk: 'SUPPRESSED' },
      { pk: 'SUPPRESSED#grace@example.org', sk: 'SUPPRESSED' },
    ]);
  });
});
