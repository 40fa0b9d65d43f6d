import { z } from 'zod';

/** What EventBridge hands a scheduled target; handlers take "now" from `time`, so tests control the clock. */
export const scheduledEventSchema = z.object({
  id: z.string().optional(),
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: z.iso.datetime({ offset: true }),
  resources: z.array(z.string()).optional(),
});

export const scheduledTime = (raw: unknown): Date => new Date(scheduledEventSchema.parse(raw).time);
