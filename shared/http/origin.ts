/**
 * In the cloud only CloudFront may call the API. The HTTP API's own `execute-api` address is public,
 * and a caller going straight to it would pass no WAF and choose its own `true-client-ip` (resetting
 * every per-IP limit with a new header value). So CloudFront adds a secret header to every request it
 * forwards; the shared HTTP wrapper refuses a request without it (403), and trusts `true-client-ip`
 * only on a request that carried it.
 *
 * The secret is a Secrets Manager secret `{ "current": "...", "previous": "..." }` (ORIGIN_SECRET_ID).
 * Both values are accepted, so it is rotated without downtime: put a new `current` (the old one
 * moves to `previous`), wait for the functions to re-read it, then point CloudFront at the new one
 * (README, "Rotating the origin secret"). Functions re-read it every few minutes.
 *
 * On one machine there is no CloudFront and no secret: the local gateway is the only way in and it
 * drops any `true-client-ip` a client sends.
 */
import { timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { secretsManager } from '../clients';
import { Forbidden } from '../errors';
import { originHeaderName, originSecretCacheSeconds } from './origin-header';

export const originSecretSchema = z.object({
  current: z.string().min(32),
  previous: z.string().optional(),
});

export type OriginSecret = z.infer<typeof originSecretSchema>;

let cached: { values: Promise<string[]>; until: number } | undefined;

async function readOriginSecret(secretId: string): Promise<string[]> {
  const answer = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
  const parsed = originSecretSchema.safeParse(JSON.parse(answer.SecretString ?? '{}'));
  if (!parsed.success) throw new Error('The origin secret is not { "current": ..., "previous"?: ... }');
  const { current, previous } = parsed.data;
  return previous && previous.length >= 32 ? [current, previous] : [current];
}

function acceptedValues(secretId: string, now: number): Promise<string[]> {
  if (!cached || now >= cached.until) {
    const values = readOriginSecret(secretId);
    cached = { values, until: now + originSecretCacheSeconds * 1000 };
    // A failed read is not kept: the next request tries again.
    values.catch(() => {
      cached = undefined;
    });
  }
  return cached.values;
}

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Whether the request came through CloudFront: always false where no origin secret is configured
 * (one machine), else whether the header holds the current or the previous value.
 */
export async function cameThroughCloudFront(
  headers: Record<string, string | undefined> | undefined,
  secretId: string | undefined = process.env.ORIGIN_SECRET_ID,
  now = Date.now(),
): Promise<boolean> {
  if (!secretId) return false;
  const given = headers?.[originHeaderName];
  if (!given) return false;
  const accepted = await acceptedValues(secretId, now);
  // Compare with each value (no early exit) so the time taken says nothing about which matched.
  return accepted.map((value) => sameSecret(given, value)).includes(true);
}

/**
 * Refuses a request that went around CloudFront (and so around the WAF) where an origin secret is
 * configured; answers whether `true-client-ip` may be believed.
 */
export async function assertOrigin(
  headers: Record<string, string | undefined> | undefined,
  secretId: string | undefined = process.env.ORIGIN_SECRET_ID,
): Promise<{ viewerAddressTrusted: boolean }> {
  if (!secretId) return { viewerAddressTrusted: false };
  if (!(await cameThroughCloudFront(headers, secretId))) {
    throw new Forbidden('Call the API through the site address, not the API endpoint itself.');
  }
  return { viewerAddressTrusted: true };
}

/** Forget the cached secret (tests). */
export function forgetOriginSecret(): void {
  cached = undefined;
}
