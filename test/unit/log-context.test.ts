import { describe, expect, it } from 'vitest';
import { logger, withLogKeys } from '../../shared/logger';

describe('log lines follow their own request', () => {
  it('concurrent invocations each log with their own correlation id', async () => {
    const seen = await Promise.all(
      ['first', 'second', 'third'].map((correlationId, index) =>
        withLogKeys({ correlationId }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 20 - index * 5));
          return logger.getPersistentLogAttributes().correlationId;
        }),
      ),
    );
    expect(seen).toEqual(['first', 'second', 'third']);
    expect(logger.getPersistentLogAttributes().correlationId).toBeUndefined();
  });
});
