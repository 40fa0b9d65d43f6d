import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  api,
  counter,
  emailsTo,
  linkIn,
  londonMonth,
  memberIdFor,
  memberItems,
  randomLoopback,
  registration,
  tokenSecret,
  uniqueEmail,
  waitFor,
  waitForEmails,
} from './helpers';

const confirmPath = '/api/members/confirm?token=';

async function registerAndGetConfirmLink(body = registration()) {
  const response = await api('POST', '/api/members', { body });
  expect(response.status).toBe(202);
  const [mail] = await waitForEmails(body.email as string, 1);
  if (!mail) throw new Error('no confirmation e-mail');
  return { mail, link: linkIn(mail.body.text ?? '', confirmPath) };
}

describe('member registration', () => {
  it('a new member registers, confirms from the e-mail link, gets a welcome e-mail, and the counters move', async () => {
    const month = londonMonth();
    const before = {
      registered: await counter('members.registered', 'all', 'month', month),
      confirmed: await counter('members.confirmed', 'all', 'month', month),
      sme: await counter('members.confirmed', 'organisationType=sme', 'month', month),
      network: await counter('members.confirmed', 'network=innovation-support-forum', 'month', month),
    };
    const body = registration({ networks: ['smart-city-alliance', 'innovation-support-forum'] });

    const { mail, link } = await registerAndGetConfirmLink(body);

    expect(mail.subject).toMatch(/confirm your registration/i);
    expect(link.startsWith(`${new URL(link).origin}${confirmPath}`)).toBe(true);
    expect(mail.body.html).toContain(link.replace(/&/g, '&amp;'));
    const memberId = await memberIdFor(body.email);
    expect(memberId).toBeDefined();

    const page = await api('GET', new URL(link).pathname + new URL(link).search, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="post"');
    expect((await memberItems(memberId as string)).find((item) => item.sk === 'PROFILE')?.status).toBe(
      'pending',
    );

    const confirmed = await api('POST', new URL(link).pathname + new URL(link).search);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'confirmed' });

    const [, welcome] = await waitForEmails(body.email, 2);
    expect(welcome?.subject).toMatch(/welcome/i);
    expect(welcome?.body.text).toContain('Innovation Support Forum');

    await waitFor('counters to move', async () => {
      const after = {
        registered: await counter('members.registered', 'all', 'month', month),
        confirmed: await counter('members.confirmed', 'all', 'month', month),
        sme: await counter('members.confirmed', 'organisationType=sme', 'month', month),
        network: await counter('members.confirmed', 'network=innovation-support-forum', 'month', month),
      };
      return after.registered >= before.registered + 1 &&
        after.confirmed >= before.confirmed + 1 &&
        after.sme >= before.sme + 1 &&
        after.network >= before.network + 1
        ? after
        : undefined;
    });
  });

  it('the consent record shows what was agreed at sign-up and when it was confirmed', async () => {
    const body = registration({
      consent: { newsletter: false, privacyNotice: true, formVersion: '2026-11' },
    });
    const { link } = await registerAndGetConfirmLink(body);
    await api('POST', new URL(link).pathname + new URL(link).search);
    const memberId = (await memberIdFor(body.email)) as string;

    const consent = (await memberItems(memberId)).filter((item) => String(item.sk).startsWith('CONSENT#'));

    const summary = consent
      .map((entry) => `${entry.purpose}:${entry.action}:${entry.method}:${entry.formVersion}`)
      .sort();
    expect(summary).toEqual([
      'newsletter:refused:web-form:2026-11',
      'privacy-notice:confirmed:email-link:2026-11',
      'privacy-notice:given:web-form:2026-11',
    ]);
    for (const entry of consent) expect(entry.wording).toEqual(expect.any(String));
  });

  it('registering the same address twice keeps one member and sends a fresh confirmation link', async () => {
    const body = registration();
    const first = await api('POST', '/api/members', { body });
    const second = await api('POST', '/api/members', { body: { ...body, email: body.email.toUpperCase() } });

    expect(second.status).toBe(first.status);
    expect(second.text).toBe(first.text);
    const mails = await waitForEmails(body.email, 2);
    expect(mails.every((mail) => /confirm your registration/i.test(mail.subject))).toBe(true);
    const memberId = await memberIdFor(body.email);
    expect((await memberItems(memberId as string)).filter((item) => item.sk === 'PROFILE')).toHaveLength(1);
  });

  it('a confirmed member who registers again is told they are already a member, with the same answer', async () => {
    const body = registration();
    const { link } = await registerAndGetConfirmLink(body);
    await api('POST', new URL(link).pathname + new URL(link).search);
    await waitForEmails(body.email, 2);

    const again = await api('POST', '/api/members', { body });

    expect(again.status).toBe(202);
    const mails = await waitForEmails(body.email, 3);
    expect(mails[2]?.subject).toMatch(/already registered/i);
    expect(mails[2]?.body.text).not.toContain(confirmPath);
  });

  it('at most three registration e-mails go to one address in a day', async () => {
    const body = registration();
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await api('POST', '/api/members', { body })).status).toBe(202);
    }
    await waitForEmails(body.email, 3);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(body.email)).toHaveLength(3);
  });

  it('confirming twice is harmless and counts once', async () => {
    const month = londonMonth();
    const body = registration({ organisationType: 'voluntary' });
    const { link } = await registerAndGetConfirmLink(body);
    const before = await counter('members.confirmed', 'organisationType=voluntary', 'month', month);
    const path = new URL(link).pathname + new URL(link).search;

    const first = await api('POST', path);
    const second = await api('POST', path);

    expect(first.json()).toMatchObject({ status: 'confirmed' });
    expect(second.status).toBe(200);
    expect(second.json()).toMatchObject({ status: 'already-confirmed' });
    await waitForEmails(body.email, 2);
    await api('GET', '/_local/bus/idle');
    expect(await counter('members.confirmed', 'organisationType=voluntary', 'month', month)).toBe(before + 1);
    expect(await emailsTo(body.email)).toHaveLength(2);
  });

  it('a person who presses the button on the confirm page sees a confirmation page', async () => {
    const { link } = await registerAndGetConfirmLink();
    const path = new URL(link).pathname + new URL(link).search;

    const response = await api('POST', path, {
      rawBody: '',
      headers: {
        accept: 'text/html,application/xhtml+xml',
        'content-type': 'application/x-www-form-urlencoded',
      },
    });

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.text).toContain('You are registered');
  });
});

