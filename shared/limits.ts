import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './clients';
import { tableName } from './tables';

/**
 * Takes one use of an allowance (`limit` uses per `windowSeconds`), atomically. False when the
 * allowance is spent. Items expire by TTL shortly after their window.
 */
export async function consumeAllowance(
  key: string,
  limit: number,
  windowSeconds: number,
  now = Date.now(),
): Promise<boolean> {
  const window = Math.floor(now / 1000 / windowSeconds);
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName('limits'),
        Key: { id: `${key}#${window}` },
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

/** A short one-way label for an address, so the limits table holds no IP addresses or e-mails. */
export const limitKey = (kind: string, value: string): string =>
  `${kind}#${createHash('sha256').update(value).digest('hex').slice(0, 24)}`;
