import { describe, expect, it } from 'vitest';
import { counterKey, countersFor } from '../../functions/counters/domain/counter-keys';
import { buildEvent } from '../../shared/outbox';
import { periodsOf } from '../../shared/time';

const registered = (occurredAt: string, networks = ['smart-city-alliance']) =>
  buildEvent('MemberRegistered', {
    memberId: '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10',
    organisationType: 'university',
    networks,
    interests: [],
    newsletter: true,
    formVersion: '2026-11',
    occurredAt,
  });

describe('counter buckets', () => {
  it('a sign-up late on 30 June (UTC) counts in July when the alliance keeps British Summer Time', () => {
    expect(periodsOf('2026-06-30T23:30:00Z')).toEqual({ day: '2026-07-01', month: '2026-07', year: '2026' });
    expect(periodsOf('2026-12-31T23:30:00Z')).toEqual({ day: '2026-12-31', month: '2026-12', year: '2026' });
  });

  it('a registration moves all, organisation-type and each network counter by day, month and year', () => {
    const increments = countersFor(
      'MemberRegistered',
      registered('2026-11-27T10:00:00Z', ['smart-city-alliance', 'working-groups']),
    );

    const keys = increments
      .map((increment) => `${counterKey(increment).pk} ${counterKey(increment).sk}`)
      .sort();
    expect(keys).toEqual(
      [
        'members.registered#all',
        'members.registered#network=smart-city-alliance',
        'members.registered#network=working-groups',
        'members.registered#organisationType=university',
      ]
        .flatMap((pk) => [`${pk} day#2026-11-27`, `${pk} month#2026-11`, `${pk} year#2026`])
        .sort(),
    );
    expect(increments.every((increment) => increment.by === 1)).toBe(true);
  });

  it('the same event always yields the same increments, so a replay rebuilds identical counters', () => {
    const event = registered('2020-03-01T09:00:00Z');
    expect(countersFor('MemberRegistered', event)).toEqual(countersFor('MemberRegistered', event));
  });

  it('an event the counters do not track moves nothing', () => {
    const event = buildEvent('MemberRegistrationRepeated', {
      memberId: '4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10',
      memberStatus: 'pending',
    });
    expect(countersFor('MemberRegistrationRepeated', event)).toEqual([]);
  });
});

describe('the counters subscription', () => {
  it('receives exactly the detail-types the counters count', async () => {
    const { subscriptions } = await import('../../infra/catalogue');
    const { countedDetailTypes } = await import('../../functions/counters/domain/counter-keys');
    const subscription = subscriptions.find((entry) => entry.name === 'update-counters');
    expect([...(subscription?.pattern['detail-type'] ?? [])].sort()).toEqual([...countedDetailTypes].sort());
  });
});