describe('confirmation links that are not right', () => {
  it('a tampered, truncated or missing token is refused with a 400, and an expired one with a 410', async () => {
    const { link } = await registerAndGetConfirmLink();
    const token = new URL(link).searchParams.get('token') as string;
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('alliance')
      .setAudience('confirm')
      .setSubject('00000000-0000-4000-8000-000000000000')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(tokenSecret()));
    const otherPurpose = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('alliance')
      .setAudience('unsubscribe')
      .setSubject('00000000-0000-4000-8000-000000000000')
      .sign(new TextEncoder().encode(tokenSecret()));

    const cases: Array<[string, number]> = [
      [`${token.slice(0, -3)}abc`, 400],
      [token.slice(0, 40), 400],
      ['', 400],
      [otherPurpose, 400],
      [expired, 410],
    ];
    for (const [candidate, status] of cases) {
      const post = await api('POST', `/api/members/confirm?token=${encodeURIComponent(candidate)}`);
      expect(post.status, candidate).toBe(status);
      expect(post.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      const page = await api('GET', `/api/members/confirm?token=${encodeURIComponent(candidate)}`, {
        headers: { accept: 'text/html' },
      });
      expect(page.status).toBe(status);
      expect(page.headers['content-type']).toContain('text/html');
    }
  });
});

describe('bad registrations', () => {
  it('a form with problems gets a 400 listing each field, and nothing is stored or sent', async () => {
    const email = uniqueEmail('bad');
    const response = await api('POST', '/api/members', {
      body: registration({
        email,
        name: 'Ada\r\nBcc: victim@example.org',
        networks: ['no-such-network'],
        consent: { newsletter: true, privacyNotice: false, formVersion: '2026-11' },
      }),
    });

    expect(response.status).toBe(400);
    const { error } = response.json() as { error: { code: string; details: Array<{ field: string }> } };
    expect(error.code).toBe('invalid_request');
    expect(error.details.map((detail) => detail.field).sort()).toEqual([
      'consent.privacyNotice',
      'name',
      'networks.0',
    ]);
    expect(await memberIdFor(email)).toBeUndefined();
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(email)).toHaveLength(0);
  });

  it('a name carrying a web address gets a 400 naming the field, and no e-mail goes to the address', async () => {
    const email = uniqueEmail('phish');
    const response = await api('POST', '/api/members', {
      body: registration({ email, name: 'Your account is locked, verify at https://evil.example' }),
    });

    expect(response.status).toBe(400);
    const { error } = response.json() as { error: { details: Array<{ field: string; message: string }> } };
    expect(error.details).toEqual([
      expect.objectContaining({ field: 'name', message: 'Remove the web address from your name' }),
    ]);
    await api('GET', '/_local/bus/idle');
    expect(await emailsTo(email)).toHaveLength(0);
  });

  it('malformed JSON, a wrong content type, an empty body and an oversized body are refused clearly', async () => {
    const malformed = await api('POST', '/api/members', {
      rawBody: '{"name": "Ada",',
      headers: { 'content-type': 'application/json' },
    });
    const wrongType = await api('POST', '/api/members', {
      rawBody: '<xml/>',
      headers: { 'content-type': 'application/xml' },
    });
    const empty = await api('POST', '/api/members', {
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    const huge = await api('POST', '/api/members', { body: registration({ name: 'x'.repeat(20_000) }) });

    expect([malformed.status, wrongType.status, empty.status, huge.status]).toEqual([400, 415, 400, 413]);
    for (const response of [malformed, wrongType, empty, huge]) {
      expect(response.json()).toMatchObject({
        error: { code: expect.any(String), message: expect.any(String) },
      });
    }
  });

  it('a bot that fills the hidden field gets the usual answer, and nothing is stored or sent', async () => {
    const body = registration({ website: 'http://spam.example' });
    const response = await api('POST', '/api/members', { body });

    expect(response.status).toBe(202);
    await api('GET', '/_local/bus/idle');
    expect(await memberIdFor(body.email)).toBeUndefined();
    expect(await emailsTo(body.email)).toHaveLength(0);
  });

  it('one address that sends more than 20 registrations in an hour is told to slow down', async () => {
    const fromIp = randomLoopback();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 22; attempt++) {
      statuses.push((await api('POST', '/api/members', { body: registration(), fromIp })).status);
    }

    expect(statuses.slice(0, 20).every((status) => status === 202)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const other = await api('POST', '/api/members', { body: registration(), fromIp: randomLoopback() });
    expect(other.status).toBe(202);
  });

  it('an unknown API path is a JSON 404 and a wrong method a 405', async () => {
    const missing = await api('GET', '/api/nothing-here');
    const wrongMethod = await api('DELETE', '/api/members');

    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
  });
});
