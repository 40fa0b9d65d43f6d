import * as z from 'zod';
import { toCsv } from '../../shared/csv';
import { asksForCsv, csvDownload, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { allDeliveries } from './delivery-store';
import { mailoutFromPath } from './mailout-access';

const columns = [
  'memberId',
  'email',
  'name',
  'organisation',
  'state',
  'reason',
  'bounceType',
  'queuedAt',
  'sentAt',
  'deliveredAt',
  'bouncedAt',
  'complainedAt',
  'readAt',
  'humanOpenAt',
  'machineOpenAt',
  'firstClickAt',
  'clicks',
  'messageId',
  'erased',
] as const;

/** Staff: every delivery record of a mail-out (who got it and what became of it), JSON or CSV. */
export const handler = route(
  {
    query: z.object({ format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).optional() }),
  },
  async ({ pathParameters, query, event }) => {
    const mailout = await mailoutFromPath(pathParameters);
    const rows: Array<Record<(typeof columns)[number], unknown>> = [];
    for await (const page of allDeliveries(mailout.mailoutId)) {
      for (const delivery of page) {
        rows.push({
          memberId: delivery.memberId,
          email: delivery.email ?? null,
          name: delivery.name ?? null,
          organisation: delivery.organisation ?? null,
          state: delivery.state,
          reason: delivery.reason ?? null,
          bounceType: delivery.bounceType ?? null,
          queuedAt: delivery.queuedAt ?? null,
          sentAt: delivery.sentAt ?? null,
          deliveredAt: delivery.deliveredAt ?? null,
          bouncedAt: delivery.bouncedAt ?? null,
          complainedAt: delivery.complainedAt ?? null,
          readAt: delivery.readAt ?? null,
          humanOpenAt: delivery.humanOpenAt ?? null,
          machineOpenAt: delivery.machineOpenAt ?? null,
          firstClickAt: delivery.firstClickAt ?? null,
          clicks: delivery.clicks ?? 0,
          messageId: delivery.messageId ?? null,
          erased: delivery.erased === true,
        });
      }
    }
    if (asksForCsv(query.format, event.headers)) {
      return csvDownload(
        `mailout-${mailout.mailoutId}-recipients.csv`,
        toCsv(
          [...columns],
          rows.map((row) => columns.map((column) => row[column])),
        ),
      );
    }
    return json(200, { mailoutId: mailout.mailoutId, state: mailout.state, recipients: rows });
  },
);
