/**
 * Signed links. Each token is a compact HS256 JWT scoped to one purpose (its audience), naming one
 * subject, with an expiry where it fits. A token for one purpose is refused for any other.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { Gone, InvalidLink } from './errors';
import { getTokenSecret } from './secrets';

export type TokenPurpose =
  | 'confirm'
  | 'preferences'
  | 'unsubscribe'
  | 'erase'
  | 'rsvp'
  | 'rsvp-manage'
  | 'feedback';

const issuer = 'alliance';

/**
 * A token is readable by anyone who holds the link (and links end up in logs that keep query
 * strings), so it names records (a member id, a booking id, a keyed label), never a person: no
 * address, no name. `claims` carry small facts of that kind the link's handler needs.
 */
export async function issueToken(
  purpose: TokenPurpose,
  subject: string,
  expiresInSeconds?: number,
  claims: Record<string, string> = {},
): Promise<string> {
  assertNoPersonalData(subject, claims);
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience(purpose);
  jwt.setSubject(subject).setIssuedAt();
  if (expiresInSeconds !== undefined) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds);
  return jwt.sign(await getTokenSecret());
}

/** Refuses to sign what looks like an address, or any claim that is not a short opaque id. */
function assertNoPersonalData(subject: string, claims: Record<string, string>): void {
  const opaque = /^[A-Za-z0-9|:_-]{1,200}$/;
  for (const value of [subject, ...Object.values(claims)]) {
    if (!opaque.test(value)) throw new Error('A token names records by id; it must not carry personal data');
  }
}

/** Returns the subject of a valid token for this purpose; a typed 4xx otherwise. */
export async function verifyToken(purpose: TokenPurpose, token: string | undefined): Promise<string> {
  return (await verifyTokenClaims(purpose, token)).subject;
}

/** The subject and the string claims of a valid token for this purpose; a typed 4xx otherwise. */
export async function verifyTokenClaims(
  purpose: TokenPurpose,
  token: string | undefined,
): Promise<{ subject: string; claims: Record<string, string> }> {
  if (!token)
    throw new InvalidLink(
      'This link is incomplete: it is missing its token. Please use the whole link from our e-mail.',
    );
  if (token.length > 2048) throw new InvalidLink();
  try {
    const { payload } = await jwtVerify(token, await getTokenSecret(), {
      issuer,
      audience: purpose,
      algorithms: ['HS256'],
    });
    if (!payload.sub) throw new InvalidLink();
    const claims = Object.fromEntries(
      Object.entries(payload).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    return { subject: payload.sub, claims };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw new Gone(
        'token_expired',
        'Links in our e-mails work for a limited time. Enter your e-mail address and we will send you a fresh one.',
      );
    }
    if (error instanceof InvalidLink) throw error;
    if (error instanceof errors.JOSEError || error instanceof TypeError) {
      throw new InvalidLink();
    }
    throw error;
  }
}
