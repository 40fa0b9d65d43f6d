/**
 * How a batch of events becomes as few counter transactions as DynamoDB allows. Pure.
 *
 * A unit is one marker (an event id, or a member in a distinct counter) and the increments that must
 * happen exactly once with it. Units are packed into transactions of at most `maxItems` items: each
 * unit's marker (a conditional put) plus the netted increments of all the units in that transaction
 * (one update per counter, however many events move it). A unit's marker and its increments always
 * travel in the same transaction, so each is applied exactly once.
 */
import { type CounterIncrement, counterKey, netIncrements } from './counter-keys';

export interface CountingUnit {
  /** The marker item: its presence means "already counted". */
  marker: { pk: string; sk: string } & Record<string, unknown>;
  increments: CounterIncrement[];
  /** Which records of the batch this unit came from (to report failures per record). */
  records: string[];
}

export const transactionItemLimit = 100;

const markerId = (unit: CountingUnit) => `${unit.marker.pk}\u0000${unit.marker.sk}`;
const counterId = (increment: CounterIncrement) => {
  const key = counterKey(increment);
  return `${key.pk}\u0000${key.sk}`;
};

/** Merges units with the same marker (the same event twice in one batch): one unit, all its records. */
export function mergeDuplicates(units: CountingUnit[]): CountingUnit[] {
  const byMarker = new Map<string, CountingUnit>();
  for (const unit of units) {
    const existing = byMarker.get(markerId(unit));
    if (existing) existing.records = [...new Set([...existing.records, ...unit.records])];
    else byMarker.set(markerId(unit), { ...unit, records: [...unit.records] });
  }
  return [...byMarker.values()];
}

/**
 * Packs units into groups whose transaction (markers + distinct counters moved) fits `maxItems`.
 * A unit that could never fit alone is an error of the counting rules, not of the data.
 */
export function packUnits(units: CountingUnit[], maxItems = transactionItemLimit): CountingUnit[][] {
  const groups: CountingUnit[][] = [];
  let current: CountingUnit[] = [];
  let counters = new Set<string>();
  for (const unit of mergeDuplicates(units)) {
    const unitCounters = new Set(unit.increments.map(counterId));
    if (1 + unitCounters.size > maxItems) {
      throw new Error(`${unit.marker.pk} moves ${unitCounters.size} counters; at most ${maxItems - 1} fit`);
    }
    const merged = new Set([...counters, ...unitCounters]);
    if (current.length > 0 && current.length + 1 + merged.size > maxItems) {
      groups.push(current);
      current = [];
      counters = new Set(unitCounters);
    } else {
      counters = merged;
    }
    current.push(unit);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The netted increments of a group: one per counter, zero sums dropped. */
export const groupIncrements = (group: CountingUnit[]): CounterIncrement[] =>
  netIncrements(group.flatMap((unit) => unit.increments));
