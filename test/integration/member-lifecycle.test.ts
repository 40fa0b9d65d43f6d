import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  api,
  bearerToken,
  confirmedMember,
  counter,
  emailsTo,
  linkIn,
  londonMonth,
  memberIdFor,
  memberItems,
  pathOf,
  registration,
  scanAll,
  tokenOf,
  tokenSecret,
  waitFor,
  waitForEmails,
} from './helpers';

const preferencesApi = (preferencesUrl: string) =>
  `/api/preferences?token=${encodeURIComponent(tokenOf(preferencesUrl))}`;

const signWithRuntimeSecret = (purpose: string, subject: string, expiresAt?: number) => {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('alliance')
    .setAudience(purpose)
    .setSubject(subject);
  if (expiresAt !== undefined) jwt.setIssuedAt(expiresAt - 3600).setExpirationTime(expiresAt);
  return jwt.sign(new TextEncoder().encode(tokenSecret()));
};

describe('links in every member e-mail', () => {
  it('the welcome e-mail carries full preferences and unsubscribe links in text and HTML, and one-click headers', async () => {
    const member = await confirmedMember();

    expect(member.preferencesUrl).toMatch(/^http:\/\/localhost:\d+\/preferences\.html\?token=/);
    expect(member.unsubscribeUrl).toMatch(/^http:\/\/localhost:\d+\/api\/unsubscribe\?token=/);
    expect(member.welcome.body.html).toContain(member.preferencesUrl.replace(/&/g, '&amp;'));
    expect(member.welcome.body.html).toContain(member.unsubscribeUrl.replace(/&/g, '&amp;'));
    const headers = Object.fromEntries(
      (member.welcome.headers ?? []).map((header) => [header.name, header.value]),
    );
    expect(headers['List-Unsubscribe']).toBe(`<${member.unsubscribeUrl}>`);
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });
});

