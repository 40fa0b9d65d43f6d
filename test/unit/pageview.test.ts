import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  isObviousBot,
  pageViewedIn,
  pageViewsPerIpPerHour,
  skipReason,
} from '../../functions/tracking/domain/pageview';
import { handler } from '../../functions/tracking/track-pageview';
import { Invalid } from '../../shared/errors';
import { sitePageOf, sitePages } from '../../shared/site-pages';
import { context, httpEvent } from './http-event';

const browsers = {
  chrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
};
const fromOurPage = { 'user-agent': browsers.chrome, 'sec-fetch-site': 'same-origin' };

const problemsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof Invalid) return error.details ?? [];
    throw error;
  }
  throw new Error('expected the beacon to be refused');
};

describe('which page a beacon names', () => {
  it('a hosted page is counted under its path, the form under / however the browser names it', () => {
    expect(pageViewedIn('{"page":"/activities.html"}')).toBe('/activities.html');
    expect(pageViewedIn('{"page":"/"}')).toBe('/');
    expect(pageViewedIn('{"page":"/index.html"}')).toBe('/');
  });

  it('a page that is not hosted here, a query string, a missing page or a body that is not JSON is refused', () => {
    expect(problemsOf(() => pageViewedIn('{"page":"/admin.html"}'))).toEqual([
      { field: 'page', message: 'not one of the hosted pages' },
    ]);
    expect(problemsOf(() => pageViewedIn('{"page":"/preferences.html?token=abc"}'))).toEqual([
      { field: 'page', message: 'not one of the hosted pages' },
    ]);
    expect(problemsOf(() => pageViewedIn('{}')).map((problem) => problem.field)).toEqual(['page']);
    expect(problemsOf(() => pageViewedIn(`{"page":"${'x'.repeat(201)}"}`))[0]?.field).toBe('page');
    expect(problemsOf(() => pageViewedIn('page=/'))).toEqual([]);
    expect(problemsOf(() => pageViewedIn(''))).toEqual([]);
  });
});

describe('which requests are views', () => {
  it('a browser on our own page is a view', () => {
    for (const agent of Object.values(browsers)) {
      expect(skipReason({ 'user-agent': agent, 'sec-fetch-site': 'same-origin' })).toBeUndefined();
    }
    // Clients that do not say where they come from are judged by their agent alone.
    expect(skipReason({ 'user-agent': browsers.firefox })).toBeUndefined();
  });

  it('crawlers, link checkers, scripts, headless browsers and requests without a user agent are bots', () => {
    for (const agent of [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
      'curl/8.5.0',
      'python-requests/2.32.3',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      '',
      '   ',
      undefined,
    ]) {
      expect(isObviousBot(agent), String(agent)).toBe(true);
      expect(skipReason({ 'sec-fetch-site': 'same-origin', 'user-agent': agent })).toBe('bot');
    }
  });

  it.each([
    ['sec-purpose', 'prefetch'],
    ['sec-purpose', 'prefetch;prerender'],
    ['purpose', 'prefetch'],
    ['purpose', 'Prefetch'],
    ['x-moz', 'prefetch'],
    ['x-purpose', 'preview'],
  ])('a speculative load (%s: %s) is not a view', (header, value) => {
    expect(skipReason({ ...fromOurPage, [header]: value })).toBe('prefetch');
  });

  it("a beacon from another site's page is not a view of ours", () => {
    expect(skipReason({ ...fromOurPage, 'sec-fetch-site': 'cross-site' })).toBe('cross-site');
    expect(skipReason({ ...fromOurPage, 'sec-fetch-site': 'same-site' })).toBe('cross-site');
  });
});

