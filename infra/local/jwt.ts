/**
 * Local stand-in for the Cognito user pool: a key pair made on first use under .data/, tokens that
 * carry `cognito:groups` as Cognito's do, and verification the way API Gateway's JWT authorizer
 * does it (signature, issuer, audience, expiry). These tokens are never accepted in the cloud.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { dataDir } from './paths';

export const localIssuer = 'https://alliance.local/issuer';
export const localAudience = 'alliance-local-client';

interface KeyFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

async function keyFile(): Promise<KeyFile> {
  const file = path.join(dataDir(), 'local-jwt-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const keys = { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

export interface LocalTokenOptions {
  groups: string[];
  subject?: string;
  audience?: string;
  expiresInSeconds?: number;
  /** Cognito's two kinds: an ID token names the client in `aud`, an access token in `client_id`. */
  tokenUse?: 'id' | 'access';
  /** ID tokens only: the person's display name and e-mail, as Cognito's ID tokens carry them. */
  profile?: { name?: string; email?: string };
}

export async function signLocalToken({
  groups,
  subject = 'local-user',
  audience = localAudience,
  expiresInSeconds = 3600,
  tokenUse = 'id',
  profile = {},
}: LocalTokenOptions) {
  const { privateJwk } = await keyFile();
  const key = await importJWK(privateJwk, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const claims =
    tokenUse === 'id'
      ? { 'cognito:groups': groups, token_use: 'id', ...profile }
      : { 'cognito:groups': groups, token_use: 'access', client_id: audience, scope: 'openid email profile' };
  const token = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'local' })
    .setIssuer(localIssuer)
    .setSubject(subject)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds);
  if (tokenUse === 'id') token.setAudience(audience);
  return token.sign(key);
}

/**
 * Verifies as API Gateway's JWT authorizer does: signature, issuer and expiry, then the audience:
 * the token's `aud`, or when it has none its `client_id` (Cognito's access tokens), must name the
 * client.
 */
export async function makeLocalVerifier(): Promise<(token: string) => Promise<JWTPayload>> {
  const { publicJwk } = await keyFile();
  const key = await importJWK(publicJwk, 'ES256');
  return async (token) => {
    const { payload } = await jwtVerify(token, key, { issuer: localIssuer, algorithms: ['ES256'] });
    const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
    if (!audiences.includes(localAudience)) throw new Error('the token is not for this client');
    return payload;
  };
}

/** API Gateway hands JWT claims to Lambda as strings; arrays become "[a b]". */
export function claimsAsApiGatewayPassesThem(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value)
        ? `[${value.join(' ')}]`
        : typeof value === 'string'
          ? value
          : JSON.stringify(value),
    ]),
  );
}
