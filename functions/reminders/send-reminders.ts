import { config } from '../../shared/config';
import { sendEmail } from '../../shared/email/send';
import { logger } from '../../shared/logger';
import { listUnsubscribeHeaders, memberLinks } from '../../shared/member-links';
import { publish } from '../../shared/publish';
import { scheduledTime } from '../../shared/schedule';
import { issueToken } from '../../shared/tokens';
import { reminderEmail, rsvpLinkUrl } from '../activities/activity-emails';
import {
  activitiesStartingBetween,
  claimReminder,
  listRsvps,
  releaseReminder,
} from '../activities/activity-store';
import { rsvpSubject } from '../activities/domain/rsvp';
import { dueReminder, lookaheadHours } from './domain/due-reminders';

const offsetsByKind = new Map(config.activityKinds.map((kind) => [kind.id, kind.reminderOffsetsHours]));
const lookahead = lookaheadHours([...offsetsByKind.values()]);

/**
 * Sends the reminders due as of the schedule's time (not the wall clock, so a late or repeated run
 * behaves the same). Exactly one per (booking, activity start, offset): a marker is taken before
 * sending, and released if the send fails so the next run tries again.
 */
export const handler = async (raw: unknown): Promise<{ sent: number }> => {
  const now = scheduledTime(raw);
  const activities = await activitiesStartingBetween(
    now.toISOString(),
    new Date(now.getTime() + lookahead * 3_600_000).toISOString(),
    1000,
  );
  let sent = 0;
  for (const activity of activities) {
    if (activity.status !== 'scheduled') continue;
    const offsets = offsetsByKind.get(activity.kind) ?? [];
    for (const rsvp of await listRsvps(activity.activityId)) {
      if (rsvp.status !== 'accepted' || !rsvp.acceptedAt) continue;
      const decision = dueReminder(offsets, activity.startsAt, rsvp.acceptedAt, now);
      for (const offset of decision.settle)
        await claimReminder(activity.activityId, rsvp.rsvpId, activity.startsAt, offset, 'settled');
      if (decision.send === undefined) continue;
      const offset = decision.send;
      if (!(await claimReminder(activity.activityId, rsvp.rsvpId, activity.startsAt, offset, 'sending')))
        continue;
      try {
        const links = rsvp.memberId ? await memberLinks(rsvp.memberId) : undefined;
        const cancelUrl = rsvpLinkUrl(
          'cancel',
          await issueToken('rsvp-manage', rsvpSubject(activity.activityId, rsvp.email)),
        );
        await sendEmail({
          to: rsvp.email,
          email: reminderEmail(activity, rsvp.name, offset, cancelUrl, links),
          headers: links ? listUnsubscribeHeaders(links) : {},
          tags: { kind: 'reminder' },
        });
      } catch (error) {
        await releaseReminder(activity.activityId, rsvp.rsvpId, activity.startsAt, offset);
        throw error;
      }
      sent++;
      const { activityId, kind, network, startsAt } = activity;
      await publish([
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
      ]);
    }
  }
  logger.info('reminder run finished', { sent, activities: activities.length });
  return { sent };
};
