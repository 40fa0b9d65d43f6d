import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { audiencePages, getProfiles } from '../../functions/members/audience-store';
import { audienceUpdate, belongsInAudience, updateExpression } from '../../functions/members/domain/audience';
import {
  confirmMember,
  getMember,
  type MemberProfile,
  savePreferences,
  unsubscribeMember,
} from '../../functions/members/member-store';

const dynamo = mockClient(DynamoDBDocumentClient);
beforeEach(() => dynamo.reset());

const memberId = '0b7c3e6a-6a43-4c59-9d1e-2f3a4b5c6d7e';
const profile = (overrides: Partial<MemberProfile> = {}) => ({
  pk: `MEMBER#${memberId}`,
  sk: 'PROFILE',
  type: 'member',
  memberId,
  name: 'Ada Lovelace',
  email: 'ada@example.org',
  organisation: 'Analytical Engines Ltd',
  organisationType: 'sme',
  networks: ['smart-city-alliance'],
  interests: ['mobility'],
  newsletter: true,
  formVersion: '2026-11',
  status: 'confirmed',
  registeredAt: '2026-11-01T10:00:00.000Z',
  ...overrides,
});
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const profileUpdate = (call = 0) =>
  dynamo.commandCalls(TransactWriteCommand)[call]?.args[0].input.TransactItems?.[0]?.Update;

describe('who belongs in the mail-out audience', () => {
  it.each([
    ['a confirmed member with newsletter consent', { status: 'confirmed', newsletter: true }, true],
    ['a member who has not confirmed yet', { status: 'pending', newsletter: true }, false],
    ['a member without newsletter consent', { status: 'confirmed', newsletter: false }, false],
    [
      'a member whose address bounced or complained',
      { status: 'confirmed', newsletter: true, suppressedAt: '2026-11-27T10:00:00Z' },
      false,
    ],
  ] as const)('%s: %s', (_label, facts, expected) => {
    expect(belongsInAudience(facts)).toBe(expected);
  });

  it('a write that makes a profile belong sets audiencePk, held only if what it rests on is unchanged', () => {
    const update = audienceUpdate({ status: 'confirmed', newsletter: true }, ['newsletter', 'suppressed']);

    expect(update).toEqual({
      set: 'audiencePk = :audiencePk',
      conditions: ['newsletter = :audienceNewsletter', 'attribute_not_exists(suppressedAt)'],
      names: {},
      values: { ':audiencePk': 'newsletter', ':audienceNewsletter': true },
    });
  });

  it('a write that leaves a profile out removes audiencePk, and holds on its status and suppression', () => {
    const update = audienceUpdate(
      { status: 'pending', newsletter: true, suppressedAt: '2026-11-27T10:00:00Z' },
      ['status', 'suppressed'],
    );

    expect(update).toEqual({
      remove: 'audiencePk',
      conditions: ['#audienceStatus = :audienceStatus', 'attribute_exists(suppressedAt)'],
      names: { '#audienceStatus': 'status' },
      values: { ':audienceStatus': 'pending' },
    });
  });

  it('update expressions leave out empty SET or REMOVE parts', () => {
    expect(updateExpression(['a = :a', undefined], [undefined])).toBe('SET a = :a');
    expect(updateExpression([undefined], ['b'])).toBe('REMOVE b');
    expect(updateExpression(['a = :a'], ['b', 'c'])).toBe('SET a = :a REMOVE b, c');
  });
});

