/** Booking a place and telling the bus, shared by the e-mail link and the member-token paths. */
import { deterministicUuid } from '../../shared/ids';
import { countedBooking } from '../../shared/metrics';
import { announce } from '../../shared/outbox';
import { type BookingOutcome, book, cancelBooking, type Rsvp } from './activity-store';
import type { Activity } from './domain/activity';

const activityFacts = ({ activityId, kind, network, startsAt }: Activity) => ({
  activityId,
  kind,
  network,
  startsAt,
});

/**
 * Books and announces the answer in the same transaction (the outbox): a stored booking always has
 * its RsvpAccepted or RsvpWaitlisted, with an id derived from the booking itself.
 */
export async function bookAndAnnounce(
  activity: Activity,
  person: { rsvpId: string; personKey?: string; email: string; name: string; memberId?: string },
  correlationId: string,
): Promise<BookingOutcome> {
  const { rsvpId } = person;
  return book(activity, person, new Date().toISOString(), (answer) => {
    const status = answer.status === 'accepted' ? 'accepted' : 'waitlisted';
    return announce(
      'activities',
      [
        {
          detailType: status === 'accepted' ? 'RsvpAccepted' : 'RsvpWaitlisted',
          detail: {
            eventId: deterministicUuid('booking', activity.activityId, rsvpId, answer.arrival, status),
            occurredAt: answer.arrival,
            ...activityFacts(activity),
            rsvpId,
          },
        },
      ],
      correlationId,
    );
  }).then(countedBooking);
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
  return cancelBooking(activity.activityId, rsvpId, now, (was) =>
    was.status === 'cancelled'
      ? []
      : announce(
          'activities',
          [
            {
              detailType: 'RsvpCancelled',
              detail: { ...activityFacts(activity), rsvpId, previousStatus: was.status, occurredAt: now },
            },
          ],
          correlationId,
        ),
  );
}
