/**
 * The response headers of the hosted pages (web/), declared once: the local gateway sends them on
 * every static file and the CloudFront response-headers policy of the distribution's default
 * behaviour is built from them, so what is tested locally is what the cloud serves.
 *
 * The pages load only their own scripts and stylesheet, call only `/api/` on the same origin (and,
 * in the cloud, the console's Cognito sign-in), and show a logo from any https URL the branding
 * names (and a `data:` favicon).
 */
/**
 * The pages' Content-Security-Policy. `connectSources` are origins the pages may also `fetch` from:
 * in the cloud, the console's sign-in (Cognito's discovery document and token endpoint); locally
 * there are none (the stand-in sign-in is on the gateway's own origin).
 */
export const pageContentSecurityPolicy = (connectSources: readonly string[] = []): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: data:",
    ["connect-src 'self'", ...connectSources].join(' '),
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

export const sitePageHeaders = {
  'content-security-policy': pageContentSecurityPolicy(),
  'permissions-policy':
    'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;
