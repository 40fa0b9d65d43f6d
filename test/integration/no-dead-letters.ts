/**
 * After each test file: every event so far must have been delivered. A dead letter is a consumer
 * that failed for good (a bug, or a handler reaching what its catalogue entry does not grant), or
 * an outbox event the relay could not put on the bus. A test that dead-letters on purpose removes
 * its own letters with `DELETE /_local/dead-letters?eventId=` once it has checked them. The letters
 * are cleared once reported, so each file answers for its own and not for an earlier one's.
 */
import { afterAll, expect } from 'vitest';
import { api } from './helpers';

interface DeadLetter {
  rule: string;
  error: string;
  attempts: number;
  event: { 'detail-type': string; detail?: { eventId?: string } };
}

afterAll(async () => {
  await api('GET', '/_local/bus/idle');
  const { deadLetters } = (await api('GET', '/_local/dead-letters')).json() as { deadLetters: DeadLetter[] };
  if (deadLetters.length > 0) await api('DELETE', '/_local/dead-letters');
  const described = deadLetters.map(
    (letter) =>
      `${letter.rule} on ${letter.event['detail-type']} ${letter.event.detail?.eventId ?? ''} after ${letter.attempts} attempt(s): ${letter.error}`,
  );
  expect(described, `dead letters:\n${described.join('\n')}`).toEqual([]);
});
