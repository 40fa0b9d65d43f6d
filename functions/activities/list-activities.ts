import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { beyondLatest } from '../../shared/instant';
import { activitiesStartingBetween } from './activity-store';
import { publicActivity } from './domain/activity';

/** Upcoming activities, soonest first, as anyone may see them (never an online link). */
export const handler = route({}, async () => {
  // Stored times are UTC (`toISOString()`, normalised at the edge), so the bounds must be too.
  const upcoming = await activitiesStartingBetween(new Date().toISOString(), beyondLatest, 200);
  return json(200, {
    activities: upcoming.filter((activity) => activity.status === 'scheduled').map(publicActivity),
  });
});
