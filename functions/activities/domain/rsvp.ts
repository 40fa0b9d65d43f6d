/** Booking rules. Pure: no AWS. */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { keyedLabel } from '../../../shared/ids';
import { optionalPersonName } from '../../../shared/text-fields';
import { emailSchema, normaliseEmail } from '../../members/domain/registration';

/**
 * One booking per person per activity: its id is derived from both, so a repeat finds the same one.
 * An HMAC under the pseudonym key (`key`), so nobody who only knows an address can find its bookings.
 */
export const rsvpIdWith = (key: Uint8Array, activityId: string, email: string): string =>
  keyedLabel(key, 'rsvp', `${activityId}\n${normaliseEmail(email)}`);

/** A one-way key for a person, for distinct counts (unique attendees) and for finding their bookings
 * at erasure and in their data download, without holding addresses. Keyed like `rsvpIdWith`. */
export const personKeyWith = (key: Uint8Array, email: string): string =>
  keyedLabel(key, 'person', normaliseEmail(email));

/**
 * The id bookings had before ids were keyed (plain SHA-256 of activity and address). Only cancel
 * links e-mailed before the change still name a booking this way; nothing new is stored under it.
 */
export const legacyRsvpId = (activityId: string, email: string): string =>
  createHash('sha256')
    .update(`${activityId}\n${normaliseEmail(email)}`)
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

/**
 * What an RSVP link names: the activity and the booking (or pending request) id, never the person.
 * The confirm link's name and address wait in the request item; the cancel link's in the booking.
 */
export const rsvpSubject = (activityId: string, rsvpId: string) => `${activityId}|${rsvpId}`;

export type RsvpSubject = { activityId: string; rsvpId: string } | { activityId: string; email: string };

/** Parses a link's subject; links e-mailed before the change carry the address (`legacy`). */
export const parseRsvpSubject = (subject: string): RsvpSubject | undefined => {
  const [activityId, second, ...rest] = subject.split('|');
  if (!activityId || !second || rest.length > 0) return undefined;
  if (/^[0-9a-f]{32}$/.test(second)) return { activityId, rsvpId: second };
  return second.includes('@') ? { activityId, email: second } : undefined;
};
