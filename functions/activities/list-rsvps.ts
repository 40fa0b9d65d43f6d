import * as z from 'zod';
import { toCsv } from '../../shared/csv';
import { asksForCsv, csvDownload, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { activityFromPath } from './activity-access';
import { listRsvps } from './activity-store';
import { staffActivity } from './domain/activity';

const order = { accepted: 0, waitlisted: 1, cancelled: 2 } as const;

/** Staff: who is booked, waiting or cancelled, in arrival order; JSON, or CSV for a spreadsheet. */
export const handler = route(
  {
    query: z.object({ format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).optional() }),
  },
  async ({ pathParameters, query, event }) => {
    const activity = await activityFromPath(pathParameters);
    const rsvps = (await listRsvps(activity.activityId)).sort(
      (left, right) => order[left.status] - order[right.status] || left.arrival.localeCompare(right.arrival),
    );
    let waitlistPosition = 0;
    const rows = rsvps.map((rsvp) => ({
      name: rsvp.name,
      email: rsvp.email,
      status: rsvp.status,
      member: Boolean(rsvp.memberId),
      requestedAt: rsvp.arrival,
      acceptedAt: rsvp.acceptedAt ?? null,
      waitlistPosition: rsvp.status === 'waitlisted' ? ++waitlistPosition : null,
      cancelledAt: rsvp.cancelledAt ?? null,
    }));
    if (asksForCsv(query.format, event.headers)) {
      const header = [
        'name',
        'email',
        'status',
        'member',
        'requestedAt',
        'acceptedAt',
        'waitlistPosition',
        'cancelledAt',
      ];
      return csvDownload(
        `rsvps-${activity.activityId}.csv`,
        toCsv(
          header,
          rows.map((row) => header.map((column) => row[column as keyof typeof row])),
        ),
      );
    }
    return json(200, { activity: staffActivity(activity), rsvps: rows });
  },
);
