/** The words of every booking e-mail. User text goes in as data; the renderer escapes it. */
import { config, publicBaseUrl } from '../../shared/config';
import { type RenderedEmail, renderEmail } from '../../shared/email/render';
import { footerLinksFor, type MemberLinks } from '../../shared/member-links';
import { type Activity, displayTime } from './domain/activity';

const when = (activity: Activity) =>
  `When: ${displayTime(activity.startsAt)} to ${displayTime(activity.endsAt)}.`;
const where = (activity: Activity, withLink: boolean) =>
  [
    activity.venue ? `Where: ${activity.venue}.` : '',
    activity.onlineUrl
      ? withLink
        ? `Join online: ${activity.onlineUrl}`
        : 'Online: the joining link comes when you have a place.'
      : '',
  ]
    .filter(Boolean)
    .join(' ');
const greeting = (name: string) => (name ? `Dear ${name},` : 'Hello,');
const footer = (links?: MemberLinks) => (links ? footerLinksFor(links) : undefined);

export const rsvpLinkUrl = (path: 'confirm' | 'cancel', token: string) =>
  `${publicBaseUrl()}/api/rsvps/${path}?token=${encodeURIComponent(token)}`;

export function rsvpRequestEmail(activity: Activity, name: string, confirmUrl: string): RenderedEmail {
  return renderEmail({
    subject: `Confirm your place: ${activity.title}`,
    paragraphs: [
      greeting(name),
      `Someone (we hope you) asked to book a place at ${activity.title}.`,
      when(activity),
      where(activity, false),
      'Follow the link to book. If you did not ask, ignore this e-mail and nothing is booked.',
    ],
    action: { label: 'Book my place', url: confirmUrl },
  });
}

export function acceptedEmail(
  activity: Activity,
  name: string,
  cancelUrl: string,
  links?: MemberLinks,
  promoted = false,
): RenderedEmail {
  return renderEmail({
    subject: promoted
      ? `A place opened up: you are booked for ${activity.title}`
      : `You are booked: ${activity.title}`,
    paragraphs: [
      greeting(name),
      promoted
        ? `Good news: a place opened up at ${activity.title} and it is yours. The calendar invite is attached.`
        : `Your place at ${activity.title} is confirmed. The calendar invite is attached.`,
      when(activity),
      where(activity, true),
      'If you can no longer come, please cancel so that someone on the waitlist can have your place.',
    ],
    action: { label: 'Cancel my place', url: cancelUrl },
    footerLinks: footer(links),
  });
}

export function waitlistedEmail(
  activity: Activity,
  name: string,
  leaveUrl: string,
  links?: MemberLinks,
): RenderedEmail {
  return renderEmail({
    subject: `You are on the waitlist: ${activity.title}`,
    paragraphs: [
      greeting(name),
      `${activity.title} is full, so you are on the waitlist, in the order people asked. If a place opens up, it is booked for you and we e-mail you the details.`,
      when(activity),
    ],
    action: { label: 'Leave the waitlist', url: leaveUrl },
    footerLinks: footer(links),
  });
}

export function bookingCancelledEmail(activity: Activity, name: string, links?: MemberLinks): RenderedEmail {
  return renderEmail({
    subject: `Booking cancelled: ${activity.title}`,
    paragraphs: [
      greeting(name),
      `Your booking for ${activity.title} (${displayTime(activity.startsAt)}) is cancelled. Thank you for letting us know.`,
    ],
    action: { label: 'See other activities', url: `${publicBaseUrl()}/activities.html` },
    footerLinks: footer(links),
  });
}

export function rescheduledEmail(
  activity: Activity,
  name: string,
  previousStartsAt: string,
  cancelUrl: string,
  links?: MemberLinks,
): RenderedEmail {
  return renderEmail({
    subject: `Changed: ${activity.title}`,
    paragraphs: [
      greeting(name),
      `${activity.title} has changed${previousStartsAt !== activity.startsAt ? ` (it was ${displayTime(previousStartsAt)})` : ''}. The updated calendar invite is attached.`,
      when(activity),
      where(activity, true),
    ],
    action: { label: 'I can no longer come', url: cancelUrl },
    footerLinks: footer(links),
  });
}

export function activityCancelledEmail(activity: Activity, name: string, links?: MemberLinks): RenderedEmail {
  return renderEmail({
    subject: `Cancelled: ${activity.title}`,
    paragraphs: [
      greeting(name),
      `We are sorry: ${activity.title} on ${displayTime(activity.startsAt)} has been cancelled. There are no further reminders for it.`,
    ],
    action: { label: 'See other activities', url: `${publicBaseUrl()}/activities.html` },
    footerLinks: footer(links),
  });
}

export function reminderEmail(
  activity: Activity,
  name: string,
  offsetHours: number,
  cancelUrl: string,
  links?: MemberLinks,
): RenderedEmail {
  const ahead =
    offsetHours % 24 === 0
      ? `${offsetHours / 24} day${offsetHours === 24 ? '' : 's'}`
      : `${offsetHours} hours`;
  return renderEmail({
    subject: `Reminder: ${activity.title} in ${ahead}`,
    paragraphs: [
      greeting(name),
      `A reminder that ${activity.title} is in ${ahead}.`,
      when(activity),
      where(activity, true),
      `See you there. ${config.alliance.name}`,
    ],
    action: { label: 'I can no longer come', url: cancelUrl },
    footerLinks: footer(links),
  });
}
