/**
 * The local stand-in for Cognito's hosted sign-in, served only by the local runtime (never deployed):
 * a small OpenID Connect provider under /_local/oidc/ with the authorization-code flow and PKCE
 * (S256), so the console's OIDC client runs unchanged against it. The sign-in page asks which group
 * to sign in as (there are no passwords on one machine) and issues the same tokens as
 * `npm run token`, signed by the local key the gateway verifies. Like the hosted UI, it remembers the
 * sign-in in a cookie, so an expired token goes back through sign-in without asking again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { escapeHtml } from '../../shared/escape';
import { userGroups } from '../catalogue';
import { sitePageHeaders } from '../site-headers';
import { localAudience, localIssuer, signLocalToken } from './jwt';

export const signInBasePath = '/_local/oidc';

/** Where the console may be sent back to: its own callback and signed-out pages on this origin. */
const consoleReturnPaths = new Set(['/console/callback.html', '/console/signed-out.html']);
const sessionCookie = 'alliance-local-sign-in';
const codeLifetimeMs = 60_000;

export interface SignInRequest {
  method: string;
  url: URL;
  /** The gateway's own origin, e.g. http://localhost:3000. */
  origin: string;
  cookie: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

export interface SignInResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

interface PendingCode {
  redirectUri: string;
  challenge: string;
  group: string;
  name: string;
  nonce: string | undefined;
  expiresAt: number;
}

interface LocalSession {
  group: string;
  name: string;
}

const json = (status: number, payload: unknown): SignInResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(payload),
});
/** OAuth's error shape (RFC 6749 §5.2), which the OIDC client reads. */
const oauthError = (status: number, error: string, description: string) =>
  json(status, { error, error_description: description });
const redirect = (location: string, cookies: string[] = []): SignInResponse => ({
  status: 302,
  headers: { location, 'cache-control': 'no-store', ...(cookies.length ? { 'set-cookie': cookies } : {}) },
  body: '',
});
const page = (status: number, html: string): SignInResponse => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...sitePageHeaders },
  body: html,
});

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** The console's OIDC settings for this origin: every endpoint given, so no discovery is fetched. */
export function localConsoleConfig(origin: string) {
  return {
    authority: `${origin}${signInBasePath}`,
    clientId: localAudience,
    scope: 'openid email profile',
    metadata: {
      issuer: localIssuer,
      authorization_endpoint: `${origin}${signInBasePath}/authorize`,
      token_endpoint: `${origin}${signInBasePath}/token`,
      end_session_endpoint: `${origin}${signInBasePath}/sign-out`,
    },
    local: true,
  };
}

