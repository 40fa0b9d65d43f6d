import { randomUUID } from 'node:crypto';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventBridge } from './clients';
import { type DetailType, type EventDetail, eventCatalogue, type NewEventDetail } from './events';
import { logger } from './logger';

export type Publishable = { [T in DetailType]: { detailType: T; detail: NewEventDetail<T> } }[DetailType];

const batchSize = 10;
const maxAttempts = 4;

const busName = (): string => {
  const name = process.env.EVENT_BUS_NAME;
  if (!name) throw new Error('EVENT_BUS_NAME is not set: this function is not bound to the bus');
  return name;
};

/** Builds a validated event: fills eventId and occurredAt, then checks the detail against its schema. */
export function buildEvent<T extends DetailType>(detailType: T, detail: NewEventDetail<T>): EventDetail<T> {
  const complete = { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...detail };
  return eventCatalogue[detailType].schema.parse(complete) as EventDetail<T>;
}

/**
 * Publishes events to the alliance bus: validates each against the catalogue, sends in batches of
 * ten (the PutEvents limit) and re-sends entries the bus failed, with backoff. Returns the details
 * as published (with their ids).
 */
export async function publish(
  events: Publishable[],
  correlationId?: string,
): Promise<Array<{ detailType: DetailType; detail: unknown }>> {
  const built = events.map(({ detailType, detail }) => ({
    detailType,
    detail: buildEvent(detailType, {
      ...detail,
      correlationId: detail.correlationId ?? correlationId,
    } as never),
  }));
  for (let start = 0; start < built.length; start += batchSize) {
    let pending: PutEventsRequestEntry[] = built
      .slice(start, start + batchSize)
      .map(({ detailType, detail }) => ({
        EventBusName: busName(),
        Source: eventCatalogue[detailType].source,
        DetailType: detailType,
        Detail: JSON.stringify(detail),
        Time: new Date((detail as { occurredAt: string }).occurredAt),
      }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const result = await eventBridge.send(new PutEventsCommand({ Entries: pending }));
      if (!result.FailedEntryCount) break;
      const failed = pending.filter((_, index) => result.Entries?.[index]?.ErrorCode);
      if (attempt >= maxAttempts) {
        logger.error('events not accepted by the bus', { failed: failed.map((entry) => entry.DetailType) });
        throw new Error(`the bus refused ${failed.length} event(s) after ${maxAttempts} attempts`);
      }
      pending = failed;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
  return built;
}
