import { config } from '../../shared/config';
import { sendEmail } from '../../shared/email/send';
import { logger } from '../../shared/logger';
import { announce } from '../../shared/outbox';
import { scheduled } from '../../shared/schedule';
import { reminderEmail } from '../activities/activity-emails';
import type { Rsvp } from '../activities/activity-store';
import { activitiesStartingBetween, erased, listRsvps } from '../activities/activity-store';
import { manageUrl, memberExtras } from '../activities/booking-mail';
import type { Activity } from '../activities/domain/activity';
import { reminderMarker, sendOnce, settleMarker } from '../activities/marker-store';
import { normaliseEmail } from '../members/domain/registration';
import { suppressedAddresses } from '../members/suppression-store';
import { dueReminder, lookaheadHours } from './domain/due-reminders';

const offsetsByKind = new Map(config.activityKinds.map((kind) => [kind.id, kind.reminderOffsetsHours]));
const lookahead = lookaheadHours([...offsetsByKind.values()]);

/**
 * A claim on one reminder lasts this long: far longer than one send, far shorter than the gap between
 * two offsets, so a run that died after claiming is retaken by the next run after it lapses.
 */
const leaseSeconds = 5 * 60;

/**
 * Sends the reminders due as of the schedule's time (not the wall clock, so a late or repeated run
 * behaves the same). Exactly one per (booking, activity start, offset): a marker is claimed with a
 * lease before sending and marked sent (with its ReminderSent event, in one transaction) after; a
 * failed send gives the claim back, and a run that dies in between leaves a claim that lapses, so a
 * later run sends it. Overlapping runs never both hold a live claim.
 *
 * An address SES reported as hard-bouncing or complaining (suppressed) gets no reminder: its
 * reminder is settled unsent, so later runs do not look at it again.
 */
export const handler = scheduled(async (now): Promise<{ sent: number; suppressed: number }> => {
  const until = new Date(now.getTime() + lookahead * 3_600_000).toISOString();
  const activities = await activitiesStartingBetween(now.toISOString(), until, 1000);
  let sent = 0;
  let suppressed = 0;
  for (const activity of activities) {
    if (activity.status !== 'scheduled') continue;
    const offsets = offsetsByKind.get(activity.kind) ?? [];
    const due: Array<{ rsvp: Rsvp; offset: number }> = [];
    for (const rsvp of await listRsvps(activity.activityId)) {
      if (rsvp.status !== 'accepted' || !rsvp.acceptedAt || rsvp.email === erased) continue;
      const decision = dueReminder(offsets, activity.startsAt, rsvp.acceptedAt, now);
      for (const offset of decision.settle) {
        await settleMarker(activity.activityId, reminderMarker(rsvp.rsvpId, activity.startsAt, offset));
      }
      if (decision.send !== undefined) due.push({ rsvp, offset: decision.send });
    }
    // One look-up per activity for everyone due a reminder now.
    const blocked =
      due.length > 0 ? await suppressedAddresses(due.map(({ rsvp }) => rsvp.email)) : new Set<string>();
    for (const { rsvp, offset } of due) {
      if (blocked.has(normaliseEmail(rsvp.email))) {
        await settleMarker(activity.activityId, reminderMarker(rsvp.rsvpId, activity.startsAt, offset));
        suppressed++;
      } else if (await remind(activity, rsvp, offset, now)) sent++;
    }
  }
  logger.info('reminder run finished', { sent, suppressed, activities: activities.length });
  return { sent, suppressed };
});

async function remind(activity: Activity, rsvp: Rsvp, offset: number, now: Date): Promise<boolean> {
  const { activityId, kind, network, startsAt } = activity;
  return sendOnce(
    activityId,
    reminderMarker(rsvp.rsvpId, activity.startsAt, offset),
    leaseSeconds,
    async () => {
      const { links, headers } = await memberExtras(rsvp.memberId);
      const cancelUrl = await manageUrl(activity.activityId, rsvp.rsvpId);
      const email = reminderEmail(activity, rsvp.name, offset, cancelUrl, links);
      await sendEmail({ to: rsvp.email, email, headers, tags: { kind: 'reminder' } });
    },
    announce('activities', [
      {
        detailType: 'ReminderSent',
        detail: {
          activityId,
          kind,
          network,
          startsAt,
          rsvpId: rsvp.rsvpId,
          offsetHours: offset,
          occurredAt: now.toISOString(),
        },
      },
    ]),
  );
}
