import { randomUUID } from 'node:crypto';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { announce } from '../../shared/outbox';
import { putNewActivity } from './activity-store';
import { newActivitySchema, scheduledActivity, staffActivity } from './domain/activity';

/** Staff schedule an activity (past dates allowed, to record history). */
export const handler = route({ body: newActivitySchema }, async ({ body, correlationId }) => {
  const now = new Date().toISOString();
  const activity = scheduledActivity(body, randomUUID(), now);
  const { activityId, kind, network, startsAt, capacity } = activity;
  await putNewActivity(
    activity,
    announce(
      'activities',
      [
        {
          detailType: 'ActivityScheduled',
          detail: { activityId, kind, network, startsAt, capacity, occurredAt: now },
        },
      ],
      correlationId,
    ),
  );
  return json(201, staffActivity(activity), { location: `/api/activities/${activityId}` });
});
