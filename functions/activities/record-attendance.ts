import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { deterministicUuid } from '../../shared/ids';
import { announce, type TransactItem } from '../../shared/outbox';
import { getPseudonymKey } from '../../shared/secrets';
import { tableName } from '../../shared/tables';
import { normaliseEmail } from '../members/domain/registration';
import { emailKey } from '../members/member-store';
import { activityFromPath } from './activity-access';
import { recordAttendances } from './attendance-store';
import { attendanceSchema, personKeyWith } from './domain/rsvp';

/**
 * Staff record who came, members or guests, up to 1,000 a call, written in batched transactions so
 * the answer comes well inside API Gateway's 30 s. Idempotent per (activity, person): a person is
 * recorded and announced once, and each event id is derived from both, so nobody counts twice.
 */
export const handler = route(
  { body: attendanceSchema, maxBodyBytes: 512 * 1024 },
  async ({ body, pathParameters, correlationId }) => {
    const activity = await activityFromPath(pathParameters);
    const people = new Map(
      body.attendees.map((attendee) => [normaliseEmail(attendee.email), attendee.name ?? '']),
    );
    const memberIds = await memberIdsFor([...people.keys()]);
    const now = new Date().toISOString();
    const pseudonymKey = await getPseudonymKey();
    const { activityId, kind, network, startsAt } = activity;
    const recorded = await recordAttendances(
      activityId,
      [...people].map(([email, name]) => {
        const memberId = memberIds.get(email);
        return {
          personKey: personKeyWith(pseudonymKey, email),
          email,
          name,
          ...(memberId ? { memberId } : {}),
        };
      }),
      now,
      (attendee) =>
        announce(
          'activities',
          [
            {
              detailType: 'AttendanceRecorded',
              // Bucketed by the activity's date: attendance at a 2020 meeting counts in 2020.
              detail: {
                eventId: deterministicUuid('attendance', activityId, attendee.personKey),
                occurredAt: startsAt,
                activityId,
                kind,
                network,
                startsAt,
                attendeeKey: attendee.personKey,
                member: Boolean(attendee.memberId),
              },
            },
          ],
          correlationId,
        )[0] as TransactItem,
    );
    return json(200, {
      recorded,
      alreadyRecorded: people.size - recorded,
      duplicatesInRequest: body.attendees.length - people.size,
    });
  },
);

async function memberIdsFor(emails: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let start = 0; start < emails.length; start += 100) {
    let keys = emails.slice(start, start + 100).map((email) => emailKey(email));
    for (let attempt = 0; keys.length > 0 && attempt < 6; attempt++) {
      const result = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [tableName('members')]: { Keys: keys } } }),
      );
      for (const item of result.Responses?.[tableName('members')] ?? []) {
        found.set(String(item.pk).replace(/^EMAIL#/, ''), String(item.memberId));
      }
      keys = (result.UnprocessedKeys?.[tableName('members')]?.Keys ?? []) as typeof keys;
    }
  }
  return found;
}
