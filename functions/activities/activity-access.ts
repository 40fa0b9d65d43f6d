/** Finding the activity a request names, and the person behind an RSVP link. */
import { z } from 'zod';
import { Gone, InvalidLink, NotFound } from '../../shared/errors';
import { verifyTokenClaims } from '../../shared/tokens';
import { normaliseEmail } from '../members/domain/registration';
import { getActivity } from './activity-store';
import type { Activity } from './domain/activity';
import { parseRsvpSubject } from './domain/rsvp';

const activityIdSchema = z.uuid();

export async function activityFromPath(
  pathParameters: Record<string, string | undefined>,
): Promise<Activity> {
  const parsed = activityIdSchema.safeParse(pathParameters.id);
  if (!parsed.success) throw new NotFound('No activity with that id.');
  const activity = await getActivity(parsed.data);
  if (!activity) throw new NotFound('No activity with that id.');
  return activity;
}

/** An activity people may still book: scheduled and not yet started. */
export function assertBookable(activity: Activity, now: Date): void {
  if (activity.status === 'cancelled')
    throw new Gone('activity_cancelled', 'This activity has been cancelled.');
  if (new Date(activity.startsAt).getTime() <= now.getTime()) {
    throw new Gone('activity_started', 'This activity has already started, so it can no longer be booked.');
  }
}

/** The activity, address, and (from the link's claims) name and member an RSVP link stands for. */
export async function rsvpFromToken(purpose: 'rsvp' | 'rsvp-manage', token: string | undefined) {
  const { subject: raw, claims } = await verifyTokenClaims(purpose, token);
  const subject = parseRsvpSubject(raw);
  if (!subject) throw new InvalidLink();
  const activity = await getActivity(subject.activityId);
  if (!activity) throw new Gone('activity_gone', 'This activity no longer exists.');
  return { activity, email: normaliseEmail(subject.email), name: claims.name ?? '', memberId: claims.mid };
}
