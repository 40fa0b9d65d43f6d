import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { announce } from '../../shared/outbox';
import { activityFromPath } from './activity-access';
import { getActivity, markActivityCancelled } from './activity-store';
import { staffActivity } from './domain/activity';

/** Staff call an activity off: everyone booked or waiting is told, and no reminders go out. */
export const handler = route({}, async ({ pathParameters, correlationId }) => {
  let activity = await activityFromPath(pathParameters);
  // Read, then cancel on the condition that nothing changed since: the event carries the start time
  // the activity really had. A change in between (rare) means reading it again.
  for (let attempt = 0; activity.status !== 'cancelled' && attempt < 5; attempt++) {
    const now = new Date().toISOString();
    const { activityId, kind, network, startsAt } = activity;
    const outcome = await markActivityCancelled(
      activity,
      now,
      announce(
        'activities',
        [
          {
            detailType: 'ActivityCancelled',
            detail: { activityId, kind, network, startsAt, occurredAt: now },
          },
        ],
        correlationId,
      ),
    );
    if (outcome === 'cancelled') {
      return json(
        200,
        staffActivity({ ...activity, status: 'cancelled', updatedAt: now, sequence: activity.sequence + 1 }),
      );
    }
    activity = (await getActivity(activityId)) ?? activity;
  }
  return json(200, staffActivity({ ...activity, status: 'cancelled' }));
});
