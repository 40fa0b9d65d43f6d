/** iCalendar invites: REQUEST with a SEQUENCE that grows on every change, CANCEL when called off. */
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { config } from '../../../shared/config';
import type { Activity } from './activity';

export interface InviteOptions {
  method: 'REQUEST' | 'CANCEL' | 'PUBLISH';
  /** The attendee, for REQUEST and CANCEL. */
  attendee?: { email: string; name?: string };
  /** Whether the online link may go in (only for accepted attendees). */
  includeOnlineLink: boolean;
}

export const calendarUid = (activityId: string) => `${activityId}@alliance`;

export function calendarInvite(activity: Activity, options: InviteOptions): string {
  const calendar = ical({
    prodId: { company: config.alliance.shortName, product: 'alliance-backend', language: 'EN' },
    name: config.alliance.name,
    method: ICalCalendarMethod[options.method],
  });
  const location =
    [
      activity.venue,
      options.includeOnlineLink
        ? activity.onlineUrl
        : activity.onlineUrl
          ? 'Online (link sent to booked attendees)'
          : null,
    ]
      .filter(Boolean)
      .join(' / ') || undefined;
  const cancelled = options.method === 'CANCEL' || activity.status === 'cancelled';
  calendar.createEvent({
    id: calendarUid(activity.activityId),
    sequence: activity.sequence,
    start: new Date(activity.startsAt),
    end: new Date(activity.endsAt),
    summary: activity.title,
    description: [
      activity.description,
      options.includeOnlineLink && activity.onlineUrl ? `Join online: ${activity.onlineUrl}` : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
    location,
    url: options.includeOnlineLink ? (activity.onlineUrl ?? undefined) : undefined,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: config.sender.name, email: config.sender.address },
    attendees: options.attendee
      ? [{ email: options.attendee.email, name: options.attendee.name, rsvp: false }]
      : [],
    stamp: new Date(activity.updatedAt),
    lastModified: new Date(activity.updatedAt),
  });
  return calendar.toString();
}

/** The invite as an e-mail attachment for one booking: REQUEST (with the online link) or CANCEL. */
export function inviteAttachment(
  activity: Activity,
  method: 'REQUEST' | 'CANCEL',
  person: { email: string; name: string },
) {
  return {
    filename: method === 'CANCEL' ? 'cancel.ics' : 'invite.ics',
    contentType: `text/calendar; method=${method}; charset=UTF-8`,
    content: calendarInvite(activity, {
      method,
      attendee: { email: person.email, name: person.name || undefined },
      includeOnlineLink: method === 'REQUEST',
    }),
  };
}
