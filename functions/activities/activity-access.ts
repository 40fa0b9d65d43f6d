/** Finding the activity a request names, and the request or booking behind an RSVP link. */
import * as z from 'zod';
import { Gone, InvalidLink, NotFound } from '../../shared/errors';
import { verifyToken } from '../../shared/tokens';
import { normaliseEmail } from '../members/domain/registration';
import { getActivity, type RsvpRequest } from './activity-store';
import type { Activity } from './domain/activity';
import { legacyRsvpId, parseRsvpSubject } from './domain/rsvp';
import { getActivityAndRequest } from './request-store';

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

const requestGone = () =>
  new Gone(
    'rsvp_request_gone',
    'This booking link is no longer valid: the request it confirms has lapsed or was withdrawn. Ask for a place again on the activity page.',
  );

/**
 * The activity and pending request an RSVP link stands for. The link names only the activity and
 * the request id; the name and address are read from the request item, so a request erased (or
 * lapsed) meanwhile books nothing. Links e-mailed before this change (they carried the address) are
 * refused the same way: their requests were stored under ids that are no longer made.
 */
export async function rsvpRequestFromToken(token: string | undefined) {
  const subject = parseRsvpSubject(await verifyToken('rsvp', token));
  if (!subject) throw new InvalidLink();
  if (!('rsvpId' in subject)) {
    if (!(await getActivity(subject.activityId)))
      throw new Gone('activity_gone', 'This activity no longer exists.');
    throw requestGone();
  }
  const { activity, request } = await getActivityAndRequest(subject.activityId, subject.rsvpId);
  if (!activity) throw new Gone('activity_gone', 'This activity no longer exists.');
  if (!request) throw requestGone();
  return { activity, request };
}

/** A request made by a member who has since been erased books nothing (erasure also deletes the
 * request, but it runs behind the bus and a link may be followed in between). */
export function assertRequesterExists(request: RsvpRequest, memberExists: boolean): void {
  if (request.memberId && !memberExists) throw requestGone();
}

/** The activity and booking a cancel link stands for. Links e-mailed before bookings had keyed ids
 * name the address; those find the booking under its old id. */
export async function bookingFromToken(token: string | undefined) {
  const subject = parseRsvpSubject(await verifyToken('rsvp-manage', token));
  if (!subject) throw new InvalidLink();
  const activity = await getActivity(subject.activityId);
  if (!activity) throw new Gone('activity_gone', 'This activity no longer exists.');
  const rsvpId =
    'rsvpId' in subject ? subject.rsvpId : legacyRsvpId(subject.activityId, normaliseEmail(subject.email));
  return { activity, rsvpId };
}
