import { describe, expect, it } from 'vitest';
import { api, bearerToken, confirmedMember, pathOf, tokenOf, uniqueEmail } from './helpers';

const lookup = '/api/members/consent/lookup';

interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ field: string; message: string }> };
}

describe('staff find a consent record by e-mail address (POST /api/members/consent/lookup)', () => {
  it('finds a confirmed member by their address in any letter case, with the same record as by id', async () => {
    const member = await confirmedMember();
    const staff = await bearerToken(['staff']);
    const [local, domain] = member.email.split('@') as [string, string];

    const byId = await api('GET', `/api/members/${member.memberId}/consent`, { token: staff });
    const exact = await api('POST', lookup, { token: staff, body: { email: member.email } });
    const shouted = await api('POST', lookup, { token: staff, body: { email: member.email.toUpperCase() } });
    const mixed = await api('POST', lookup, {
      token: staff,
      body: { email: `  ${local.charAt(0).toUpperCase()}${local.slice(1)}@${domain.toUpperCase()} ` },
    });

    expect([byId.status, exact.status, shouted.status, mixed.status]).toEqual([200, 200, 200, 200]);
    const record = exact.json() as { memberId: string; consent: Array<{ purpose: string; action: string }> };
    expect(record.memberId).toBe(member.memberId);
    expect(record.consent.map((entry) => `${entry.purpose}:${entry.action}`)).toEqual([
      'newsletter:given',
      'privacy-notice:given',
      'newsletter:confirmed',
      'privacy-notice:confirmed',
    ]);
    expect(exact.json()).toEqual(byId.json());
    expect(shouted.json()).toEqual(byId.json());
    expect(mixed.json()).toEqual(byId.json());
  });

  it('answers 404 "No member with that address." for an address nobody registered with', async () => {
    const response = await api('POST', lookup, {
      token: await bearerToken(['staff']),
      body: { email: uniqueEmail('nobody') },
    });

    expect(response.status).toBe(404);
    expect((response.json() as ErrorBody).error).toMatchObject({
      code: 'not_found',
      message: 'No member with that address.',
    });
  });

  it('answers 400 naming the email field for a malformed or missing address', async () => {
    const staff = await bearerToken(['staff']);
    const malformed = await api('POST', lookup, { token: staff, body: { email: 'not an address' } });
    const missing = await api('POST', lookup, { token: staff, body: {} });

    expect([malformed.status, missing.status]).toEqual([400, 400]);
    expect((malformed.json() as ErrorBody).error.details).toEqual([
      { field: 'email', message: expect.stringMatching(/correct format/) },
    ]);
    expect((missing.json() as ErrorBody).error.details?.map((detail) => detail.field)).toEqual(['email']);
  });

  it('is for staff only: no token gets 401 and an analyst gets 403', async () => {
    const member = await confirmedMember();
    const body = { email: member.email };

    const anonymous = await api('POST', lookup, { body });
    const analyst = await api('POST', lookup, { body, token: await bearerToken(['analyst']) });

    expect([anonymous.status, analyst.status]).toEqual([401, 403]);
    expect(analyst.text).not.toContain(member.memberId);
  });

  it('does not find a member who asked to be forgotten', async () => {
    const member = await confirmedMember();
    const staff = await bearerToken(['staff']);
    expect((await api('POST', lookup, { token: staff, body: { email: member.email } })).status).toBe(200);
    const preferences = await api(
      'GET',
      `/api/preferences?token=${encodeURIComponent(tokenOf(member.preferencesUrl))}`,
    );
    const { links } = preferences.json() as { links: { erase: string } };
    expect((await api('POST', pathOf(links.erase))).status).toBe(200);

    const after = await api('POST', lookup, { token: staff, body: { email: member.email } });

    expect(after.status).toBe(404);
    expect((after.json() as ErrorBody).error.message).toBe('No member with that address.');
  });
});
