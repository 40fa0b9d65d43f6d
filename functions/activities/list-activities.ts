import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { activitiesStartingBetween } from './activity-store';
import { publicActivity } from './domain/activity';

const horizon = '9999-12-31T23:59:59Z';

/** Upcoming activities, soonest first, as anyone may see them (never an online link). */
export const handler = route({}, async () => {
  const upcoming = await activitiesStartingBetween(new Date().toISOString(), horizon, 200);
  return json(200, {
    activities: upcoming.filter((activity) => activity.status === 'scheduled').map(publicActivity),
  });
});
