/** The words of each member e-mail. Pure: user text goes in as data and is escaped by the renderer. */
import { config, publicBaseUrl } from '../../shared/config';
import { type RenderedEmail, renderEmail } from '../../shared/email/render';
import { footerLinksFor, type MemberLinks } from '../../shared/member-links';
import type { MemberProfile } from './member-store';

export const confirmUrl = (token: string) =>
  `${publicBaseUrl()}/api/members/confirm?token=${encodeURIComponent(token)}`;

export function confirmationEmail(member: Pick<MemberProfile, 'name'>, token: string): RenderedEmail {
  return renderEmail({
    subject: `Please confirm your registration with the ${config.alliance.name}`,
    paragraphs: [
      `Dear ${member.name},`,
      `Thank you for registering with the ${config.alliance.name}. Please confirm that this is your e-mail address. Until you do, we will not send you anything else.`,
      `The link works for ${config.limits.confirmTokenHours} hours. If you did not register, you can ignore this e-mail and we will delete the registration.`,
    ],
    action: { label: 'Confirm my registration', url: confirmUrl(token) },
  });
}

export function alreadyMemberEmail(member: Pick<MemberProfile, 'name'>, links: MemberLinks): RenderedEmail {
  return renderEmail({
    subject: `You are already registered with the ${config.alliance.name}`,
    paragraphs: [
      `Dear ${member.name},`,
      `Someone (we hope you) just tried to register this e-mail address with the ${config.alliance.name}. You are already a member, so there is nothing more to do.`,
      'If you wanted to change your networks, interests or e-mail updates, you can do that from your preferences.',
      'If this was not you, you can ignore this e-mail: nothing about your membership has changed.',
    ],
    action: { label: 'Manage my preferences', url: links.preferencesUrl },
    footerLinks: footerLinksFor(links),
  });
}

export function preferencesLinkEmail(member: Pick<MemberProfile, 'name'>, links: MemberLinks): RenderedEmail {
  return renderEmail({
    subject: `Your link to manage your ${config.alliance.shortName} membership`,
    paragraphs: [
      `Dear ${member.name},`,
      'You asked for a fresh link to manage your membership: your networks, interests and e-mail updates, a copy of your data, or deleting it.',
      'If you did not ask for it, you can ignore this e-mail.',
    ],
    action: { label: 'Manage my preferences', url: links.preferencesUrl },
    footerLinks: footerLinksFor(links),
  });
}

export function welcomeEmail(
  member: Pick<MemberProfile, 'name' | 'networks'>,
  links: MemberLinks,
): RenderedEmail {
  const networkNames = config.networks
    .filter((network) => member.networks.includes(network.id))
    .map((network) => network.name);
  return renderEmail({
    subject: `Welcome to the ${config.alliance.name}`,
    paragraphs: [
      `Dear ${member.name},`,
      `Your registration is confirmed. Welcome to the ${config.alliance.name}, convened by the ${config.alliance.convenor}.`,
      networkNames.length > 0
        ? `You joined: ${networkNames.join(', ')}.`
        : 'You can join our networks at any time.',
      'We meet several times a year, run thematic workshops and working groups, and send regular updates. You will hear from us about the activities that match your interests.',
      'You can change your networks, interests and e-mail updates, download your data or delete it at any time from your preferences.',
    ],
    action: { label: 'Manage my preferences', url: links.preferencesUrl },
    footerLinks: footerLinksFor(links),
  });
}
