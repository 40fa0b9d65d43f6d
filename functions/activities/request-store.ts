/** Reading what an RSVP link names: the activity and the pending request, in one round trip. */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import {
  activityKey,
  getActivity,
  getRsvpRequest,
  type RsvpRequest,
  table,
  toActivity,
} from './activity-store';
import type { Activity } from './domain/activity';

/**
 * Both items by one strongly consistent BatchGetItem (following a link in a booking rush costs one
 * read, as it did when the link carried the person); if DynamoDB leaves a key unprocessed, the two
 * are read one by one instead.
 */
export async function getActivityAndRequest(
  activityId: string,
  rsvpId: string,
): Promise<{ activity?: Activity; request?: RsvpRequest }> {
  const requestKey = { pk: `ACTIVITY#${activityId}`, sk: `REQUEST#${rsvpId}` };
  const result = await dynamo.send(
    new BatchGetCommand({
      RequestItems: { [table()]: { Keys: [activityKey(activityId), requestKey], ConsistentRead: true } },
    }),
  );
  if (Object.keys(result.UnprocessedKeys ?? {}).length > 0) {
    const [activity, request] = await Promise.all([
      getActivity(activityId),
      getRsvpRequest(activityId, rsvpId),
    ]);
    return { activity, request };
  }
  const items = result.Responses?.[table()] ?? [];
  const meta = items.find((item) => item.sk === 'META');
  const stored = items.find((item) => item.sk === requestKey.sk);
  // A request lapses by TTL, which DynamoDB applies late: past its time it is gone for us too.
  const live = stored && Number(stored.expiresAt ?? Number.POSITIVE_INFINITY) * 1000 >= Date.now();
  return {
    ...(meta ? { activity: toActivity(meta) } : {}),
    ...(live ? { request: stored as unknown as RsvpRequest } : {}),
  };
}
