import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { lambdaContextKeys, withLogKeys } from './logger';
import { withMetrics } from './metrics';

/** What EventBridge hands a scheduled target; handlers take "now" from `time`, so tests control the clock. */
export const scheduledEventSchema = z.object({
  id: z.string().optional(),
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: z.iso.datetime({ offset: true }),
  resources: z.array(z.string()).optional(),
});

export const scheduledTime = (raw: unknown): Date => new Date(scheduledEventSchema.parse(raw).time);

/**
 * The shared wrapper for a scheduled handler: the schedule's time as "now", the Lambda context (request
 * id, cold start) and the schedule's event id on every log line, and business counts written once
 * when the run ends.
 */
export function scheduled<T>(run: (now: Date) => Promise<T>) {
  return (raw: unknown, lambdaContext?: Context): Promise<T> => {
    const now = scheduledTime(raw);
    const scheduleEventId = (raw as { id?: unknown } | null)?.id;
    return withLogKeys(
      {
        ...lambdaContextKeys(lambdaContext),
        ...(typeof scheduleEventId === 'string' ? { scheduleEventId } : {}),
      },
      () => withMetrics(() => run(now)),
    );
  };
}
