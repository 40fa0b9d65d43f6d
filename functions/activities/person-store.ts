/**
 * A person's items under the activities (bookings, pending RSVP requests, attendance, feedback),
 * found by their keyed label through the sparse byPerson index: those made before they registered
 * carry no member id, only the person key.
 */
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { table } from './activity-store';

export async function itemsOfPerson(personKey: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byPerson',
        KeyConditionExpression: 'personKey = :personKey',
        ExpressionAttributeValues: { ':personKey': personKey },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Both lookups, each item once: by member id and, when known, by person key. */
export async function itemsOfMemberOrPerson(
  byMember: Array<Record<string, unknown>>,
  personKey: string | undefined,
): Promise<Array<Record<string, unknown>>> {
  const seen = new Set(byMember.map((item) => `${item.pk}|${item.sk}`));
  const byPerson = personKey ? await itemsOfPerson(personKey) : [];
  return [...byMember, ...byPerson.filter((item) => !seen.has(`${item.pk}|${item.sk}`))];
}

/** Erasure of a pending RSVP request: its link then finds nothing to book. */
export async function deleteRsvpRequest(pk: string, sk: string): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: table(), Key: { pk, sk } }));
}

export const isRsvpRequest = (sk: string) => sk.startsWith('REQUEST#');
