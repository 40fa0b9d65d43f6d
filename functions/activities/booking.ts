/** Booking a place and telling the bus, shared by the e-mail link and the member-token paths. */
import { deterministicUuid } from '../../shared/ids';
import { publish } from '../../shared/publish';
import { type BookingOutcome, book, cancelBooking, type Rsvp } from './activity-store';
import type { Activity } from './domain/activity';
import { rsvpIdFor } from './domain/rsvp';

export async function bookAndAnnounce(
  activity: Activity,
  person: { email: string; name: string; memberId?: string },
  correlationId: string,
): Promise<BookingOutcome> {
  const rsvpId = rsvpIdFor(activity.activityId, person.email);
  const outcome = await book(activity, { rsvpId, ...person }, new Date().toISOString());
  // The booking's first answer is announced with an id derived from the booking itself, and announced
  // again when the person asks again: if an earlier request stored the booking but died before it
  // published, this publishes it; otherwise consumers see a duplicate and ignore it.
  const { rsvp } = outcome;
  const firstAnswer =
    rsvp.waitlistedAt === rsvp.arrival
      ? 'waitlisted'
      : rsvp.acceptedAt === rsvp.arrival
        ? 'accepted'
        : undefined;
  if (firstAnswer) {
    const { activityId, kind, network, startsAt } = activity;
    await publish(
      [
        {
          detailType: firstAnswer === 'accepted' ? 'RsvpAccepted' : 'RsvpWaitlisted',
          detail: {
            eventId: deterministicUuid('booking', activityId, rsvpId, rsvp.arrival, firstAnswer),
            occurredAt: rsvp.arrival,
            activityId,
            kind,
            network,
            startsAt,
            rsvpId,
          },
        },
      ],
      correlationId,
    );
  }
  return outcome;
}

export const bookingAnswer = (activity: Activity, outcome: BookingOutcome) => ({
  status: outcome.status,
  activityId: activity.activityId,
  message:
    outcome.status === 'accepted'
      ? 'You have a place. A confirmation with a calendar invite is on its way by e-mail.'
      : 'The activity is full, so you are on the waitlist. We will e-mail you if a place opens up.',
});

/** Cancels a booking or waitlist place and tells the bus (the waitlist promotion follows from it). */
export async function cancelAndAnnounce(
  activity: Activity,
  rsvpId: string,
  correlationId?: string,
): Promise<Rsvp | undefined> {
  const now = new Date().toISOString();
  const cancelled = await cancelBooking(activity.activityId, rsvpId, now);
  if (cancelled && cancelled.status !== 'cancelled') {
    const { activityId, kind, network, startsAt } = activity;
    await publish(
      [
        {
          detailType: 'RsvpCancelled',
          detail: {
            activityId,
            kind,
            network,
            startsAt,
            rsvpId,
            previousStatus: cancelled.status,
            occurredAt: now,
          },
        },
      ],
      correlationId,
    );
  }
  return cancelled;
}
