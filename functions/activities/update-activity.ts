import { Conflict, Invalid } from '../../shared/errors';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { announce, type Publishable } from '../../shared/outbox';
import { activityFromPath } from './activity-access';
import { replaceActivity } from './activity-store';
import { activityChangeSchema, applyActivityChange, staffActivity } from './domain/activity';

/** Staff change an activity. A new time or place re-times reminders and sends updated invites. */
export const handler = route(
  { body: activityChangeSchema },
  async ({ body, pathParameters, correlationId }) => {
    const activity = await activityFromPath(pathParameters);
    if (activity.status === 'cancelled')
      throw new Conflict('This activity is cancelled and can no longer be changed.');
    const { next, changed, moved, problems } = applyActivityChange(activity, body);
    if (problems.length > 0) throw new Invalid('Some fields need attention.', problems);
    if (changed.length === 0) return json(200, staffActivity(activity));
    next.updatedAt = new Date().toISOString();
    const facts = {
      activityId: next.activityId,
      kind: next.kind,
      network: next.network,
      startsAt: next.startsAt,
      occurredAt: next.updatedAt,
    };
    const events: Publishable[] = [
      { detailType: 'ActivityUpdated', detail: { ...facts, capacity: next.capacity, changed } },
    ];
    if (moved) {
      events.push({
        detailType: 'ActivityRescheduled',
        detail: { ...facts, previousStartsAt: activity.startsAt, sequence: next.sequence },
      });
    }
    if (!(await replaceActivity(next, activity.updatedAt, announce('activities', events, correlationId)))) {
      throw new Conflict(
        'The activity changed while you were editing it (or more people booked than the new capacity). Reload and try again.',
      );
    }
    return json(200, staffActivity(next));
  },
);
