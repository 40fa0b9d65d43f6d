/**
 * The local stand-in for IAM: writing an outbox item is publishing its event, so a handler may only
 * write outbox items of the detail-types its catalogue entry `publishes`. The shared clients' real
 * middleware runs; a last middleware answers in place of DynamoDB, so nothing leaves the process.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HandlerEntry } from '../../infra/catalogue';
import { asHandler, enforceCatalogueGrants } from '../../infra/local/permissions';
import { dynamo, dynamoBase } from '../../shared/clients';

const confirmMember: HandlerEntry = {
  handler: 'functions/members/confirm-member.ts',
  uses: { tables: { members: 'write' }, publishes: ['MemberConfirmed'] },
};

const outboxPut = (detailType: string) => ({
  Put: {
    TableName: 'alliance-members',
    Item: {
      pk: 'OUTBOX#1',
      sk: 'OUTBOX',
      type: 'outbox',
      detailType,
      source: 'alliance.members',
      detail: '{}',
    },
  },
});

const asConfirmMember = <T>(run: () => Promise<T>) => asHandler(confirmMember, 'members-confirm-member', run);

beforeAll(() => {
  enforceCatalogueGrants();
  dynamo.middlewareStack.add(() => async () => ({ output: { $metadata: {} }, response: {} }), {
    step: 'build',
    name: 'answerWithoutDynamoDb',
  });
});

describe('outbox items under the catalogue grants', () => {
  it('lets a handler announce what its entry publishes', async () => {
    await expect(
      asConfirmMember(() =>
        dynamo.send(new TransactWriteCommand({ TransactItems: [outboxPut('MemberConfirmed')] })),
      ),
    ).resolves.toBeDefined();
  });

  it('refuses an outbox item of a detail-type the entry does not publish', async () => {
    await expect(
      asConfirmMember(() =>
        dynamo.send(new TransactWriteCommand({ TransactItems: [outboxPut('MemberErased')] })),
      ),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message:
        'members-confirm-member is not allowed to publish MemberErased: add it to the handler\'s "uses" in infra/catalogue.ts',
    });
  });

  it('reads the item the same way when it comes through the base client, marshalled', async () => {
    const item = outboxPut('MemberErased').Put.Item;
    await expect(
      asConfirmMember(() =>
        dynamoBase.send(
          new PutItemCommand({
            TableName: 'alliance-members',
            Item: Object.fromEntries(Object.entries(item).map(([name, value]) => [name, { S: value }])),
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('leaves other items alone', async () => {
    await expect(
      asConfirmMember(() =>
        dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: 'alliance-members',
                  Item: { pk: 'MEMBER#1', sk: 'PROFILE', type: 'member' },
                },
              },
            ],
          }),
        ),
      ),
    ).resolves.toBeDefined();
  });

  it('finds no item to check in a batch read', async () => {
    await expect(
      asConfirmMember(() =>
        dynamo.send(
          new BatchGetCommand({
            RequestItems: { 'alliance-members': { Keys: [{ pk: 'MEMBER#1', sk: 'PROFILE' }] } },
          }),
        ),
      ),
    ).resolves.toBeDefined();
  });
});
