/**
 * The rules of the web-view beacon (`POST /api/track/pageview`): which page a beacon names, which
 * requests are not a person viewing a page (bots, prefetches, other sites), and how many views one
 * address may have counted in an hour. Pure: nothing here stores or logs an address or user agent.
 */
import { isbot } from 'isbot';
import * as z from 'zod';
import { Invalid } from '../../../shared/errors';
import { zodProblems } from '../../../shared/http/validation';
import { type SitePage, sitePageOf } from '../../../shared/site-pages';

/**
 * Views counted per address and hour, as many as an RSVP allowance. A person reads a handful of
 * these few pages; this leaves room for an office or campus behind one address, and past it views
 * are dropped (a 429 the beacon ignores) rather than letting one address fill the counters.
 */
export const pageViewsPerIpPerHour = 60;

export const pageViewSchema = z.object({
  /** The path as the browser reports it (`location.pathname`): no query string, no origin. */
  page: z.string().min(1).max(200),
});

/**
 * The counted page a beacon body names. The body is JSON whatever type the browser gave it:
 * `sendBeacon` of a Blob says application/json, of a string text/plain.
 */
export function pageViewedIn(rawBody: string): SitePage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new Invalid(rawBody === '' ? 'The request body is empty.' : 'The request body is not valid JSON.');
  }
  const result = pageViewSchema.safeParse(parsed);
  if (!result.success) throw new Invalid('Some fields need attention.', zodProblems(result.error));
  const page = sitePageOf(result.data.page);
  if (!page) {
    throw new Invalid('Some fields need attention.', [
      { field: 'page', message: 'not one of the hosted pages' },
    ]);
  }
  return page;
}

export type SkipReason = 'bot' | 'prefetch' | 'cross-site';

/** Headers as API Gateway's payload v2.0 gives them: names in lower case. */
export type RequestHeaders = Record<string, string | undefined>;

const listed = (value: string | undefined, token: string) =>
  (value ?? '')
    .toLowerCase()
    .split(/[;,]/)
    .some((part) => part.trim() === token);

/**
 * A speculative load, not a view: Chromium's `Sec-Purpose: prefetch` (also `prefetch;prerender`),
 * the older `Purpose: prefetch`, Firefox's `X-Moz: prefetch` and Safari's `X-Purpose: preview`.
 * (A prerendered page that is later shown sends its beacon then: see web/beacon.js.)
 */
export function isPrefetch(headers: RequestHeaders): boolean {
  return (
    listed(headers['sec-purpose'], 'prefetch') ||
    listed(headers.purpose, 'prefetch') ||
    listed(headers['x-moz'], 'prefetch') ||
    listed(headers['x-purpose'], 'preview') ||
    listed(headers['x-purpose'], 'prefetch')
  );
}

/**
 * An obvious bot: a user agent that isbot's maintained list knows (crawlers, link checkers, HTTP
 * libraries, headless browsers), or none at all (every browser sends one).
 */
export function isObviousBot(userAgent: string | undefined): boolean {
  const agent = (userAgent ?? '').trim();
  return agent === '' || isbot(agent);
}

/**
 * A browser says where a request comes from (`Sec-Fetch-Site`); a beacon from another site's page
 * is not a view of ours (a text/plain beacon needs no CORS preflight, so any page could send one).
 * Clients that do not send the header (older browsers, scripts) are judged by the other rules.
 */
export const isCrossSite = (headers: RequestHeaders): boolean => {
  const site = headers['sec-fetch-site']?.toLowerCase();
  return site !== undefined && site !== 'same-origin';
};

/** Why this request is not counted as a view, or undefined when it is one. */
export function skipReason(headers: RequestHeaders): SkipReason | undefined {
  if (isPrefetch(headers)) return 'prefetch';
  if (isObviousBot(headers['user-agent'])) return 'bot';
  if (isCrossSite(headers)) return 'cross-site';
  return undefined;
}