export function createLocalSignIn() {
  const codes = new Map<string, PendingCode>();
  let tokenLifetimeSeconds = 3600;

  const readSession = (cookie: string | undefined): LocalSession | undefined => {
    const value = cookie
      ?.split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith(`${sessionCookie}=`))
      ?.slice(sessionCookie.length + 1);
    if (!value) return undefined;
    try {
      const session = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as LocalSession;
      return userGroups.includes(session.group as (typeof userGroups)[number]) ? session : undefined;
    } catch {
      return undefined;
    }
  };

  const returnAddress = (origin: string, candidate: string | null): URL | undefined => {
    if (!candidate) return undefined;
    try {
      const url = new URL(candidate);
      return url.origin === origin && consoleReturnPaths.has(url.pathname) ? url : undefined;
    } catch {
      return undefined;
    }
  };

  function authorize(request: SignInRequest): SignInResponse {
    const query = request.url.searchParams;
    const redirectUri = returnAddress(request.origin, query.get('redirect_uri'));
    if (query.get('client_id') !== localAudience)
      return page(400, problemPage('The sign-in request names an unknown client.'));
    if (redirectUri?.pathname !== '/console/callback.html')
      return page(400, problemPage('The sign-in request asks to return to an address outside the console.'));
    const state = query.get('state') ?? '';
    const back = (params: Record<string, string>, cookies: string[] = []) => {
      const target = new URL(redirectUri);
      for (const [name, value] of Object.entries({ ...params, state })) target.searchParams.set(name, value);
      return redirect(target.href, cookies);
    };
    const challenge = query.get('code_challenge') ?? '';
    if (query.get('response_type') !== 'code')
      return back({ error: 'unsupported_response_type', error_description: 'Only the code flow.' });
    if (query.get('code_challenge_method') !== 'S256' || !/^[\w-]{43}$/.test(challenge))
      return back({ error: 'invalid_request', error_description: 'PKCE with S256 is required.' });

    const chosenGroup = query.get('group');
    const remembered = query.get('prompt') === 'login' ? undefined : readSession(request.cookie);
    if (chosenGroup === null && !remembered) return page(200, signInPage(query));
    const session: LocalSession = remembered ?? {
      group: chosenGroup ?? '',
      name: (query.get('name') ?? '').trim().slice(0, 80) || 'Local user',
    };
    if (!userGroups.includes(session.group as (typeof userGroups)[number]))
      return page(400, signInPage(query, 'Choose staff or analyst.'));
    const code = base64url(randomBytes(24));
    codes.set(code, {
      redirectUri: redirectUri.href,
      challenge,
      group: session.group,
      name: session.name,
      nonce: query.get('nonce') ?? undefined,
      expiresAt: Date.now() + codeLifetimeMs,
    });
    const cookie = `${sessionCookie}=${base64url(Buffer.from(JSON.stringify(session)))}; Path=${signInBasePath}; HttpOnly; SameSite=Lax`;
    return back({ code }, [cookie]);
  }

  async function token(request: SignInRequest): Promise<SignInResponse> {
    if (request.method !== 'POST') return oauthError(405, 'invalid_request', 'POST the token request.');
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.contentType ?? ''))
      return oauthError(400, 'invalid_request', 'The token request must be form-encoded.');
    const form = new URLSearchParams(request.body.toString('utf8'));
    if (form.get('grant_type') !== 'authorization_code')
      return oauthError(400, 'unsupported_grant_type', 'Only authorization_code.');
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code);
    if (!pending || pending.expiresAt < Date.now())
      return oauthError(400, 'invalid_grant', 'The code is unknown, used or expired.');
    if (form.get('client_id') !== localAudience)
      return oauthError(400, 'invalid_client', 'The client is unknown.');
    if (form.get('redirect_uri') !== pending.redirectUri)
      return oauthError(400, 'invalid_grant', 'The redirect_uri differs from the sign-in request.');
    const verifier = form.get('code_verifier') ?? '';
    if (base64url(createHash('sha256').update(verifier).digest()) !== pending.challenge)
      return oauthError(400, 'invalid_grant', 'The code_verifier does not match the code_challenge.');
    const subject = `local-${createHash('sha256').update(`${pending.group}|${pending.name}`).digest('hex').slice(0, 16)}`;
    const common = { groups: [pending.group], subject, expiresInSeconds: tokenLifetimeSeconds };
    const idToken = await signLocalToken({
      ...common,
      tokenUse: 'id',
      profile: { name: pending.name, ...(pending.nonce ? { nonce: pending.nonce } : {}) },
    });
    return json(200, {
      access_token: await signLocalToken({ ...common, tokenUse: 'access' }),
      id_token: idToken,
      token_type: 'Bearer',
      expires_in: tokenLifetimeSeconds,
    });
  }

  function signOut(request: SignInRequest): SignInResponse {
    const target = returnAddress(request.origin, request.url.searchParams.get('post_logout_redirect_uri'));
    const cleared = `${sessionCookie}=; Path=${signInBasePath}; HttpOnly; SameSite=Lax; Max-Age=0`;
    const state = request.url.searchParams.get('state');
    if (target && state) target.searchParams.set('state', state);
    return redirect(target?.href ?? `${request.origin}/console/signed-out.html`, [cleared]);
  }

  /** Tests shorten the lifetime of the tokens issued from now on, to see expiry mid-session. */
  function lifetime(request: SignInRequest): SignInResponse {
    if (request.method === 'GET') return json(200, { seconds: tokenLifetimeSeconds });
    let seconds: unknown;
    try {
      seconds = (JSON.parse(request.body.toString('utf8') || '{}') as { seconds?: unknown }).seconds;
    } catch {
      return json(400, { error: { code: 'invalid_request', message: 'The body is not valid JSON.' } });
    }
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > 86_400)
      return json(400, { error: { code: 'invalid_request', message: 'seconds: a whole number, 1–86400.' } });
    tokenLifetimeSeconds = seconds;
    return json(200, { seconds });
  }

  return {
    /** Answers a request under /_local/oidc/, or undefined when the path is not one of its own. */
    async handle(request: SignInRequest): Promise<SignInResponse | undefined> {
      switch (request.url.pathname) {
        case `${signInBasePath}/authorize`:
          return request.method === 'GET' ? authorize(request) : undefined;
        case `${signInBasePath}/token`:
          return token(request);
        case `${signInBasePath}/sign-out`:
          return request.method === 'GET' ? signOut(request) : undefined;
        case `${signInBasePath}/lifetime`:
          return lifetime(request);
        default:
          return undefined;
      }
    },
  };
}

function problemPage(message: string): string {
  return layout('Sign-in problem', `<p role="alert">${escapeHtml(message)}</p>`);
}

/** The stand-in's one page: a group to sign in as, with the request's parameters carried along. */
function signInPage(query: URLSearchParams, error?: string): string {
  const hidden = [...query]
    .filter(([name]) => !['group', 'name'].includes(name))
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n        ');
  const options = userGroups
    .map(
      (group, index) =>
        `<div class="choice"><input id="group-${group}" type="radio" name="group" value="${group}"${index === 0 ? ' checked' : ''}><label for="group-${group}">${group === 'staff' ? 'Staff: activities, mail-outs, consent records' : 'Analyst: engagement charts and the evidence report'}</label></div>`,
    )
    .join('\n          ');
  return layout(
    'Sign in (local)',
    `<p>This machine's stand-in for the alliance's sign-in. In the cloud, staff and analysts sign in with their own account and a second factor.</p>
      ${error ? `<p class="form-error" role="alert">${escapeHtml(error)}</p>` : ''}
      <form method="get" action="${signInBasePath}/authorize">
        ${hidden}
        <fieldset class="field">
          <legend>Sign in as</legend>
          <div class="choices">
          ${options}
          </div>
        </fieldset>
        <div class="field"><label for="name">Your name</label>
          <input id="name" name="name" type="text" maxlength="80" autocomplete="name" value="Local user"></div>
        <button class="button" type="submit">Sign in</button>
      </form>`,
  );
}

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en-GB">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/styles.css">
  </head>
  <body>
    <main id="main" class="wrap">
      <h1>${escapeHtml(title)}</h1>
      ${content}
    </main>
  </body>
</html>
`;
}
