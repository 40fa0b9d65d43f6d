import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pageViewsPerIpPerHour } from '../../functions/tracking/domain/pageview';
import { api, counter, londonMonth, randomLoopback, scanAll } from './helpers';

const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

interface Visit {
  page: string;
  fromIp?: string;
  userAgent?: string;
  headers?: Record<string, string>;
  /** Send the body as sendBeacon does for a string (text/plain) rather than a JSON Blob. */
  asText?: boolean;
}

/** What the page's sendBeacon sends: the path as JSON, from a browser on our own origin. */
const beacon = ({ page, fromIp, userAgent = firefox, headers = {}, asText = false }: Visit) =>
  api('POST', '/api/track/pageview', {
    rawBody: JSON.stringify({ page }),
    fromIp: fromIp ?? randomLoopback(),
    headers: {
      'content-type': asText ? 'text/plain;charset=UTF-8' : 'application/json',
      'user-agent': userAgent,
      'sec-fetch-site': 'same-origin',
      ...headers,
    },
  });

/** Everything the bus has in hand is counted (the relay included). */
const busIdle = () => api('GET', '/_local/bus/idle');

const month = londonMonth();
const views = (page?: string) => counter('website.views', page ? `page=${page}` : 'all', 'month', month);
const viewsNow = async () => ({
  all: await views(),
  form: await views('/'),
  activities: await views('/activities.html'),
});

/** PageViewed outbox items written so far (kept a day before TTL tidies them). */
const pageViewItems = async () =>
  (await scanAll('metrics')).filter((item) => item.detailType === 'PageViewed').length;

describe('web views of the hosted pages', () => {
  it('each view is counted once, in the month and under its page, whichever way the beacon is sent', async () => {
    await busIdle();
    const before = await viewsNow();

    const answers = await Promise.all([
      beacon({ page: '/activities.html' }),
      beacon({ page: '/activities.html', asText: true }),
      beacon({ page: '/index.html' }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204]);
    expect(answers.every((answer) => answer.text === '' && !answer.headers['set-cookie'])).toBe(true);

    await busIdle();
    expect(await viewsNow()).toEqual({
      all: before.all + 3,
      form: before.form + 1,
      activities: before.activities + 2,
    });
  });

  it('bots, headless browsers, prefetches and previews are answered but neither counted nor written', async () => {
    await busIdle();
    const before = { views: await views(), items: await pageViewItems() };

    const answers = await Promise.all([
      beacon({
        page: '/',
        userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      }),
      beacon({ page: '/', userAgent: 'curl/8.5.0' }),
      beacon({
        page: '/',
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      }),
      beacon({ page: '/', userAgent: '' }),
      beacon({ page: '/', headers: { 'sec-purpose': 'prefetch;prerender' } }),
      beacon({ page: '/', headers: { purpose: 'prefetch' } }),
      beacon({ page: '/', headers: { 'x-moz': 'prefetch' } }),
      beacon({ page: '/', headers: { 'x-purpose': 'preview' } }),
      beacon({ page: '/', headers: { 'sec-fetch-site': 'cross-site' } }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(Array(9).fill(204));

    await busIdle();
    expect({ views: await views(), items: await pageViewItems() }).toEqual(before);
  });

  it('a page that is not hosted here is refused with 400 and nothing is written', async () => {
    const before = await pageViewItems();

    const unknown = await beacon({ page: '/wp-login.php' });
    const withQuery = await beacon({ page: '/preferences.html?token=abc' });

    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({
      error: {
        code: 'invalid_request',
        details: [{ field: 'page', message: 'not one of the hosted pages' }],
      },
    });
    expect(withQuery.status).toBe(400);
    expect(await pageViewItems()).toBe(before);
  });

  it(`one address has at most ${pageViewsPerIpPerHour} views counted an hour, then gets 429; others still count`, async () => {
    await busIdle();
    const before = await views('/privacy.html');
    const busyAddress = randomLoopback();

    const statuses: number[] = [];
    for (let sent = 0; sent < pageViewsPerIpPerHour; sent += 30) {
      const batch = Array.from({ length: Math.min(30, pageViewsPerIpPerHour - sent) }, () =>
        beacon({ page: '/privacy.html', fromIp: busyAddress }),
      );
      statuses.push(...(await Promise.all(batch)).map((answer) => answer.status));
    }
    expect(statuses.filter((status) => status !== 204)).toEqual([]);

    const refused = await beacon({ page: '/privacy.html', fromIp: busyAddress });
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'too_many_requests' } });
    expect(refused.headers['retry-after']).toBe('3600');
    expect((await beacon({ page: '/privacy.html' })).status).toBe(204);

    await busIdle();
    expect(await views('/privacy.html')).toBe(before + pageViewsPerIpPerHour + 1);
  });

  it("nothing personal is stored: the visitor's address and browser appear in no table", async () => {
    const address = randomLoopback();
    const userAgent = `${firefox} (visitor-${randomUUID().slice(0, 8)})`;
    const before = await views('/activities.html');

    expect((await beacon({ page: '/activities.html', fromIp: address, userAgent })).status).toBe(204);
    await busIdle();
    expect(await views('/activities.html')).toBe(before + 1);

    for (const name of ['metrics', 'counters', 'limits']) {
      const stored = JSON.stringify(await scanAll(name));
      expect(stored.length, name).toBeGreaterThan(2);
      expect(stored.includes(address), `${name} holds the address`).toBe(false);
      expect(stored.includes(userAgent), `${name} holds the user agent`).toBe(false);
      expect(stored.includes('visitor-'), `${name} holds part of the user agent`).toBe(false);
    }
  });
});
