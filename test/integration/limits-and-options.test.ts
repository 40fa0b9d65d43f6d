/** Allowances on the public request routes, the erase link's lifetime, and what the forms are told. */
import { decodeJwt, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import rawConfig from '../../alliance.config.json' with { type: 'json' };
import {
  api,
  confirmedMember,
  createActivity,
  emailsTo,
  memberIdFor,
  memberItems,
  randomLoopback,
  tokenOf,
  tokenSecret,
  uniqueEmail,
  waitForEmails,
} from './helpers';

const { registrationsPerIpPerHour, confirmationEmailsPerAddressPerDay, eraseTokenMinutes } = rawConfig.limits;

/** `count` requests, ten at a time; their statuses in order. */
async function inBatches(count: number, send: () => Promise<{ status: number }>) {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, count - sent) }, send));
    statuses.push(...batch.map((response) => response.status));
  }
  return statuses;
}

describe('RSVP requests by address', () => {
  it(`one address gets at most ${confirmationEmailsPerAddressPerDay} RSVP e-mails a day, and one visitor ${registrationsPerIpPerHour * 3} requests an hour`, async () => {
    const activity = await createActivity({ title: `Limits ${Date.now()}` });
    const path = `/api/activities/${activity.id}/rsvps`;
    const email = uniqueEmail('rsvp-limit');
    const fromIp = randomLoopback();

    const statuses = await inBatches(registrationsPerIpPerHour * 3, () =>
      api('POST', path, { body: { email }, fromIp }),
    );
    const over = await api('POST', path, { body: { email: uniqueEmail() }, fromIp });
    const otherVisitor = await api('POST', path, {
      body: { email: uniqueEmail() },
      fromIp: randomLoopback(),
    });

    expect(new Set(statuses)).toEqual(new Set([202]));
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBeDefined();
    expect(otherVisitor.status).toBe(202);
    await waitForEmails(email, confirmationEmailsPerAddressPerDay);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(email)).toHaveLength(confirmationEmailsPerAddressPerDay);
  });
});

describe('"e-mail me a fresh link"', () => {
  it(`one visitor asking more than ${registrationsPerIpPerHour} times in an hour is told to slow down`, async () => {
    const fromIp = randomLoopback();

    const statuses = await inBatches(registrationsPerIpPerHour, () =>
      api('POST', '/api/members/links', { body: { email: uniqueEmail('nobody') }, fromIp }),
    );
    const over = await api('POST', '/api/members/links', { body: { email: uniqueEmail() }, fromIp });
    const otherVisitor = await api('POST', '/api/members/links', {
      body: { email: uniqueEmail() },
      fromIp: randomLoopback(),
    });

    expect(new Set(statuses)).toEqual(new Set([202]));
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBeDefined();
    expect(otherVisitor.status).toBe(202);
  });
});

describe('the erase link', () => {
  const eraseToken = (memberId: string, issuedSecondsAgo: number) => {
    const issuedAt = Math.floor(Date.now() / 1000) - issuedSecondsAgo;
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('alliance')
      .setAudience('erase')
      .setSubject(memberId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + eraseTokenMinutes * 60)
      .sign(new TextEncoder().encode(tokenSecret()));
  };

  it(`works for ${eraseTokenMinutes} minutes: after that it is refused and nothing is erased`, async () => {
    const member = await confirmedMember();
    const preferences = await api(
      'GET',
      `/api/preferences?token=${encodeURIComponent(tokenOf(member.preferencesUrl))}`,
    );
    const issued = decodeJwt(tokenOf((preferences.json() as { links: { erase: string } }).links.erase));

    const stale = await api('POST', `/api/members/erase?token=${await eraseToken(member.memberId, 31 * 60)}`);

    expect((issued.exp ?? 0) - (issued.iat ?? 0)).toBe(eraseTokenMinutes * 60);
    expect(stale.status).toBe(410);
    expect(stale.json()).toMatchObject({ error: { code: 'token_expired' } });
    expect(await memberIdFor(member.email)).toBe(member.memberId);
    expect(await memberItems(member.memberId)).not.toEqual([]);

    const fresh = await api('POST', `/api/members/erase?token=${await eraseToken(member.memberId, 29 * 60)}`);
    expect(fresh.status).toBe(200);
    expect(await memberIdFor(member.email)).toBeUndefined();
  });
});

describe('the registration form', () => {
  it('is offered the networks, organisation types and consent wording of the alliance config', async () => {
    const response = await api('GET', '/api/form-options');

    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({
      networks: rawConfig.networks,
      organisationTypes: rawConfig.organisationTypes,
      interests: rawConfig.interests,
      consentWording: rawConfig.consentWording,
      formVersion: rawConfig.alliance.currentFormVersion,
    });
  });
});

describe('the API describes itself', () => {
  it('anyone gets the OpenAPI document at /api/openapi.json, cacheable, and the reference page that shows it', async () => {
    const document = await api('GET', '/api/openapi.json');
    const page = await api('GET', '/api-reference.html', { headers: { accept: 'text/html' } });

    expect(document.status).toBe(200);
    expect(document.headers['content-type']).toMatch(/^application\/json/);
    expect(document.headers['cache-control']).toMatch(/^public/);
    expect(document.json()).toMatchObject({
      openapi: '3.1.0',
      paths: { '/api/members': { post: { operationId: 'members-register-member' } } },
    });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('src="/api-reference.js"');
  });
});