describe('every profile write keeps the audience index right', () => {
  it('confirming a member who wants the newsletter puts them in the audience', async () => {
    dynamo.on(GetCommand).resolves({ Item: profile({ status: 'pending' }) });
    dynamo.on(TransactWriteCommand).resolves({});

    const outcome = await confirmMember(memberId, '2026-11-27T10:00:00.000Z', [], () => []);

    expect(outcome).toBe('confirmed');
    const update = profileUpdate();
    expect(update?.UpdateExpression).toBe(
      'SET #status = :confirmed, confirmedAt = :at, audiencePk = :audiencePk REMOVE pendingPk, pendingSince',
    );
    expect(update?.ConditionExpression).toBe(
      '#status = :pending AND newsletter = :audienceNewsletter AND attribute_not_exists(suppressedAt)',
    );
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':audiencePk': 'newsletter' });
  });

  it('confirming a member whose address is suppressed leaves them out', async () => {
    dynamo
      .on(GetCommand)
      .resolves({ Item: profile({ status: 'pending', suppressedAt: '2026-11-20T10:00:00.000Z' }) });
    dynamo.on(TransactWriteCommand).resolves({});

    await confirmMember(memberId, '2026-11-27T10:00:00.000Z', [], () => []);

    expect(profileUpdate()?.UpdateExpression).toBe(
      'SET #status = :confirmed, confirmedAt = :at REMOVE pendingPk, pendingSince, audiencePk',
    );
  });

  it('a suppression landing between the read and the confirmation is read again, and keeps them out', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: profile({ status: 'pending' }) })
      .resolves({ Item: profile({ status: 'pending', suppressedAt: '2026-11-27T09:59:59.000Z' }) });
    dynamo.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed')).resolves({});
    const announced: boolean[] = [];

    const outcome = await confirmMember(memberId, '2026-11-27T10:00:00.000Z', [], (member) => {
      announced.push(member.newsletter);
      return [];
    });

    expect(outcome).toBe('confirmed');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(profileUpdate(1)?.UpdateExpression).not.toContain('audiencePk = :audiencePk');
    expect(announced).toEqual([true, true]);
  });

  it('a confirmation finding the member confirmed or gone says so and writes nothing', async () => {
    dynamo.on(GetCommand).resolvesOnce({ Item: profile() }).resolves({});

    expect(await confirmMember(memberId, '2026-11-27T10:00:00.000Z', [], () => [])).toBe('already-confirmed');
    expect(await confirmMember(memberId, '2026-11-27T10:00:00.000Z', [], () => [])).toBe('missing');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('subscribing again on the preferences page puts a confirmed member back in the audience', async () => {
    dynamo.on(GetCommand).resolves({ Item: profile({ newsletter: false }) });
    dynamo.on(TransactWriteCommand).resolves({});

    const next = { networks: ['smart-city-alliance'], interests: [], newsletter: true };
    expect(await savePreferences(memberId, next, [], '2026-11-27T10:00:00.000Z', [])).toBe(true);

    const update = profileUpdate();
    expect(update?.UpdateExpression).toContain('audiencePk = :audiencePk');
    expect(update?.ConditionExpression).toBe(
      'attribute_exists(pk) AND #audienceStatus = :audienceStatus AND attribute_not_exists(suppressedAt)',
    );
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':audienceStatus': 'confirmed' });
  });

  it('preferences never put a pending or suppressed member in the audience, and dropping the newsletter takes one out', async () => {
    const next = { networks: ['smart-city-alliance'], interests: [], newsletter: true };
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: profile({ status: 'pending' }) })
      .resolvesOnce({ Item: profile({ suppressedAt: '2026-11-20T10:00:00.000Z', newsletter: false }) })
      .resolvesOnce({ Item: profile() });
    dynamo.on(TransactWriteCommand).resolves({});

    await savePreferences(memberId, next, [], '2026-11-27T10:00:00.000Z', []);
    await savePreferences(memberId, next, [], '2026-11-27T10:00:00.000Z', []);
    await savePreferences(memberId, { ...next, newsletter: false }, [], '2026-11-27T10:00:00.000Z', []);

    for (const call of [0, 1, 2]) {
      expect(profileUpdate(call)?.UpdateExpression).toMatch(/ REMOVE audiencePk$/);
    }
    expect(profileUpdate(1)?.ConditionExpression).toContain('attribute_exists(suppressedAt)');
  });

  it('preferences for a member who is gone answer false', async () => {
    dynamo.on(GetCommand).resolves({});

    const next = { networks: ['smart-city-alliance'], interests: [], newsletter: true };
    expect(await savePreferences(memberId, next, [], '2026-11-27T10:00:00.000Z', [])).toBe(false);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('unsubscribing takes the member out of the audience', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    const entry = {
      purpose: 'newsletter',
      action: 'withdrawn',
      formVersion: '2026-11',
      wording: 'E-mail updates',
      method: 'unsubscribe-page',
      at: '2026-11-27T10:00:00.000Z',
    } as const;
    expect(await unsubscribeMember(memberId, entry, [])).toBe('unsubscribed');
    expect(profileUpdate()?.UpdateExpression).toBe(
      'SET newsletter = :false, unsubscribedAt = :at REMOVE audiencePk',
    );
  });

  it('a profile read back carries no index attributes', async () => {
    dynamo.on(GetCommand).resolves({ Item: { ...profile(), audiencePk: 'newsletter' } });

    const member = await getMember(memberId);

    expect(member).not.toHaveProperty('audiencePk');
    expect(member).not.toHaveProperty('pk');
    expect(member).toMatchObject({ memberId, newsletter: true });
  });
});

