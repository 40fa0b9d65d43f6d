import { describe, expect, it } from 'vitest';
import { api, linkIn, memberIdFor, memberItems, registration, waitForEmails } from './helpers';

describe('unconfirmed registrations', () => {
  it('a registration never confirmed is deleted after 30 days, and the address can register afresh', async () => {
    const pending = registration();
    const confirmed = registration();
    await api('POST', '/api/members', { body: pending });
    await api('POST', '/api/members', { body: confirmed });
    const [mail] = await waitForEmails(confirmed.email, 1);
    const link = new URL(linkIn(mail?.body.text ?? '', '/api/members/confirm?token='));
    await api('POST', link.pathname + link.search);
    const pendingId = (await memberIdFor(pending.email)) as string;

    const early = await api('POST', '/_local/schedules/expire-unconfirmed', {
      body: { time: new Date(Date.now() + 29 * 86_400_000).toISOString() },
    });
    expect(early.status).toBe(200);
    expect(await memberIdFor(pending.email)).toBe(pendingId);

    const run = await api('POST', '/_local/schedules/expire-unconfirmed', {
      body: { time: new Date(Date.now() + 31 * 86_400_000).toISOString() },
    });

    expect(run.status).toBe(200);
    expect((run.json() as { result: { expired: number } }).result.expired).toBeGreaterThanOrEqual(1);
    expect(await memberIdFor(pending.email)).toBeUndefined();
    expect(await memberItems(pendingId)).toEqual([]);
    expect(await memberIdFor(confirmed.email)).toBeDefined();
    expect((await api('POST', '/api/members', { body: pending })).status).toBe(202);
    expect(await memberIdFor(pending.email)).not.toBe(pendingId);
  });

  it('a web page on another site, or behind a rebound DNS name, cannot run a schedule', async () => {
    const path = '/_local/schedules/expire-unconfirmed';
    const formPost = await api('POST', path, {
      rawBody: 'time=2100-01-01T00:00:00Z',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    });
    expect(formPost.status).toBe(403);
    expect(formPost.text).toMatch(/Origin/);
    const textPlain = await api('POST', path, {
      rawBody: '{"time":"2100-01-01T00:00:00Z"}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(textPlain.status).toBe(403);
    const rebound = await api('POST', path, { body: {}, headers: { host: 'evil.example:3000' } });
    expect(rebound.status).toBe(403);
    expect(rebound.text).toMatch(/Host/);
  });

  it('an unknown schedule name or a bad time is refused', async () => {
    expect((await api('POST', '/_local/schedules/nope')).status).toBe(404);
    expect(
      (await api('POST', '/_local/schedules/expire-unconfirmed', { body: { time: 'yesterday' } })).status,
    ).toBe(400);
  });
});
