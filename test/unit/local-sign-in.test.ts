import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { localAudience, makeLocalVerifier, signLocalToken } from '../../infra/local/jwt';
import { createLocalSignIn, type SignInRequest } from '../../infra/local/sign-in';

const origin = 'http://localhost:3000';
const callback = `${origin}/console/callback.html`;

beforeAll(() => {
  process.env.DATA_DIR = mkdtempSync(path.join(tmpdir(), 'local-sign-in-'));
});

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

function get(pathAndQuery: string, cookie?: string): SignInRequest {
  return {
    method: 'GET',
    url: new URL(pathAndQuery, origin),
    origin,
    cookie,
    contentType: undefined,
    body: Buffer.alloc(0),
  };
}

function tokenRequest(form: Record<string, string>): SignInRequest {
  return {
    method: 'POST',
    url: new URL('/_local/oidc/token', origin),
    origin,
    cookie: undefined,
    contentType: 'application/x-www-form-urlencoded',
    body: Buffer.from(new URLSearchParams(form).toString()),
  };
}

const authorizeQuery = (challenge: string, extra: Record<string, string> = {}) =>
  `/_local/oidc/authorize?${new URLSearchParams({
    client_id: localAudience,
    redirect_uri: callback,
    response_type: 'code',
    scope: 'openid email profile',
    state: 'state-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  })}`;

async function signInAs(group: string) {
  const signIn = createLocalSignIn();
  const { verifier, challenge } = pkce();
  const answer = await signIn.handle(get(authorizeQuery(challenge, { group, name: 'Sam <b>Staff</b>' })));
  const location = new URL(String(answer?.headers.location));
  return { signIn, verifier, answer, location, code: location.searchParams.get('code') ?? '' };
}

describe('the local stand-in for the hosted sign-in', () => {
  it('shows a sign-in page that escapes what the request carries and asks which group', async () => {
    const signIn = createLocalSignIn();
    const answer = await signIn.handle(
      get(authorizeQuery(pkce().challenge, { state: '"><script>x</script>' })),
    );
    expect(answer?.status).toBe(200);
    expect(answer?.body).toContain('Sign in as');
    expect(answer?.body).not.toContain('<script>x');
    expect(answer?.body).toContain('&lt;script&gt;');
  });

  it('returns a code and the state to the console callback, and remembers the sign-in in a cookie', async () => {
    const { answer, location, code } = await signInAs('staff');
    expect(answer?.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(callback);
    expect(location.searchParams.get('state')).toBe('state-1');
    expect(code).toMatch(/^[\w-]{20,}$/);
    expect(String(answer?.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax/);
  });

  it('exchanges the code once, with the right PKCE verifier, for an access token the gateway accepts', async () => {
    const { signIn, verifier, code } = await signInAs('staff');
    const wrong = await signIn.handle(
      tokenRequest({
        grant_type: 'authorization_code',
        code,
        client_id: localAudience,
        redirect_uri: callback,
        code_verifier: pkce().verifier,
      }),
    );
    expect(wrong?.status).toBe(400);
    expect(JSON.parse(wrong?.body ?? '{}').error).toBe('invalid_grant');

    const { signIn: again, verifier: rightVerifier, code: freshCode } = await signInAs('analyst');
    const form = {
      grant_type: 'authorization_code',
      code: freshCode,
      client_id: localAudience,
      redirect_uri: callback,
      code_verifier: rightVerifier,
    };
    const ok = await again.handle(tokenRequest(form));
    expect(ok?.status).toBe(200);
    const tokens = JSON.parse(ok?.body ?? '{}') as { access_token: string; id_token: string };
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: localAudience,
      'cognito:groups': ['analyst'],
    });
    expect(access.aud).toBeUndefined();
    expect(decodeJwt(tokens.id_token)).toMatchObject({
      token_use: 'id',
      aud: localAudience,
      name: 'Sam <b>Staff</b>',
    });
    const verify = await makeLocalVerifier();
    await expect(verify(tokens.access_token)).resolves.toMatchObject({ client_id: localAudience });

    const replayed = await again.handle(tokenRequest(form));
    expect(replayed?.status).toBe(400);
    expect(verifier).not.toBe(rightVerifier);
  });

  it('refuses to send a code anywhere but the console callback on this origin', async () => {
    const signIn = createLocalSignIn();
    for (const redirect of [
      'https://evil.example/console/callback.html',
      `${origin}/console/other.html`,
      'javascript:alert(1)',
    ]) {
      const answer = await signIn.handle(
        get(authorizeQuery(pkce().challenge, { redirect_uri: redirect, group: 'staff' })),
      );
      expect(answer?.status).toBe(400);
      expect(answer?.headers.location).toBeUndefined();
    }
  });

  it('requires PKCE with S256 and a known group', async () => {
    const signIn = createLocalSignIn();
    const plain = await signIn.handle(
      get(authorizeQuery('x'.repeat(43), { code_challenge_method: 'plain' })),
    );
    expect(new URL(String(plain?.headers.location)).searchParams.get('error')).toBe('invalid_request');
    const unknownGroup = await signIn.handle(get(authorizeQuery(pkce().challenge, { group: 'admin' })));
    expect(unknownGroup?.status).toBe(400);
    expect(unknownGroup?.body).toContain('Choose staff or analyst.');
  });

  it('the gateway refuses tokens made for another client, by aud or by client_id', async () => {
    const verify = await makeLocalVerifier();
    await expect(
      verify(await signLocalToken({ groups: ['staff'], audience: 'other-client' })),
    ).rejects.toThrow();
    await expect(
      verify(await signLocalToken({ groups: ['staff'], audience: 'other-client', tokenUse: 'access' })),
    ).rejects.toThrow();
    await expect(
      verify(await signLocalToken({ groups: ['staff'], tokenUse: 'access' })),
    ).resolves.toBeDefined();
  });
});
