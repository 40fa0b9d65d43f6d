/** The links every e-mail to a member carries: manage preferences, and unsubscribe (RFC 8058). */
import { config, publicBaseUrl } from './config';
import { issueToken } from './tokens';

export interface MemberLinks {
  preferencesUrl: string;
  unsubscribeUrl: string;
}

export async function memberLinks(memberId: string): Promise<MemberLinks> {
  const [preferences, unsubscribe] = await Promise.all([
    issueToken('preferences', memberId, config.limits.preferencesTokenDays * 24 * 3600),
    // Unsubscribe links never expire: an old e-mail's link must always work.
    issueToken('unsubscribe', memberId),
  ]);
  return {
    preferencesUrl: `${publicBaseUrl()}/preferences.html?token=${encodeURIComponent(preferences)}`,
    unsubscribeUrl: `${publicBaseUrl()}/api/unsubscribe?token=${encodeURIComponent(unsubscribe)}`,
  };
}

export const footerLinksFor = (links: MemberLinks) => [
  { label: 'Manage your preferences', url: links.preferencesUrl },
  { label: 'Unsubscribe', url: links.unsubscribeUrl },
];

/** RFC 8058 one-click unsubscribe: mailbox providers POST `List-Unsubscribe=One-Click` to the URL. */
export const listUnsubscribeHeaders = (links: MemberLinks): Record<string, string> => ({
  'List-Unsubscribe': `<${links.unsubscribeUrl}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});