describe('reading the audience for a mail-out', () => {
  const audienceItem = (id: string) => ({
    memberId: id,
    name: `Member ${id}`,
    email: `${id}@example.org`,
    organisation: 'Org',
    organisationType: 'sme',
    networks: ['smart-city-alliance'],
    interests: [],
  });

  it('pages through the sparse index in memberId order, with only what a mail-out needs', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [audienceItem('a'), audienceItem('b')],
        LastEvaluatedKey: { audiencePk: 'newsletter', memberId: 'b', pk: 'MEMBER#b', sk: 'PROFILE' },
      })
      .resolvesOnce({ Items: [audienceItem('c')] });

    const pages = [];
    for await (const page of audiencePages(2)) pages.push(page);

    expect(pages).toEqual([
      { members: [audienceItem('a'), audienceItem('b')], lastMemberId: 'b' },
      { members: [audienceItem('c')], lastMemberId: 'c' },
    ]);
    const [first, second] = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(first).toMatchObject({
      IndexName: 'audience',
      KeyConditionExpression: 'audiencePk = :audience',
      ExpressionAttributeValues: { ':audience': 'newsletter' },
      ExpressionAttributeNames: { '#name': 'name' },
      Limit: 2,
    });
    expect(first?.ProjectionExpression).toBe(
      'memberId, #name, email, organisation, organisationType, networks, interests',
    );
    expect(first?.ExclusiveStartKey).toBeUndefined();
    expect(second?.ExclusiveStartKey).toEqual({
      audiencePk: 'newsletter',
      memberId: 'b',
      pk: 'MEMBER#b',
      sk: 'PROFILE',
    });
  });

  it('resumes after a checkpoint, and an empty audience gives no pages', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });

    const pages = [];
    for await (const page of audiencePages(200, 'm-42')) pages.push(page);

    expect(pages).toEqual([]);
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.ExclusiveStartKey).toEqual({
      audiencePk: 'newsletter',
      memberId: 'm-42',
      pk: 'MEMBER#m-42',
      sk: 'PROFILE',
    });
  });

  it('rechecks profiles 100 at a time with consistent reads, retrying what DynamoDB left unprocessed', async () => {
    const ids = Array.from({ length: 150 }, (_, index) => `m-${String(index).padStart(3, '0')}`);
    const item = (id: string) => ({
      ...profile(),
      pk: `MEMBER#${id}`,
      memberId: id,
      audiencePk: 'newsletter',
    });
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { 'test-table_members': ids.slice(0, 99).map(item) },
        UnprocessedKeys: { 'test-table_members': { Keys: [{ pk: 'MEMBER#m-099', sk: 'PROFILE' }] } },
      })
      .resolvesOnce({ Responses: { 'test-table_members': [item('m-099')] } })
      .resolvesOnce({
        // One was erased meanwhile, and one is suppressed now.
        Responses: {
          'test-table_members': ids
            .slice(100, 149)
            .map((id) => (id === 'm-120' ? { ...item(id), suppressedAt: '2026-11-27T10:00:00Z' } : item(id))),
        },
      });

    const profiles = await getProfiles([...ids, 'm-000']);

    const calls = dynamo.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems);
    expect(calls.map((request) => request?.['test-table_members']?.Keys?.length)).toEqual([100, 1, 50]);
    expect(calls.every((request) => request?.['test-table_members']?.ConsistentRead === true)).toBe(true);
    expect(profiles.size).toBe(149);
    expect(profiles.has('m-149')).toBe(false);
    expect(profiles.get('m-120')?.suppressedAt).toBe('2026-11-27T10:00:00Z');
    expect(profiles.get('m-099')).not.toHaveProperty('audiencePk');
  });
});
