import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { publish } from '../../shared/publish';
import { activityFromPath } from './activity-access';
import { markActivityCancelled } from './activity-store';
import { staffActivity } from './domain/activity';

/** Staff call an activity off: everyone booked or waiting is told, and no reminders go out. */
export const handler = route({}, async ({ pathParameters, correlationId }) => {
  const activity = await activityFromPath(pathParameters);
  if (activity.status === 'cancelled') return json(200, staffActivity(activity));
  const now = new Date().toISOString();
  const cancelled = await markActivityCancelled(activity.activityId, now);
  if (!cancelled) return json(200, staffActivity({ ...activity, status: 'cancelled' }));
  const { activityId, kind, network, startsAt } = cancelled;
  await publish(
    [{ detailType: 'ActivityCancelled', detail: { activityId, kind, network, startsAt, occurredAt: now } }],
    correlationId,
  );
  return json(200, staffActivity(cancelled));
});
