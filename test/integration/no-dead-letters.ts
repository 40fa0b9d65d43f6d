/**
 * After each test file: every event so far must have been delivered. A dead letter is a consumer
 * that failed for good: a bug, or a handler reaching what its catalogue entry does not grant.
 */
import { afterAll, expect } from 'vitest';
import { api } from './helpers';

afterAll(async () => {
  await api('GET', '/_local/bus/idle');
  const { deadLetters } = (await api('GET', '/_local/dead-letters')).json() as {
    deadLetters: Array<{ rule: string; error: string; event: { 'detail-type': string } }>;
  };
  expect(
    deadLetters.map((letter) => `${letter.rule} on ${letter.event['detail-type']}: ${letter.error}`),
  ).toEqual([]);
});
