/**
 * Member requests waiting to be settled: a registration or a "send me a fresh link" as the public
 * form sent it. The HTTP handler stores the request and announces it (one transaction), and answers
 * at once, the same way for every address; the settle-member-request consumer reads it, decides
 * (new member, known member, unknown address) and deletes it in the transaction that acts on it.
 *
 * The request item is the claim check: the event carries only the request id, so the name and
 * address never enter the bus, its archive or the history in S3. An unsettled request (its event
 * in a dead-letter queue) lapses by TTL after the dead-letter queue's own retention.
 */
import { DeleteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import type { TransactItem } from '../../shared/outbox';
import { tableName } from '../../shared/tables';

export type MemberRequest =
  | { kind: 'registration'; requestId: string; requestedAt: string; registration: Record<string, unknown> }
  | { kind: 'link'; requestId: string; requestedAt: string; email: string };

/** As long as a dead-letter queue keeps the event that names it (infra/cdk/dead-letters.ts), no longer. */
const keepSeconds = 14 * 24 * 3600;

const requestKey = (requestId: string) => ({ pk: `REQUEST#${requestId}`, sk: 'REQUEST' });

/** Stores the request with the events announcing it, in one transaction. */
export async function storeMemberRequest(request: MemberRequest, events: TransactItem[]): Promise<void> {
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName('members'),
            Item: {
              ...requestKey(request.requestId),
              type: 'member-request',
              ...request,
              expiresAt: Math.floor(Date.now() / 1000) + keepSeconds,
            },
          },
        },
        ...events,
      ],
    }),
  );
}

export async function getMemberRequest(requestId: string): Promise<MemberRequest | undefined> {
  const result = await dynamo.send(
    new GetCommand({ TableName: tableName('members'), Key: requestKey(requestId), ConsistentRead: true }),
  );
  if (!result.Item) return undefined;
  const { pk: _pk, sk: _sk, type: _type, expiresAt: _expiresAt, ...request } = result.Item;
  return request as MemberRequest;
}

/**
 * The transaction item that settles a request: it must still be there, so a request is acted on
 * once even if its event is handled twice at the same moment.
 */
export const settleRequest = (requestId: string): TransactItem => ({
  Delete: {
    TableName: tableName('members'),
    Key: requestKey(requestId),
    ConditionExpression: 'attribute_exists(pk)',
  },
});

/** Settles a request with the events that answer it, in one transaction. */
export async function settleRequestWith(requestId: string, events: TransactItem[]): Promise<void> {
  if (events.length === 0) {
    await dynamo.send(new DeleteCommand({ TableName: tableName('members'), Key: requestKey(requestId) }));
    return;
  }
  await dynamo.send(new TransactWriteCommand({ TransactItems: [settleRequest(requestId), ...events] }));
}
