/** Reading many members-table items by key: BatchGetItem, 100 keys a call, unprocessed keys retried. */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { tableName } from '../../shared/tables';

/** BatchGetItem takes at most this many keys in one call. */
export const batchGetLimit = 100;
const maxAttempts = 8;

export interface ItemKey {
  pk: string;
  sk: string;
}

/**
 * The items stored under `keys` (missing ones are simply absent), read with strong consistency.
 * Keys are de-duplicated (BatchGetItem refuses a repeated key). Keys DynamoDB leaves unprocessed
 * (throttling, the 16 MB answer cap) are asked for again with jittered exponential backoff.
 */
export async function batchGetMembersItems(
  keys: ItemKey[],
  projection?: { expression: string; names?: Record<string, string> },
): Promise<Array<Record<string, unknown>>> {
  const table = tableName('members');
  const distinct = [...new Map(keys.map((key) => [`${key.pk}\u0000${key.sk}`, key])).values()];
  const items: Array<Record<string, unknown>> = [];
  for (let start = 0; start < distinct.length; start += batchGetLimit) {
    let pending: Array<Record<string, unknown>> = distinct.slice(start, start + batchGetLimit).map((key) => ({
      pk: key.pk,
      sk: key.sk,
    }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) throw new Error(`${pending.length} key(s) stayed unprocessed; try again`);
      if (attempt > 1) await backoff(attempt);
      const result = await dynamo.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ConsistentRead: true,
              ...(projection
                ? {
                    ProjectionExpression: projection.expression,
                    ...(projection.names ? { ExpressionAttributeNames: projection.names } : {}),
                  }
                : {}),
            },
          },
        }),
      );
      items.push(...(result.Responses?.[table] ?? []));
      pending = result.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return items;
}

const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 25 * 2 ** attempt)));
