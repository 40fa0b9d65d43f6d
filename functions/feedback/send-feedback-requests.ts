import { config } from '../../shared/config';
import { sendEmail } from '../../shared/email/send';
import { logger } from '../../shared/logger';
import { announce } from '../../shared/outbox';
import { scheduled } from '../../shared/schedule';
import { issueToken } from '../../shared/tokens';
import { activitiesStartingBetween, erased, itemsUnder } from '../activities/activity-store';
import { memberExtras } from '../activities/booking-mail';
import type { Activity } from '../activities/domain/activity';
import { sendOnce, settleMarker } from '../activities/marker-store';
import { normaliseEmail } from '../members/domain/registration';
import { suppressedAddresses } from '../members/suppression-store';
import { asksForFeedback, feedbackMarker, feedbackSearchWindow, requestDecision } from './domain/feedback';
import { feedbackRequestEmail } from './feedback-email';
import { type AttendanceItem, listAttendance } from './feedback-store';

const { maxAgeDays, linkDays } = config.feedback;

/** A claim on one request lasts this long: far longer than one send, far shorter than the hourly run. */
const leaseSeconds = 5 * 60;

/**
 * Asks each recorded attendee of an activity that has ended (as of the schedule's time, not the
 * wall clock) for a rating, once: a marker per (activity, attendee) is claimed with a lease before
 * the send and marked sent with its FeedbackRequested event in one transaction after; a failed
 * send gives the claim back, and a run that died in between leaves a claim that lapses. So runs
 * that repeat, overlap or come late ask nobody twice. Cancelled activities, activities that ended
 * more than `feedback.maxAgeDays` ago, erased people and suppressed addresses get nothing.
 */
export const handler = scheduled(async (now): Promise<{ sent: number; skipped: number }> => {
  const window = feedbackSearchWindow(now, maxAgeDays);
  const activities = (await activitiesStartingBetween(window.from, window.to, 10_000)).filter((activity) =>
    asksForFeedback(activity, now, maxAgeDays),
  );
  let sent = 0;
  let skipped = 0;
  for (const activity of activities) {
    const [attendees, markers] = await Promise.all([
      listAttendance(activity.activityId),
      itemsUnder<{ sk: string; state?: string }>(activity.activityId, feedbackMarker('')),
    ]);
    const markerStates = new Map(markers.map((marker) => [marker.sk, marker.state]));
    const open = attendees.filter(
      (attendee) => markerStates.get(feedbackMarker(attendee.personKey)) !== 'sent',
    );
    // One look-up per activity for everyone not yet asked.
    const live = open.filter((attendee) => attendee.email !== erased);
    const blocked = live.length > 0 ? await suppressedAddresses(live.map(({ email }) => email)) : new Set();
    for (const attendee of open) {
      const marker = feedbackMarker(attendee.personKey);
      const decision = requestDecision(
        attendee,
        markerStates.get(marker),
        blocked.has(normaliseEmail(attendee.email)),
        erased,
      );
      if (decision === 'send' && (await ask(activity, attendee, now))) sent++;
      else skipped++;
      if (decision === 'suppressed') await settleMarker(activity.activityId, marker);
    }
  }
  logger.info('feedback request run finished', { sent, skipped, activities: activities.length });
  return { sent, skipped };
});

async function ask(activity: Activity, attendee: AttendanceItem, now: Date): Promise<boolean> {
  const { activityId, kind, network, startsAt } = activity;
  return sendOnce(
    activityId,
    feedbackMarker(attendee.personKey),
    leaseSeconds,
    async () => {
      const { links, headers } = await memberExtras(attendee.memberId);
      const token = await issueToken('feedback', activityId, linkDays * 86_400, { a: attendee.personKey });
      const email = feedbackRequestEmail(activity, attendee.name, token, links);
      await sendEmail({ to: attendee.email, email, headers, tags: { kind: 'feedback' } });
    },
    announce('activities', [
      {
        detailType: 'FeedbackRequested',
        detail: {
          activityId,
          kind,
          network,
          startsAt,
          attendeeKey: attendee.personKey,
          occurredAt: now.toISOString(),
        },
      },
    ]),
  );
}
