/**
 * Registration and "e-mail me a fresh link" must not tell a member's address from a stranger's by
 * how long they take: the handler does the same calls, in the same order, for both, and the
 * decision is taken after the answer (settle-member-request.ts).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as register } from '../../functions/members/register-member';
import { handler as requestLink } from '../../functions/members/request-member-link';
import { context, httpEvent } from './http-event';

const dynamo = mockClient(DynamoDBDocumentClient);

const knownAddress = 'ada@example.org';
const knownMemberId = '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10';

const registration = (email: string) => ({
  name: 'Ada Lovelace',
  email,
  organisation: 'Analytical Engines Ltd',
  organisationType: 'sme',
  networks: ['smart-city-alliance'],
  interests: ['mobility'],
  consent: { newsletter: true, privacyNotice: true, formVersion: '2026-11' },
});

type Item = Record<string, unknown> | undefined;
const keyPrefix = (key: Item) => String(key?.pk ?? key?.id ?? '').split('#')[0];

/** A call as a timing observer could tell it apart: which command, on which tables and kinds of item. */
function shapeOf(input: Record<string, unknown>, name: string): string {
  if (name === 'TransactWriteCommand') {
    const items = (input.TransactItems ?? []) as Array<
      Record<string, { TableName?: string; Item?: Item; Key?: Item }>
    >;
    return `${name}(${items
      .map((item) =>
        Object.entries(item).map(
          ([op, { TableName, Item, Key }]) => `${op} ${TableName} ${keyPrefix(Item ?? Key)}`,
        ),
      )
      .join(', ')})`;
  }
  return `${name}(${String(input.TableName)} ${keyPrefix((input.Key ?? input.Item) as Item)})`;
}

/** The database as it is when `knownAddress` belongs to a confirmed member. */
function databaseWithMember() {
  dynamo.on(UpdateCommand).resolves({});
  dynamo.on(PutCommand).resolves({});
  dynamo.on(TransactWriteCommand).callsFake((input: { TransactItems: Array<{ Put?: { Item?: Item } }> }) => {
    if (input.TransactItems[0]?.Put?.Item?.pk === `EMAIL#${knownAddress}`) {
      throw new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
      });
    }
    return {};
  });
  dynamo.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
    if (input.Key.pk === `EMAIL#${knownAddress}`) return { Item: { memberId: knownMemberId } };
    if (input.Key.pk === `MEMBER#${knownMemberId}`)
      return { Item: { memberId: knownMemberId, email: knownAddress, status: 'confirmed' } };
    return {};
  });
}

async function callsFor(send: () => Promise<{ statusCode: number; body?: string }>) {
  dynamo.resetHistory();
  const response = await send();
  const calls = dynamo.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
    return shapeOf(command.input, command.constructor.name);
  });
  return { status: response.statusCode, body: response.body, calls };
}

beforeEach(() => {
  dynamo.reset();
  databaseWithMember();
});

describe('the same path for a member and a stranger', () => {
  it('registering with a member’s address makes the same calls, and gets the same answer, as with an unknown one', async () => {
    const post = (email: string) => () =>
      register(httpEvent('POST /api/members', { body: registration(email) }), context);

    const known = await callsFor(post(knownAddress));
    const unknown = await callsFor(post('stranger@example.org'));

    expect(known.status).toBe(202);
    expect(known.body).toBe(unknown.body);
    expect(known.calls).toEqual(unknown.calls);
    expect(known.calls).toEqual([
      'UpdateCommand(test-table_limits register-ip)',
      'TransactWriteCommand(Put test-table_members REQUEST, Put test-table_members OUTBOX)',
    ]);
  });

  it('asking for a fresh link for a member’s address makes the same calls, and gets the same answer, as for an unknown one', async () => {
    const post = (email: string) => () =>
      requestLink(httpEvent('POST /api/members/links', { body: { email } }), context);

    const known = await callsFor(post(knownAddress));
    const unknown = await callsFor(post('stranger@example.org'));

    expect(known.status).toBe(202);
    expect(known.body).toBe(unknown.body);
    expect(known.calls).toEqual(unknown.calls);
  });

  it('the event on the bus names only the request: the name and address stay in the request item', async () => {
    await register(httpEvent('POST /api/members', { body: registration(knownAddress) }), context);
    await requestLink(httpEvent('POST /api/members/links', { body: { email: knownAddress } }), context);

    const transactions = dynamo
      .commandCalls(TransactWriteCommand)
      .map((call) => call.args[0].input.TransactItems ?? []);
    expect(transactions).toHaveLength(2);
    for (const [request, outbox] of transactions) {
      expect(outbox?.Put?.Item?.type).toBe('outbox');
      const detail = JSON.parse(String(outbox?.Put?.Item?.detail));
      expect(detail.requestId).toBe(String(request?.Put?.Item?.pk).replace('REQUEST#', ''));
      expect(outbox?.Put?.Item?.detail).not.toContain(knownAddress);
      expect(outbox?.Put?.Item?.detail).not.toContain('Lovelace');
    }
    expect(transactions.map(([, outbox]) => outbox?.Put?.Item?.detailType)).toEqual([
      'MemberRegistrationRequested',
      'MemberLinkRequestReceived',
    ]);
  });
});
