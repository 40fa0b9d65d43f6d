import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/clients';
import { json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { deterministicUuid } from '../../shared/ids';
import { publish } from '../../shared/publish';
import { tableName } from '../../shared/tables';
import { normaliseEmail } from '../members/domain/registration';
import { emailKey } from '../members/member-store';
import { activityFromPath } from './activity-access';
import { recordAttendance } from './activity-store';
import { attendanceSchema, personKey } from './domain/rsvp';

/**
 * Staff record who came, members or guests, up to 1,000 a call. Idempotent per (activity, person):
 * each attendance's event id is derived from both, so a repeated upload counts nobody twice.
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
    let recorded = 0;
    const events = [];
    for (const [email, name] of people) {
      const key = personKey(email);
      const memberId = memberIds.get(email);
      if (
        await recordAttendance(
          activity.activityId,
          { personKey: key, email, name, ...(memberId ? { memberId } : {}) },
          now,
        )
      )
        recorded++;
      const { activityId, kind, network, startsAt } = activity;
      events.push({
        detailType: 'AttendanceRecorded' as const,
        // Bucketed by the activity's date: attendance at a 2020 meeting counts in 2020.
        detail: {
          eventId: deterministicUuid('attendance', activityId, key),
          occurredAt: startsAt,
          activityId,
          kind,
          network,
          startsAt,
          attendeeKey: key,
          member: Boolean(memberId),
        },
      });
    }
    await publish(events, correlationId);
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
