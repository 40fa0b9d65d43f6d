import { describe, expect, it } from 'vitest';
import type { CounterIncrement } from '../../functions/counters/domain/counter-keys';
import { type CountingUnit, groupIncrements, packUnits } from '../../functions/counters/domain/counting-plan';

const increment = (metric: string, by = 1): CounterIncrement => ({
  metric,
  dimension: 'all',
  granularity: 'year',
  period: '2026',
  by,
});
const unit = (id: string, increments: CounterIncrement[]): CountingUnit => ({
  marker: { pk: `EVENT#${id}`, sk: 'COUNTED' },
  increments,
  records: [id],
});
const itemsOf = (group: CountingUnit[]) => group.length + groupIncrements(group).length;

describe('packing counter work into transactions', () => {
  it('events that move the same counters share one transaction, whatever their number', () => {
    const units = Array.from({ length: 99 }, (_, index) =>
      unit(`e${index}`, [increment('members.confirmed')]),
    );

    const groups = packUnits(units);

    expect(groups).toHaveLength(1);
    expect(groupIncrements(groups[0] ?? [])).toEqual([increment('members.confirmed', 99)]);
  });

  it('events that move many different counters are split so no transaction passes 100 items', () => {
    const units = Array.from({ length: 60 }, (_, index) =>
      unit(`e${index}`, [increment(`metric-${index}-a`), increment(`metric-${index}-b`)]),
    );

    const groups = packUnits(units);

    expect(groups.length).toBeGreaterThan(1);
    expect(groups.every((group) => itemsOf(group) <= 100)).toBe(true);
    expect(groups.flat().map((packed) => packed.marker.pk)).toEqual(units.map((input) => input.marker.pk));
  });

  it('the same event twice in a batch is one unit that answers for both records', () => {
    const groups = packUnits([
      unit('same', [increment('rsvps.accepted')]),
      { ...unit('same', [increment('rsvps.accepted')]), records: ['second-delivery'] },
    ]);

    expect(groups.flat()).toHaveLength(1);
    expect(groups[0]?.[0]?.records).toEqual(['same', 'second-delivery']);
    expect(groupIncrements(groups[0] ?? [])).toEqual([increment('rsvps.accepted', 1)]);
  });

  it('increments that cancel out (a reschedule and its undo) write nothing for that counter', () => {
    const groups = packUnits([
      unit('moved', [increment('activities.held', -1)]),
      unit('back', [increment('activities.held', 1)]),
    ]);

    expect(groupIncrements(groups[0] ?? [])).toEqual([]);
    expect(groups[0]).toHaveLength(2);
  });
});
