/**
 * The hosted pages whose views are counted (`POST /api/track/pageview`), by path. Declared once:
 * the beacon's page must be one of these (so the counters cannot be filled with made-up pages), the
 * exports list them as the values of the `page` dimension, and a test checks every page under web/
 * that sends a beacon is here.
 */
export const sitePages = {
  '/': 'Registration form',
  '/activities.html': 'Activities',
  '/preferences.html': 'Preferences',
  '/privacy.html': 'Privacy notice',
  '/api-reference.html': 'API reference',
} as const;

export type SitePage = keyof typeof sitePages;

/** The counted page for a path a browser reports (`/index.html` is the form at `/`), if any. */
export function sitePageOf(path: string): SitePage | undefined {
  const page = path === '/index.html' ? '/' : path;
  return Object.hasOwn(sitePages, page) ? (page as SitePage) : undefined;
}
