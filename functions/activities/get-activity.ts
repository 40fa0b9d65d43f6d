import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { activityFromPath } from './activity-access';
import { publicActivity } from './domain/activity';

export const handler = route({}, async ({ pathParameters }) =>
  json(200, publicActivity(await activityFromPath(pathParameters))),
);
