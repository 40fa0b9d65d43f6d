/** Booking rules. Pure: no AWS. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { optionalPersonName } from '../../../shared/text-fields';
import { emailSchema, normaliseEmail } from '../../members/domain/registration';

/** One booking per person per activity: its id is derived from both, so a repeat finds the same one. */
export const rsvpIdFor = (activityId: string, email: string): string =>
  createHash('sha256')
    .update(`${activityId}\n${normaliseEmail(email)}`)
    .digest('hex')
    .slice(0, 32);

/** A one-way key for a person, for distinct counts (unique attendees) without holding addresses. */
export const personKey = (email: string): string =>
  createHash('sha256')
    .update(`person\n${normaliseEmail(email)}`)
    .digest('hex')
    .slice(0, 32);

const personName = optionalPersonName('the name', 200);

/** POST /api/activities/{id}/rsvps: by address (a link confirms it) or at once with a member token. */
export const rsvpRequestSchema = z.union(
  [
    z.object({ email: emailSchema, name: personName.optional() }).strict(),
    z.object({ memberToken: z.string().min(10).max(4096) }).strict(),
  ],
  { error: 'Send { "email": "...", "name": "..." }, or { "memberToken": "..." }' },
);

export type RsvpStatus = 'accepted' | 'waitlisted' | 'cancelled';

export const attendanceSchema = z
  .object({
    attendees: z
      .array(z.object({ email: emailSchema, name: personName.optional() }).strict(), {
        error: 'attendees must be a list of { email, name }',
      })
      .min(1, 'Send at least one attendee')
      .max(1000, 'Send at most 1000 attendees per call'),
  })
  .strict();

/** The RSVP token carries the activity and the person, so confirming needs nothing else. */
export const rsvpSubject = (activityId: string, email: string) => `${activityId}|${normaliseEmail(email)}`;
export const parseRsvpSubject = (subject: string): { activityId: string; email: string } | undefined => {
  const [activityId, email, ...rest] = subject.split('|');
  if (!activityId || !email || rest.length > 0) return undefined;
  return { activityId, email };
};
