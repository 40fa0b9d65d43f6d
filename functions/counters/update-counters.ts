import { parseBusEvent } from '../../shared/consumer';
import { logger } from '../../shared/logger';
import { applyOnce } from './counter-store';
import { countedDetailTypes, countersFor } from './domain/counter-keys';

/** Moves the counters for each alliance event, exactly once per event id (duplicates and replays are no-ops). */
export const handler = async (raw: unknown): Promise<void> => {
  const { detailType, detail } = parseBusEvent(raw, countedDetailTypes);
  logger.resetKeys();
  logger.appendKeys({
    consumer: 'update-counters',
    eventId: detail.eventId,
    correlationId: detail.correlationId,
  });
  const applied = await applyOnce(detail.eventId, detailType, countersFor(detailType, detail));
  if (!applied) logger.info('event already counted', { detailType });
};
