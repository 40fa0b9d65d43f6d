/** Which counters an event moves. Pure: the same event always yields the same increments, so a
 * replay of the archive rebuilds identical counters. */
import type { DetailType, EventDetail } from '../../../shared/events';
import { periodsOf } from '../../../shared/time';

export type Granularity = 'day' | 'month' | 'year';

export interface CounterIncrement {
  metric: string;
  /** `all`, or `<dimension>=<value>` such as `network=smart-city-alliance`. */
  dimension: string;
  granularity: Granularity;
  period: string;
  by: number;
}

export const counterKey = (
  increment: Pick<CounterIncrement, 'metric' | 'dimension' | 'granularity' | 'period'>,
) => ({
  pk: `${increment.metric}#${increment.dimension}`,
  sk: `${increment.granularity}#${increment.period}`,
});

function spread(metric: string, dimensions: string[], occurredAt: string): CounterIncrement[] {
  const periods = periodsOf(occurredAt);
  const granularities: Granularity[] = ['day', 'month', 'year'];
  return [...new Set(dimensions)].flatMap((dimension) =>
    granularities.map((granularity) => ({
      metric,
      dimension,
      granularity,
      period: periods[granularity],
      by: 1,
    })),
  );
}

const memberDimensions = (detail: { organisationType: string; networks: string[] }) => [
  'all',
  `organisationType=${detail.organisationType}`,
  ...detail.networks.map((network) => `network=${network}`),
];

type Counting = { [T in DetailType]?: (detail: EventDetail<T>) => CounterIncrement[] };

const counting: Counting = {
  MemberRegistered: (detail) => spread('members.registered', memberDimensions(detail), detail.occurredAt),
  MemberConfirmed: (detail) => spread('members.confirmed', memberDimensions(detail), detail.occurredAt),
  MemberUnsubscribed: (detail) =>
    spread('members.unsubscribed', ['all', `organisationType=${detail.organisationType}`], detail.occurredAt),
  MemberErased: (detail) =>
    spread('members.erased', ['all', `organisationType=${detail.organisationType}`], detail.occurredAt),
};

export const countedDetailTypes = Object.keys(counting) as DetailType[];

export function countersFor<T extends DetailType>(detailType: T, detail: EventDetail<T>): CounterIncrement[] {
  const rule = counting[detailType] as ((detail: EventDetail<T>) => CounterIncrement[]) | undefined;
  return rule ? rule(detail) : [];
}
