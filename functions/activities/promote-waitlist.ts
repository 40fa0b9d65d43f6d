import { consumer } from '../../shared/consumer';
import { logger } from '../../shared/logger';
import { announce } from '../../shared/outbox';
import { firstWaiting, getActivity, promote } from './activity-store';

/** A place freed (a cancellation, or more capacity): the first on the waitlist gets it, in arrival order. */
export const handler = consumer(
  'promote-waitlist',
  ['RsvpCancelled', 'ActivityUpdated'] as const,
  async ({ detailType, detail }) => {
    if (detailType === 'RsvpCancelled' && 'previousStatus' in detail && detail.previousStatus !== 'accepted')
      return;
    const activity = await getActivity(detail.activityId);
    if (!activity) return;
    if (activity.status !== 'scheduled' || new Date(activity.startsAt).getTime() <= Date.now()) return;
    let promoted = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const waiting = await firstWaiting(activity.activityId);
      if (!waiting) break;
      const now = new Date().toISOString();
      const { activityId, kind, network, startsAt } = activity;
      const outcome = await promote(
        activityId,
        waiting,
        now,
        announce(
          'activities',
          [
            {
              detailType: 'RsvpPromoted',
              detail: { activityId, kind, network, startsAt, rsvpId: waiting.rsvpId, occurredAt: now },
            },
          ],
          detail.correlationId,
        ),
      );
      if (outcome === 'full') break;
      if (outcome === 'stale') continue;
      promoted++;
    }
    logger.info('waitlist promotion done', { promoted });
  },
);
