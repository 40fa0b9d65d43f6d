import { route } from '../../shared/http/route';
import { activityFromPath } from './activity-access';
import { calendarInvite } from './domain/calendar';

/** An .ics for anyone's calendar. The online link is not in it: booked attendees get that by e-mail. */
export const handler = route({}, async ({ pathParameters }) => {
  const activity = await activityFromPath(pathParameters);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': `attachment; filename="activity-${activity.activityId}.ics"`,
      'cache-control': 'no-cache',
    },
    body: calendarInvite(activity, { method: 'PUBLISH', includeOnlineLink: false }),
  };
});
