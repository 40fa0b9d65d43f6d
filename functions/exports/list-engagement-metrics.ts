import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { defaultSpan, describeMetrics, granularities, maxPeriods } from './domain/engagement';

/** Analysts: every metric an export can name, with its meaning, unit, source and dimensions. */
export const handler = route({}, async () =>
  json(200, {
    metrics: describeMetrics(),
    granularities,
    defaultSpan,
    maxPeriods,
  }),
);