describe('preferences', () => {
  it('a member sees their record and changes networks, interests and e-mail updates, each change in the consent record', async () => {
    const month = londonMonth();
    const member = await confirmedMember({ organisationType: 'local-authority' });
    const unsubscribedBefore = await counter(
      'members.unsubscribed',
      'organisationType=local-authority',
      'month',
      month,
    );

    const shown = await api('GET', preferencesApi(member.preferencesUrl));
    expect(shown.status).toBe(200);
    expect(shown.json()).toMatchObject({
      member: {
        email: member.email,
        networks: ['smart-city-alliance'],
        newsletter: true,
        status: 'confirmed',
      },
      links: {
        unsubscribe: expect.stringContaining('/api/unsubscribe?token='),
        erase: expect.stringContaining('/api/members/erase?token='),
        data: expect.stringContaining('/api/members/data?token='),
      },
    });

    const saved = await api('PUT', preferencesApi(member.preferencesUrl), {
      body: {
        networks: ['innovation-support-forum', 'working-groups'],
        interests: ['energy', 'data'],
        newsletter: false,
      },
    });

    expect(saved.status).toBe(200);
    expect(saved.json()).toMatchObject({
      changed: ['networks', 'interests', 'newsletter'],
      member: { newsletter: false },
    });
    const items = await memberItems(member.memberId);
    const profile = items.find((item) => item.sk === 'PROFILE');
    expect(profile).toMatchObject({
      networks: ['innovation-support-forum', 'working-groups'],
      interests: ['energy', 'data'],
      newsletter: false,
    });
    const choices = items.filter(
      (item) => item.type === 'consent' && item.purpose === 'networks-and-interests',
    );
    expect(choices).toEqual([
      expect.objectContaining({
        action: 'changed',
        wording:
          'Networks: Innovation Support Forum, Working groups. Interests: Energy and net zero, Data and digital infrastructure.',
      }),
    ]);
    const withdrawn = items.filter((item) => item.type === 'consent' && item.action === 'withdrawn');
    expect(withdrawn).toEqual([
      expect.objectContaining({ purpose: 'newsletter', method: 'preferences-page' }),
    ]);
    await waitFor(
      'the unsubscribe to be counted',
      async () =>
        (await counter('members.unsubscribed', 'organisationType=local-authority', 'month', month)) ===
        unsubscribedBefore + 1,
    );

    const resubscribed = await api('PUT', preferencesApi(member.preferencesUrl), {
      body: { newsletter: true },
    });
    expect(resubscribed.json()).toMatchObject({ changed: ['newsletter'] });
    const given = (await memberItems(member.memberId)).filter(
      (item) => item.action === 'given' && item.method === 'preferences-page',
    );
    expect(given).toHaveLength(1);
  });

  it('saving the same preferences again changes nothing and records nothing', async () => {
    const member = await confirmedMember();
    const before = await memberItems(member.memberId);

    const saved = await api('PUT', preferencesApi(member.preferencesUrl), {
      body: { networks: ['smart-city-alliance'], newsletter: true },
    });

    expect(saved.json()).toMatchObject({ changed: [] });
    expect(await memberItems(member.memberId)).toHaveLength(before.length);
  });

  it('bad preferences are a 400 per field, and nothing changes', async () => {
    const member = await confirmedMember();

    const responses = await Promise.all([
      api('PUT', preferencesApi(member.preferencesUrl), { body: { networks: [] } }),
      api('PUT', preferencesApi(member.preferencesUrl), {
        body: { networks: ['nope'], interests: ['mobility', 'mobility'] },
      }),
      api('PUT', preferencesApi(member.preferencesUrl), { body: {} }),
      api('PUT', preferencesApi(member.preferencesUrl), {
        body: { newsletter: 'yes', email: 'other@example.org' },
      }),
    ]);

    expect(responses.map((response) => response.status)).toEqual([400, 400, 400, 400]);
    expect(
      (
        (responses[1]?.json() ?? { error: { details: [] } }) as {
          error: { details: Array<{ field: string }> };
        }
      ).error.details
        .map((d) => d.field)
        .sort(),
    ).toEqual(['interests', 'networks.0']);
    expect((await memberItems(member.memberId)).find((item) => item.sk === 'PROFILE')).toMatchObject({
      networks: ['smart-city-alliance'],
      interests: ['mobility'],
      newsletter: true,
    });
  });
});

