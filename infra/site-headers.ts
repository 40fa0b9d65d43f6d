/**
 * The response headers of the hosted pages (web/), declared once: the local gateway sends them on
 * every static file and the CloudFront response-headers policy of the distribution's default
 * behaviour is built from them, so what is tested locally is what the cloud serves.
 *
 * The pages load only their own scripts and stylesheet, call only `/api/` on the same origin, and
 * show a logo from any https URL the branding names (and a `data:` favicon).
 */
export const sitePageHeaders = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'permissions-policy':
    'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;
