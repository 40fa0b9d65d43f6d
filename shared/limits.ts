import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './clients';
import { TooManyRequests } from './errors';
import { keyedLabel } from './ids';
import { getPseudonymKey } from './secrets';
import { tableName } from './tables';

/**
 * Takes one use of an allowance (`limit` uses per `windowSeconds`), atomically. False when the
 * allowance is spent. Items expire by TTL shortly after their window.
 */
export async function consumeAllowance(
  key: LimitKey,
  limit: number,
  windowSeconds: number,
  now = Date.now(),
): Promise<boolean> {
  const window = Math.floor(now / 1000 / windowSeconds);
  const id = `${key.kind}#${limitLabel(await getPseudonymKey(), key)}#${window}`;
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName('limits'),
        Key: { id },
        UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
        ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expiresAt': (window + 2) * windowSeconds },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Spends one of the allowance or refuses the request (429, retry after the window). */
export async function assertAllowance(key: LimitKey, limit: number, windowSeconds: number): Promise<void> {
  if (!(await consumeAllowance(key, limit, windowSeconds))) throw new TooManyRequests(windowSeconds);
}

/** Whose allowance: a kind (`rsvp-ip`) and the address or IP it counts, labelled only when stored. */
export interface LimitKey {
  kind: string;
  value: string;
}

/**
 * Names an allowance. It stays synchronous for its callers; `consumeAllowance` turns the value into
 * an HMAC under the pseudonym key, so the limits table holds no IP addresses or e-mails, nor hashes
 * of them that anyone could recompute.
 */
export const limitKey = (kind: string, value: string): LimitKey => ({ kind, value });

/** Pure: the stored label of an allowance under `key`. */
export const limitLabel = (key: Uint8Array, { kind, value }: LimitKey): string =>
  keyedLabel(key, `limit:${kind}`, value, 24);
