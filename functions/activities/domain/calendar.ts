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

/*
 * What people type reaches the invite as text, so control characters are removed before
 * ical-generator sees it: a client chokes on a raw one (RFC 5545 allows none but the line ends).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const controlRun = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const controlsButLineBreaks = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One-line text (SUMMARY, LOCATION, a name): any run of control characters becomes one space. */
const calendarLine = (value: string): string => value.replace(controlRun, ' ').trim();

/** DESCRIPTION: line breaks stay (ical-generator writes them as \n), tabs become spaces, others go. */
const calendarText = (value: string): string =>
  value
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(controlsButLineBreaks, '');

/**
 * A CN parameter value, RFC 6868: a parameter cannot hold a double quote or a line break, so
 * ^ is written ^^ and " is written ^'. (ical-generator would write \", which ends the quoted value.)
 * A backslash is still doubled by ical-generator; that only shows, it does not break the line.
 */
const parameterText = (value: string): string => calendarLine(value).replace(/\^/g, '^^').replace(/"/g, "^'");

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
      .map((part) => calendarLine(String(part)))
      .join(' / ') || undefined;
  const cancelled = options.method === 'CANCEL' || activity.status === 'cancelled';
  calendar.createEvent({
    id: calendarUid(activity.activityId),
    sequence: activity.sequence,
    start: new Date(activity.startsAt),
    end: new Date(activity.endsAt),
    summary: calendarLine(activity.title),
    description: [
      calendarText(activity.description),
      options.includeOnlineLink && activity.onlineUrl ? `Join online: ${activity.onlineUrl}` : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
    location,
    url: options.includeOnlineLink ? (activity.onlineUrl ?? undefined) : undefined,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: parameterText(config.sender.name), email: config.sender.address },
    attendees: options.attendee
      ? [
          {
            email: options.attendee.email,
            name: options.attendee.name ? parameterText(options.attendee.name) || undefined : undefined,
            rsvp: false,
          },
        ]
      : [],
    stamp: new Date(activity.updatedAt),
    lastModified: new Date(activity.updatedAt),
  });
  // RFC 5545 ends every content line with CRLF, END:VCALENDAR too; ical-generator leaves the last one off.
  return `${calendar.toString()}\r\n`;
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
