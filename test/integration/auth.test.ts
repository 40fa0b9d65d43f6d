/** The 401/403 matrix for every route that needs a token, derived from the catalogue. */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { routes } from '../../infra/catalogue';
import { groupsAllowed } from '../../shared/http/access';
import { api, bearerToken } from './helpers';

const protectedRoutes = routes.filter((route) => route.access !== 'public');
const bodyFor = (method: string) => (method === 'GET' ? {} : { body: {} });
const samplePath = (path: string) => path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');

describe('staff and analyst routes', () => {
  it('the catalogue has protected routes to test', () => {
    expect(protectedRoutes.length).toBeGreaterThan(0);
  });

  it.each(protectedRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: no token, a bad signature, an expired token or a wrong audience is 401',
    async (_name, route) => {
      const path = samplePath(route.path);
      const forged = await new SignJWT({ 'cognito:groups': ['staff', 'analyst'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('https://alliance.local/issuer')
        .setAudience('alliance-local-client')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('an attacker guessing the key gets nowhere'));
      const tokens = [
        undefined,
        forged,
        await bearerToken(['staff', 'analyst'], { expiresInSeconds: -30 }),
        await bearerToken(['staff', 'analyst'], { audience: 'another-app' }),
        'not-a-jwt',
      ];
      for (const token of tokens) {
        const response = await api(route.method, path, {
          ...bodyFor(route.method),
          ...(token ? { token } : {}),
        });
        expect(response.status, `${route.method} ${path} with ${token?.slice(0, 12)}`).toBe(401);
        expect(response.json()).toMatchObject({ error: { code: 'unauthorized' } });
      }
    },
  );

  it.each(protectedRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: a valid token without the needed group is 403',
    async (_name, route) => {
      const allowed = groupsAllowed[route.access as 'staff' | 'analyst'];
      const otherGroups = ['staff', 'analyst', 'members'].filter(
        (group) => !allowed.includes(group as never),
      );
      const response = await api(route.method, samplePath(route.path), {
        ...bodyFor(route.method),
        token: await bearerToken(otherGroups),
      });
      expect(response.status, response.text).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'forbidden' } });
    },
  );
});
