import { describe, expect, inject, it } from 'vitest';
import { eventCatalogue, isDetailType } from '../../shared/events';
import { api, linkIn, registration, scanAll, waitForEmails } from './helpers';

const counterItems = async () =>
  (await scanAll('counters'))
    .filter((item) => !String(item.pk).startsWith('EVENT#'))
    .map((item) => `${item.pk}|${item.sk}|${item.count}`)
    .sort();

describe('rebuilding counters from the archive', () => {
  it('replaying every archived event twice leaves the counters unchanged', async () => {
    const body = registration({ organisationType: 'university' });
    await api('POST', '/api/members', { body });
    const [mail] = await waitForEmails(body.email, 1);
    const link = new URL(linkIn(mail?.body.text ?? '', '/api/members/confirm?token='));
    await api('POST', link.pathname + link.search);
    await waitForEmails(body.email, 2);
    await api('GET', '/_local/bus/idle');
    const before = await counterItems();
    expect(before.length).toBeGreaterThan(0);

    const replay = await api('POST', '/_local/replay', { body: { times: 2 } });

    expect(replay.status).toBe(200);
    expect((replay.json() as { replayed: number }).replayed).toBeGreaterThan(0);
    expect(await counterItems()).toEqual(before);
    expect(await waitForEmails(body.email, 2)).toHaveLength(2);
    const { deadLetters } = (await api('GET', '/_local/dead-letters')).json() as {
      deadLetters: Array<{ event: { 'detail-type': string; detail: { eventId?: string } } }>;
    };
    // Events another test planted to fail on purpose (a detail that breaks its schema) are archived
    // like any other, so a replay fails them again; nothing else may fail.
    const planted = deadLetters.filter(
      ({ event }) =>
        !isDetailType(event['detail-type']) ||
        !eventCatalogue[event['detail-type']].schema.safeParse(event.detail).success,
    );
    expect(deadLetters.filter((letter) => !planted.includes(letter))).toEqual([]);
    for (const { event } of planted) {
      await api('DELETE', `/_local/dead-letters?eventId=${event.detail.eventId}`);
    }
  });
});

describe('the bus delivery mode', () => {
  it('runs in the mode this test project asked for', async () => {
    const mode = (await api('GET', '/_local/bus/mode')).json() as { duplicate: boolean; shuffle: boolean };
    const expected = inject('busMode');
    expect(mode).toEqual({
      duplicate: expected.includes('duplicate'),
      shuffle: expected.includes('shuffle'),
    });
  });
});
