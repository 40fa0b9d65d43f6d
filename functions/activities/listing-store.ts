/** Activities by start time (the `byStart` index): the public listing and staff's past activities. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { table, toActivity } from './activity-store';
import type { Activity } from './domain/activity';
import type { ListingWindow } from './domain/listing';

/** Activities starting in [from, to), in the window's order, at most `limit`. */
export async function activitiesInWindow(window: ListingWindow, limit = 200): Promise<Activity[]> {
  const activities: Activity[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byStart',
        // BETWEEN is inclusive: `to` is excluded below (an activity starting exactly now is upcoming).
        KeyConditionExpression: 'listPk = :list AND startsAt BETWEEN :from AND :to',
        ...(window.includeCancelled
          ? {}
          : {
              FilterExpression: '#status = :scheduled',
              ExpressionAttributeNames: { '#status': 'status' },
            }),
        ExpressionAttributeValues: {
          ':list': 'ACTIVITY',
          ':from': window.from,
          ':to': window.to,
          ...(window.includeCancelled ? {} : { ':scheduled': 'scheduled' }),
        },
        ScanIndexForward: !window.newestFirst,
        ExclusiveStartKey: startKey,
      }),
    );
    activities.push(
      ...(page.Items ?? []).map(toActivity).filter((activity) => activity.startsAt < window.to),
    );
    startKey = page.LastEvaluatedKey;
  } while (startKey && activities.length < limit);
  return activities.slice(0, limit);
}
