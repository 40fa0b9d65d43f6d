import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/members/register-member';
import { context, httpEvent } from './http-event';

const dynamo = mockClient(DynamoDBDocumentClient);
const bus = mockClient(EventBridgeClient);

const body = {
  name: 'Ada Lovelace',
  email: 'ada@example.org',
  organisation: 'Analytical Engines Ltd',
  organisationType: 'sme',
  networks: ['smart-city-alliance'],
  interests: ['mobility'],
  consent: { newsletter: true, privacyNotice: true, formVersion: '2026-11' },
};

const register = (payload: unknown = body) =>
  handler(httpEvent('POST /api/members', { body: payload }), context);

beforeEach(() => {
  dynamo.reset();
  bus.reset();
  dynamo.on(UpdateCommand).resolves({});
  dynamo.on(TransactWriteCommand).resolves({});
  bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});

describe('register-member handler', () => {
  it('a well-formed registration is stored as a request, announced, and answered 202; the bus gets no personal data', async () => {
    const response = await register();

    expect(response.statusCode).toBe(202);
    const transaction = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(transaction.map((item) => item.Put?.Item?.type)).toEqual(['member-request', 'outbox']);
    expect(transaction[0]?.Put?.Item?.registration).toMatchObject({ email: 'ada@example.org' });
    const outbox = transaction[1]?.Put?.Item;
    expect(outbox?.detailType).toBe('MemberRegistrationRequested');
    expect(outbox?.detail).not.toContain('ada@example.org');
    expect(outbox?.detail).not.toContain('Lovelace');
    expect(bus.calls()).toHaveLength(0);
  });

  it('a filled honeypot gets the same 202 and nothing is stored', async () => {
    const response = await register({ ...body, website: 'https://spam.example' });

    expect(response.statusCode).toBe(202);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('invalid input is a 400 with field details, and nothing is written or published', async () => {
    const response = await register({
      ...body,
      email: 'nope',
      consent: { ...body.consent, privacyNotice: false },
    });

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.details.map((detail: { field: string }) => detail.field)).toEqual([
      'email',
      'consent.privacyNotice',
    ]);
    expect(dynamo.calls()).toHaveLength(0);
    expect(bus.calls()).toHaveLength(0);
  });

  it('too many registrations from one address is a 429 with Retry-After, and nothing is stored', async () => {
    dynamo
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'limit', $metadata: {} }));

    const response = await register();

    expect(response.statusCode).toBe(429);
    expect(response.headers?.['retry-after']).toBe('3600');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('a failure of the database is a 500 that reveals nothing of it', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('connection reset by table-members-xyz'));

    const response = await register();

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('table-members');
    expect(JSON.parse(response.body).error.code).toBe('internal_error');
  });
});