describe('unsubscribe', () => {
  it('the exact one-click POST a mailbox provider sends unsubscribes at once; twice is harmless and counts once', async () => {
    const month = londonMonth();
    const member = await confirmedMember({ organisationType: 'business' });
    const before = await counter('members.unsubscribed', 'organisationType=business', 'month', month);
    const oneClick = () =>
      api('POST', pathOf(member.unsubscribeUrl), {
        rawBody: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' },
      });

    const first = await oneClick();
    const second = await oneClick();

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const items = await memberItems(member.memberId);
    expect(items.find((item) => item.sk === 'PROFILE')?.newsletter).toBe(false);
    expect(items.filter((item) => item.action === 'withdrawn')).toEqual([
      expect.objectContaining({ purpose: 'newsletter', method: 'one-click-unsubscribe' }),
    ]);
    await waitFor(
      'the unsubscribe to be counted',
      async () =>
        (await counter('members.unsubscribed', 'organisationType=business', 'month', month)) === before + 1,
    );
    await api('GET', '/_local/bus/idle');
    expect(await counter('members.unsubscribed', 'organisationType=business', 'month', month)).toBe(
      before + 1,
    );
  });

  it('a multipart one-click POST works too', async () => {
    const member = await confirmedMember();
    const boundary = 'xYzZY';
    const response = await api('POST', pathOf(member.unsubscribeUrl), {
      rawBody: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });

    expect(response.status).toBe(200);
    expect((await memberItems(member.memberId)).find((item) => item.sk === 'PROFILE')?.newsletter).toBe(
      false,
    );
  });

  it('the footer link opens a page with a button, and opening it changes nothing', async () => {
    const member = await confirmedMember();

    const page = await api('GET', pathOf(member.unsubscribeUrl), { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('>Unsubscribe</button>');
    expect((await memberItems(member.memberId)).find((item) => item.sk === 'PROFILE')?.newsletter).toBe(true);

    const pressed = await api('POST', pathOf(member.unsubscribeUrl), {
      rawBody: '',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(pressed.status).toBe(200);
    expect(pressed.text).toContain('You are unsubscribed');
    expect((await memberItems(member.memberId)).find((item) => item.sk === 'PROFILE')?.newsletter).toBe(
      false,
    );
  });
});

describe('links are scoped to one purpose', () => {
  it('a confirm token cannot open preferences, unsubscribe or erase, and a preferences token cannot erase', async () => {
    const body = registration();
    await api('POST', '/api/members', { body });
    const [mail] = await waitForEmails(body.email, 1);
    const confirmToken = tokenOf(linkIn(mail?.body.text ?? '', '/api/members/confirm?token='));
    const member = await confirmedMember();
    const preferencesToken = tokenOf(member.preferencesUrl);

    const attempts = await Promise.all([
      api('GET', `/api/preferences?token=${confirmToken}`),
      api('POST', `/api/unsubscribe?token=${confirmToken}`),
      api('POST', `/api/members/erase?token=${confirmToken}`),
      api('POST', `/api/members/erase?token=${preferencesToken}`),
      api('POST', `/api/unsubscribe?token=${preferencesToken}`),
    ]);

    expect(attempts.map((attempt) => attempt.status)).toEqual([400, 400, 400, 400, 400]);
    expect(await memberIdFor(body.email)).toBeDefined();
    expect(await memberIdFor(member.email)).toBeDefined();
    expect((await memberItems(member.memberId)).find((item) => item.sk === 'PROFILE')?.newsletter).toBe(true);
  });

  it('an expired link shows the "link expired" page, which e-mails a fresh link', async () => {
    const member = await confirmedMember();
    const expired = await signWithRuntimeSecret(
      'preferences',
      member.memberId,
      Math.floor(Date.now() / 1000) - 60,
    );

    const json = await api('GET', `/api/preferences?token=${expired}`);
    const page = await api('GET', `/api/preferences?token=${expired}`, { headers: { accept: 'text/html' } });

    expect(json.status).toBe(410);
    expect(json.json()).toMatchObject({ error: { code: 'token_expired' } });
    expect(page.status).toBe(410);
    expect(page.text).toContain('This link has expired');
    expect(page.text).toContain('action="/api/members/links"');

    const requested = await api('POST', '/api/members/links', {
      rawBody: `email=${encodeURIComponent(member.email)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    expect(requested.status).toBe(202);
    expect(requested.text).toContain('Check your inbox');
    const mails = await waitForEmails(member.email, 3);
    const fresh = linkIn(mails[2]?.body.text ?? '', '/preferences.html?token=');
    expect((await api('GET', preferencesApi(fresh))).status).toBe(200);
  });

  it('asking for a fresh link gives the same answer for an unknown address, and sends nothing', async () => {
    const unknown = `nobody-${Date.now()}@example.org`;
    const response = await api('POST', '/api/members/links', { body: { email: unknown } });

    expect(response.status).toBe(202);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(unknown)).toHaveLength(0);
  });
});

describe("access to one's data and erasure", () => {
  it('a member downloads everything held about them as JSON', async () => {
    const member = await confirmedMember({ name: 'Zoë Ünïcødé' });
    const links = (
      (await api('GET', preferencesApi(member.preferencesUrl))).json() as { links: { data: string } }
    ).links;

    const download = await api('GET', pathOf(links.data));

    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toBe('attachment; filename="my-data.json"');
    const data = download.json() as {
      profile: { email: string; name: string };
      consent: Array<{ action: string }>;
    };
    expect(data.profile).toMatchObject({ email: member.email, name: 'Zoë Ünïcødé' });
    expect(data.consent.map((entry) => entry.action)).toEqual(['given', 'given', 'confirmed', 'confirmed']);
  });

  it('after erasure no table holds the address or name, counters stay, links die, and the address can register afresh', async () => {
    const month = londonMonth();
    const name = `Erasable Person ${Date.now()}`;
    // Earlier tests' events are counted first, so the counts below move for this member alone.
    await api('GET', '/_local/bus/idle');
    const registeredBefore = await counter('members.registered', 'all', 'month', month);
    const member = await confirmedMember({ name, organisationType: 'voluntary' });
    await api('GET', '/_local/bus/idle');
    expect(await counter('members.registered', 'all', 'month', month)).toBe(registeredBefore + 1);
    const erasedBefore = await counter('members.erased', 'organisationType=voluntary', 'month', month);
    const links = (
      (await api('GET', preferencesApi(member.preferencesUrl))).json() as { links: { erase: string } }
    ).links;

    const erased = await api('POST', pathOf(links.erase));

    expect(erased.status).toBe(200);
    expect(erased.json()).toEqual({ status: 'erased' });
    for (const tableName of ['members', 'counters', 'idempotency', 'limits']) {
      const text = JSON.stringify(await scanAll(tableName)).toLowerCase();
      expect(text, tableName).not.toContain(member.email.toLowerCase());
      expect(text, tableName).not.toContain(name.toLowerCase());
    }
    await waitFor(
      'the erasure to be counted',
      async () =>
        (await counter('members.erased', 'organisationType=voluntary', 'month', month)) === erasedBefore + 1,
    );
    expect(await counter('members.registered', 'all', 'month', month)).toBe(registeredBefore + 1);
    expect((await api('GET', preferencesApi(member.preferencesUrl))).status).toBe(410);
    expect((await api('POST', pathOf(member.unsubscribeUrl))).status).toBe(410);
    expect((await api('POST', pathOf(links.erase))).status).toBe(200);

    const again = await api('POST', '/api/members', { body: registration({ email: member.email }) });
    expect(again.status).toBe(202);
    const mails = await waitForEmails(member.email, 3);
    expect(mails[2]?.subject).toMatch(/confirm your registration/i);
    expect(await memberIdFor(member.email)).not.toBe(member.memberId);
  });
});

describe('staff read the consent record', () => {
  it("staff get one member's consent history; others get 401 or 403", async () => {
    const member = await confirmedMember();
    const path = `/api/members/${member.memberId}/consent`;

    const anonymous = await api('GET', path);
    const analyst = await api('GET', path, { token: await bearerToken(['analyst']) });
    const wrongAudience = await api('GET', path, {
      token: await bearerToken(['staff'], { audience: 'someone-else' }),
    });
    const expired = await api('GET', path, {
      token: await bearerToken(['staff'], { expiresInSeconds: -10 }),
    });
    const staff = await api('GET', path, { token: await bearerToken(['staff']) });
    const unknown = await api('GET', '/api/members/00000000-0000-4000-8000-000000000000/consent', {
      token: await bearerToken(['staff']),
    });

    expect([
      anonymous.status,
      analyst.status,
      wrongAudience.status,
      expired.status,
      staff.status,
      unknown.status,
    ]).toEqual([401, 403, 401, 401, 200, 404]);
    const { consent } = staff.json() as {
      consent: Array<{ purpose: string; action: string; at: string; formVersion: string; wording: string }>;
    };
    expect(consent.map((entry) => `${entry.purpose}:${entry.action}`)).toEqual([
      'newsletter:given',
      'privacy-notice:given',
      'newsletter:confirmed',
      'privacy-notice:confirmed',
    ]);
    expect(consent.every((entry) => entry.formVersion === '2026-11' && entry.wording.length > 10)).toBe(true);
  });
});
