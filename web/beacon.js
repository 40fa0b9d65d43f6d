/**
 * The view beacon of the hosted pages (each counted page loads this module; 404.html does not). One
 * POST /api/track/pageview per page load, carrying the path only: never the query string (a
 * preferences link carries the member's token there), no cookie, nothing stored in the browser.
 *
 * Someone who asked not to be tracked (Do Not Track, Global Privacy Control) sends nothing: the
 * count is anonymous, but this request exists only to measure, so it is theirs to refuse. A page
 * the browser prerenders counts when it is shown, not when it is fetched.
 */

const optedOut = navigator.doNotTrack === '1' || navigator.globalPrivacyControl === true;

function sendView() {
  const body = new Blob([JSON.stringify({ page: location.pathname })], { type: 'application/json' });
  navigator.sendBeacon('/api/track/pageview', body);
}

if (!optedOut && typeof navigator.sendBeacon === 'function') {
  if (document.prerendering) {
    document.addEventListener('prerenderingchange', sendView, { once: true });
  } else {
    sendView();
  }
}
