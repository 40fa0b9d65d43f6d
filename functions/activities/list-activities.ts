import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { publicActivity } from './domain/activity';
import { listingQuerySchema, listingWindow } from './domain/listing';
import { activitiesInWindow } from './listing-store';

/**
 * Activities as anyone may see them (never an online link): by default the upcoming ones, soonest
 * first; `?when=past` the ones that started before now, latest first (staff's history);
 * `?cancelled=include` with the cancelled ones too.
 */
export const handler = route({ query: listingQuerySchema }, async ({ query }) => {
  // Stored times are UTC (`toISOString()`, normalised at the edge), so the bounds are too.
  const activities = await activitiesInWindow(listingWindow(query, new Date()), 200);
  return json(200, { activities: activities.map(publicActivity) });
});
