/** The activity and the attendee a feedback link stands for, refused clearly when neither can rate. */
import * as z from 'zod';
import { Gone, InvalidLink } from '../../shared/errors';
import { verifyTokenClaims } from '../../shared/tokens';
import { erased, getActivity } from '../activities/activity-store';
import type { Activity } from '../activities/domain/activity';
import { type AttendanceItem, getAttendance } from './feedback-store';

const linkSchema = z.object({ activityId: z.uuid(), attendeeKey: z.string().regex(/^[0-9a-f]{32}$/) });

export const cancelledActivity = () =>
  new Gone('activity_cancelled', 'This activity was cancelled, so there is nothing to rate.');
export const erasedAttendee = () =>
  new Gone(
    'attendee_erased',
    'We no longer hold your details, at your request, so we cannot take feedback from this link.',
  );

export async function feedbackFromToken(
  token: string | undefined,
): Promise<{ activity: Activity; attendeeKey: string; attendee: AttendanceItem }> {
  const { subject, claims } = await verifyTokenClaims('feedback', token);
  const link = linkSchema.safeParse({ activityId: subject, attendeeKey: claims.a });
  if (!link.success) throw new InvalidLink();
  const { activityId, attendeeKey } = link.data;
  const [activity, attendee] = await Promise.all([
    getActivity(activityId),
    getAttendance(activityId, attendeeKey),
  ]);
  if (!activity) throw new Gone('activity_gone', 'This activity no longer exists.');
  if (activity.status === 'cancelled') throw cancelledActivity();
  if (!attendee || attendee.email === erased) throw erasedAttendee();
  return { activity, attendeeKey, attendee };
}
