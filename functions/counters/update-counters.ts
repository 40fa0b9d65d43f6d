import { parseBusEvent } from '../../shared/consumer';
import { logger, withLogKeys } from '../../shared/logger';
import { applyDistinct, applyOnce } from './counter-store';
import { countedDetailTypes, countersFor, distinctCountersFor } from './domain/counter-keys';

/** Moves the counters for each alliance event, exactly once per event id (duplicates and replays are no-ops). */
export const handler = async (raw: unknown): Promise<void> => {
  const { detailType, detail } = parseBusEvent(raw, countedDetailTypes);
  const keys = { consumer: 'update-counters', eventId: detail.eventId, correlationId: detail.correlationId };
  await withLogKeys(keys, async () => {
    const applied = await applyOnce(detail.eventId, detailType, countersFor(detailType, detail));
    if (!applied) logger.info('event already counted', { detailType });
    // Distinct counts are idempotent by their own markers, so they are (re)applied either way.
    for (const increment of distinctCountersFor(detailType, detail)) await applyDistinct(increment);
  });
};
