import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sitePages } from '../../shared/site-pages';
import { api, counter, londonMonth } from '../integration/helpers';
import { launchBrowser } from './browser';

let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  // Headless Chromium says so in its user agent and is rightly skipped as a bot: this visitor
  // presents itself as the desktop browser a person would use.
  context = await browser.newContext({
    baseURL: inject('baseUrl'),
    locale: 'en-GB',
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const isBeacon = (url: string) => new URL(url).pathname === '/api/track/pageview';
const month = londonMonth();
const viewsOf = (pages: string[]) =>
  Promise.all(pages.map((page) => counter('website.views', `page=${page}`, 'month', month)));

describe('web views in the browser', () => {
  it('each hosted page sends one beacon as it loads and its view is counted; the 404 page sends none', async () => {
    const pages = Object.keys(sitePages);
    const beacons: string[] = [];
    context.on('request', (request) => {
      // Chromium does not hand the Blob body of a beacon to the driver: note the page that sent it
      // (the counters below show what it said).
      if (isBeacon(request.url())) beacons.push(new URL(request.frame().url()).pathname);
    });
    await api('GET', '/_local/bus/idle');
    const before = await viewsOf(pages);
    const page = await context.newPage();

    const missing = await page.goto('/no-such-page.html');
    expect(missing?.status()).toBe(404);
    for (const path of pages) {
      const answered = page.waitForResponse((response) => isBeacon(response.url()));
      await page.goto(path);
      expect((await answered).status(), path).toBe(204);
    }

    expect(beacons).toEqual(pages);
    await api('GET', '/_local/bus/idle');
    expect(await viewsOf(pages)).toEqual(before.map((count) => count + 1));
  });
});
