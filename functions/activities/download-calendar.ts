import { download } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { activityFromPath } from './activity-access';
import { calendarInvite } from './domain/calendar';

/** An .ics for anyone's calendar. The online link is not in it: booked attendees get that by e-mail. */
export const handler = route({}, async ({ pathParameters }) => {
  const activity = await activityFromPath(pathParameters);
  return download(
    'text/calendar; charset=utf-8',
    `activity-${activity.activityId}.ics`,
    calendarInvite(activity, { method: 'PUBLISH', includeOnlineLink: false }),
    'no-cache',
  );
});
