/**
 * Honest opens: which SES Open and Click events were a person, and which a machine fetching on their
 * behalf. Pure. Machine opens stay visible in the figures, apart from human ones.
 */

export type Engagement = 'human' | 'machine';

/** An open or a click this soon after delivery is a machine: nobody reads that fast. */
export const prefetchWindowSeconds = 10;
/** More than this many clicks by one recipient within `clickBurstSeconds` is a link scanner. */
export const clickBurstLimit = 3;
export const clickBurstSeconds = 5;

/**
 * Apple Mail Privacy Protection (iOS 15 / macOS 12 on) downloads every remote image through Apple's
 * proxies as soon as the Mail app fetches the message, whether or not anyone reads it, and sends the
 * bare user agent `Mozilla/5.0` (nothing after it; seen since 20 September 2021, reported in
 * ua-parser/uap-core#509). Apple Mail without MPP sends `Mozilla/5.0 (Macintosh; ...) AppleWebKit/...`
 * and stays human, so only the bare string matches.
 */
export const applePrivacyProxyUserAgent = /^\s*Mozilla\/5\.0\s*$/i;

/**
 * Image proxies that fetch for the mailbox rather than for a reader. Yahoo's proxy caches images at
 * delivery. Not listed: Gmail's `GoogleImageProxy`, which fetches when the person opens the message
 * (it then caches, so only a first open shows); most senders count it human, and so do we. A Gmail
 * fetch within seconds of delivery still counts as machine by the timing rule.
 */
export const prefetchingProxyUserAgents: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'Apple Mail Privacy Protection', pattern: applePrivacyProxyUserAgent },
  { name: 'Yahoo Mail proxy', pattern: /YahooMailProxy/i },
];

/**
 * Security gateways and link checkers that fetch images and follow every link in a message before
 * (or instead of) a person, and generic HTTP clients no mail app uses. Matched anywhere in the agent.
 */
export const scannerUserAgents: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'crawler or bot', pattern: /bot\b|bot\/|crawler|spider|slurp/i },
  { name: 'link preview', pattern: /preview|facebookexternalhit|embedly/i },
  { name: 'Barracuda', pattern: /barracuda/i },
  { name: 'Mimecast', pattern: /mimecast/i },
  { name: 'Proofpoint', pattern: /proofpoint/i },
  { name: 'Microsoft Defender / Office 365 Safe Links', pattern: /Microsoft Office Protection|SafeLinks/i },
  { name: 'Cisco / IronPort', pattern: /ironport/i },
  { name: 'Symantec / Broadcom', pattern: /symantec|messagelabs/i },
  { name: 'Trend Micro', pattern: /trend ?micro/i },
  { name: 'Sophos', pattern: /sophos/i },
  { name: 'Forcepoint', pattern: /forcepoint|websense/i },
  { name: 'headless browser', pattern: /HeadlessChrome|PhantomJS|Puppeteer|Playwright/i },
  {
    name: 'HTTP library',
    pattern:
      /^(curl|wget|python-requests|python-urllib|aiohttp|Go-http-client|Java\/|okhttp|axios|node-fetch|undici|libwww-perl|Apache-HttpClient)/i,
  },
];

export type MachineReason =
  | { kind: 'no user agent' }
  | { kind: 'proxy' | 'scanner'; name: string }
  | { kind: 'too soon after delivery' }
  | { kind: 'click burst' };

const matching = (userAgent: string, list: ReadonlyArray<{ name: string; pattern: RegExp }>) =>
  list.find((entry) => entry.pattern.test(userAgent));

/** Why a user agent is a machine's, or undefined for one that looks like a person's mail app. */
export function machineUserAgent(userAgent: string | undefined): MachineReason | undefined {
  const agent = (userAgent ?? '').trim();
  if (agent === '' || agent === '-') return { kind: 'no user agent' };
  const proxy = matching(agent, prefetchingProxyUserAgents);
  if (proxy) return { kind: 'proxy', name: proxy.name };
  const scanner = matching(agent, scannerUserAgents);
  if (scanner) return { kind: 'scanner', name: scanner.name };
  return undefined;
}

/** True when `timestamp` is within the prefetch window after delivery (or, with skewed clocks, before it). */
function tooSoonAfterDelivery(timestamp: string, deliveredAt: string | undefined): boolean {
  if (!deliveredAt) return false;
  const at = Date.parse(timestamp);
  const delivered = Date.parse(deliveredAt);
  if (Number.isNaN(at) || Number.isNaN(delivered)) return false;
  return at - delivered < prefetchWindowSeconds * 1000;
}

/** Why an open was a machine's, or undefined for a human open. */
export function openMachineReason(
  open: { userAgent: string; ipAddress?: string; timestamp: string },
  deliveredAt: string | undefined,
): MachineReason | undefined {
  // The IP address is not used: Apple's relay egress shares ranges with iCloud Private Relay, which
  // people browse through too, so an address alone would turn real readers into machines.
  return (
    machineUserAgent(open.userAgent) ??
    (tooSoonAfterDelivery(open.timestamp, deliveredAt) ? { kind: 'too soon after delivery' } : undefined)
  );
}

export function classifyOpen(
  open: { userAgent: string; ipAddress?: string; timestamp: string },
  deliveredAt: string | undefined,
): Engagement {
  return openMachineReason(open, deliveredAt) ? 'machine' : 'human';
}

/**
 * Why a click was a machine's, or undefined for a human click. `otherClicksWithinSeconds`: how many
 * other clicks by the same recipient fell within `clickBurstSeconds` of this one.
 */
export function clickMachineReason(
  click: { userAgent: string; timestamp: string; link: string },
  context: { deliveredAt?: string; otherClicksWithinSeconds?: number },
): MachineReason | undefined {
  const byAgent = machineUserAgent(click.userAgent);
  if (byAgent) return byAgent;
  if (tooSoonAfterDelivery(click.timestamp, context.deliveredAt)) return { kind: 'too soon after delivery' };
  if ((context.otherClicksWithinSeconds ?? 0) + 1 > clickBurstLimit) return { kind: 'click burst' };
  return undefined;
}

export function classifyClick(
  click: { userAgent: string; timestamp: string; link: string },
  context: { deliveredAt?: string; otherClicksWithinSeconds?: number },
): Engagement {
  return clickMachineReason(click, context) ? 'machine' : 'human';
}