describe('the track-pageview handler', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const visitorIp = '198.51.100.23';
  const beacon = (body: string, headers: Record<string, string> = fromOurPage) =>
    handler({ ...httpEvent('POST /api/track/pageview', { headers, sourceIp: visitorIp }), body }, context);

  beforeEach(() => {
    dynamo.reset();
    dynamo.on(UpdateCommand).resolves({});
    dynamo.on(PutCommand).resolves({});
  });

  it('a view takes one use of the address allowance and writes one PageViewed outbox item, keeping neither address nor agent', async () => {
    const response = await beacon('{"page":"/index.html"}');

    expect(response).toMatchObject({ statusCode: 204, body: '' });
    expect(response.headers?.['set-cookie']).toBeUndefined();
    const [allowance] = dynamo.commandCalls(UpdateCommand);
    expect(allowance?.args[0].input.ExpressionAttributeValues?.[':limit']).toBe(pageViewsPerIpPerHour);
    const puts = dynamo.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    const item = puts[0]?.args[0].input.Item as { detailType: string; detail: string };
    expect(item.detailType).toBe('PageViewed');
    expect(JSON.parse(item.detail)).toMatchObject({ page: '/' });
    const written = JSON.stringify(dynamo.calls().map((call) => call.args[0].input));
    expect(written).not.toContain(visitorIp);
    expect(written).not.toContain('Chrome/131');
  });

  it('a beacon sent as text (sendBeacon of a string) counts too', async () => {
    const response = await beacon('{"page":"/privacy.html"}', {
      ...fromOurPage,
      'content-type': 'text/plain;charset=UTF-8',
    });
    expect(response.statusCode).toBe(204);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('a bot or a prefetch gets the same answer and nothing is written, not even the allowance', async () => {
    const bot = await beacon('{"page":"/"}', { 'user-agent': 'curl/8.5.0' });
    const prefetch = await beacon('{"page":"/"}', { ...fromOurPage, 'sec-purpose': 'prefetch' });
    expect([bot.statusCode, prefetch.statusCode]).toEqual([204, 204]);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('an address past its hourly allowance gets 429 and the view is not counted', async () => {
    dynamo
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'spent', $metadata: {} }));
    const response = await beacon('{"page":"/"}');
    expect(response.statusCode).toBe(429);
    expect(response.headers?.['retry-after']).toBe('3600');
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('an unknown page is a 400 naming the field, with nothing written', async () => {
    const response = await beacon('{"page":"/wp-login.php"}');
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.details).toEqual([
      { field: 'page', message: 'not one of the hosted pages' },
    ]);
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('the beacon in the browser (web/beacon.js)', () => {
  const beaconUrl = pathToFileURL(path.resolve('web/beacon.js')).href;
  let sent: Array<{ url: string; body: Blob }>;
  let listeners: Array<{ type: string; listener: () => void }>;
  let loads = 0;

  function openPage(pathname: string, search: string, browser: Record<string, unknown> = {}) {
    sent = [];
    listeners = [];
    vi.stubGlobal('location', { pathname, search, href: `https://example.org${pathname}${search}` });
    vi.stubGlobal('document', {
      prerendering: browser.prerendering === true,
      addEventListener: (type: string, listener: () => void) => listeners.push({ type, listener }),
    });
    vi.stubGlobal('navigator', {
      doNotTrack: browser.doNotTrack ?? null,
      globalPrivacyControl: browser.globalPrivacyControl,
      sendBeacon: (url: string, body: Blob) => {
        sent.push({ url, body });
        return true;
      },
    });
    loads += 1;
    // A new module instance per page load, as a browser runs it once per load.
    return import(`${beaconUrl}?load=${loads}`);
  }

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('sends one JSON beacon with the path only, never the query string that may carry a token', async () => {
    await openPage('/preferences.html', '?token=secret-member-token');
    expect(sent).toHaveLength(1);
    const [beacon] = sent;
    expect(beacon?.url).toBe('/api/track/pageview');
    expect(beacon?.body.type).toBe('application/json');
    const text = (await beacon?.body.text()) ?? '';
    expect(JSON.parse(text)).toEqual({ page: '/preferences.html' });
    expect(text).not.toContain('secret-member-token');
  });

  it('sends nothing when the browser asks not to be tracked (Do Not Track or Global Privacy Control)', async () => {
    await openPage('/', '', { doNotTrack: '1' });
    expect(sent).toHaveLength(0);
    await openPage('/', '', { globalPrivacyControl: true });
    expect(sent).toHaveLength(0);
  });

  it('a prerendered page sends its beacon when it is shown, not when it is fetched', async () => {
    await openPage('/activities.html', '', { prerendering: true });
    expect(sent).toHaveLength(0);
    const shown = listeners.filter(({ type }) => type === 'prerenderingchange');
    expect(shown).toHaveLength(1);
    shown[0]?.listener();
    expect(sent).toHaveLength(1);
  });
});

describe('the hosted pages and the counted pages agree', () => {
  const webDir = path.resolve('web');
  const htmlPages = readdirSync(webDir).filter((file) => file.endsWith('.html'));
  const loadsBeacon = (file: string) =>
    /<script type="module" src="\/beacon\.js"><\/script>/.test(readFileSync(path.join(webDir, file), 'utf8'));
  const pathOf = (file: string) => `/${file}`;

  it('every page but 404 loads the beacon once and is a counted page', () => {
    const pages = htmlPages.filter((file) => file !== '404.html');
    expect(pages.length).toBeGreaterThan(0);
    for (const file of pages) {
      const html = readFileSync(path.join(webDir, file), 'utf8');
      expect(html.match(/src="\/beacon\.js"/g), file).toHaveLength(1);
      expect(sitePageOf(pathOf(file)), file).toBeDefined();
    }
  });

  it('the 404 page does not count', () => {
    expect(htmlPages).toContain('404.html');
    expect(loadsBeacon('404.html')).toBe(false);
  });

  it('every counted page is a page under web/', () => {
    const counted = htmlPages.filter(loadsBeacon).map((file) => sitePageOf(pathOf(file)));
    expect([...new Set(counted)].sort()).toEqual(Object.keys(sitePages).sort());
  });
});
