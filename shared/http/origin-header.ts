/**
 * The header CloudFront adds to every `/api/*` request it forwards, holding the origin secret
 * (shared/http/origin.ts checks it; infra/cdk/site.ts sets it). Lower case, as HTTP API v2 gives it.
 * Kept apart from the check so that the CDK app reads the name without loading AWS clients.
 */
export const originHeaderName = 'x-alliance-origin';

/** How long a function keeps the secret before reading it again: the wait during a rotation. */
export const originSecretCacheSeconds = 300;
