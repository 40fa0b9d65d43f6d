import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { eventOfRecord } from '../../shared/consumer';
import { logger, withLogKeys } from '../../shared/logger';
import { applyGroup } from './counter-store';
import { countedDetailTypes, counterKey, countersFor, distinctCountersFor } from './domain/counter-keys';
import { type CountingUnit, packUnits } from './domain/counting-plan';

/**
 * Moves the counters for a batch of alliance events, exactly once per event id (duplicates and
 * replays are no-ops). The whole batch is netted into as few transactions as the 100-item limit
 * allows, each holding its events' markers, so this consumer works on the batch as a whole rather
 * than record by record (hence no per-record batch processor here); failures are still reported per
 * record, and only the records of a group that failed come back.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed = new Set<string>();
  const units: CountingUnit[] = [];
  for (const record of event.Records) {
    try {
      const { detailType, detail } = eventOfRecord(record, countedDetailTypes);
      const increments = countersFor(detailType, detail);
      if (increments.length > 0) {
        units.push({
          marker: {
            pk: `EVENT#${detail.eventId}`,
            sk: 'COUNTED',
            detailType,
            countedAt: new Date().toISOString(),
          },
          increments,
          records: [record.messageId],
        });
      }
      // Distinct counts (unique attendees) have a marker per (counter, person), so they apply once
      // whether or not the event itself was counted before.
      for (const { member, ...counter } of distinctCountersFor(detailType, detail)) {
        const key = counterKey(counter);
        units.push({
          marker: { pk: `DISTINCT#${key.pk}#${key.sk}`, sk: member },
          increments: [{ ...counter, by: 1 }],
          records: [record.messageId],
        });
      }
    } catch (error) {
      logger.error('event not countable', { messageId: record.messageId, error: String(error) });
      failed.add(record.messageId);
    }
  }
  await withLogKeys({ consumer: 'update-counters' }, async () => {
    let applied = 0;
    for (const group of packUnits(units)) {
      try {
        applied += await applyGroup(group);
      } catch (error) {
        logger.error('counter transaction failed', { error: String(error), units: group.length });
        for (const unit of group) for (const record of unit.records) failed.add(record);
      }
    }
    logger.info('batch counted', { records: event.Records.length, units: units.length, applied });
  });
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
};
