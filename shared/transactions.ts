import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './clients';

/** True when DynamoDB cancelled a transaction because another one touched the same items. */
export const isTransactionConflict = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict');

/**
 * Runs a transaction again when it lost a race with another on the same items (a hot activity in a
 * booking rush), with jittered backoff. Conditions that fail are the caller's to read; conflicts are not.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, maxAttempts = 12): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransactionConflict(error) || tries >= maxAttempts) throw error;
      const ceiling = Math.min(1000, 10 * 2 ** tries);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}

/** True when a transaction was cancelled because its first item's condition failed (a marker or lock already there). */
export const isFirstConditionFailure = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/**
 * Writes `items` in one transaction (run again on conflicts) and answers whether it happened:
 * false when the first item's condition did not hold (the change is no longer due, or someone
 * made it already), so nothing was written; any other failure is thrown.
 */
export async function transactIfFirstHolds(items: TransactItems): Promise<boolean> {
  try {
    await retryOnConflict(() => dynamo.send(new TransactWriteCommand({ TransactItems: items })));
    return true;
  } catch (error) {
    if (isFirstConditionFailure(error)) return false;
    throw error;
  }
}
