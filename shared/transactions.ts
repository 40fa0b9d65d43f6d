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

/**
 * True when a transaction was cancelled because the condition of its first item (a marker or lock
 * already there), or of one of its first `guarded` items, failed.
 */
export const isFirstConditionFailure = (error: unknown, guarded = 1): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? [])
    .slice(0, guarded)
    .some((reason) => reason.Code === 'ConditionalCheckFailed');

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/**
 * Writes `items` in one transaction (run again on conflicts) and answers whether it happened:
 * false when the first item's condition (or one of the first `guarded` items') did not hold (the
 * change is no longer due, or someone made it already), so nothing was written; any other failure
 * is thrown.
 */
export async function transactIfFirstHolds(items: TransactItems, guarded = 1): Promise<boolean> {
  try {
    await retryOnConflict(() => dynamo.send(new TransactWriteCommand({ TransactItems: items })));
    return true;
  } catch (error) {
    if (isFirstConditionFailure(error, guarded)) return false;
    throw error;
  }
}
