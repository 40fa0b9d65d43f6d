import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchBrowser, newVisitor } from './browser';
import { setTokenLifetime, signInToConsole } from './console';

let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  await setTokenLifetime(3600);
});

async function freshPage(): Promise<Page> {
  context = await newVisitor(browser, { forAxe: true });
  page = await context.newPage();
  return page;
}

describe('signing in to the console', () => {
  it('sends a signed-out visitor to sign-in and back, shows who is signed in, and keeps no token in localStorage', async () => {
    await freshPage();
    await page.goto('/console/');
    await page.waitForURL(/\/_local\/oidc\/authorize/);
    expect(await accessibilityProblems(page, 'console-sign-in-page')).toEqual([]);
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('response_type')).toBe('code');

    await signInToConsole(page, 'staff', '/console/');
    await expect.poll(() => page.getByText('Signed in as Sam Staff (staff)').isVisible()).toBe(true);
    const nav = page.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Overview',
      'Activities',
      'Mail-outs',
      'Consent records',
      'Engagement',
      'Evidence report',
    ]);
    const stored = await page.evaluate(() => {
      const { localStorage, sessionStorage } = globalThis as unknown as {
        localStorage: {
          length: number;
          key(index: number): string | null;
          getItem(key: string): string | null;
        };
        sessionStorage: {
          length: number;
          key(index: number): string | null;
          getItem(key: string): string | null;
        };
      };
      const all = (storage: typeof localStorage) =>
        Array.from(
          { length: storage.length },
          (_, index) => storage.getItem(storage.key(index) ?? '') ?? '',
        ).join('\n');
      return { local: all(localStorage), session: all(sessionStorage) };
    });
    expect(stored.local).not.toMatch(/access_token|eyJ/);
    expect(stored.session).toMatch(/access_token/);
    expect(await accessibilityProblems(page, 'console-overview-staff')).toEqual([]);
  });

  it('signs out to a page that says so, and the next visit asks to sign in again', async () => {
    await freshPage();
    await signInToConsole(page, 'analyst', '/console/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/signed-out\.html/);
    await expect
      .poll(() => page.getByRole('heading', { name: 'You have signed out' }).isVisible())
      .toBe(true);
    expect(await accessibilityProblems(page, 'console-signed-out')).toEqual([]);
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await page.waitForURL(/\/_local\/oidc\/authorize/);
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
  });

  it('an analyst sees only analyst pages, is told a staff page is not theirs, and the API answers 403', async () => {
    await freshPage();
    await signInToConsole(page, 'analyst', '/console/activities.html');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/for staff.*signed in as an analyst/i);
    const nav = page.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Overview',
      'Engagement',
      'Evidence report',
    ]);
    const status = await page.evaluate(async () => {
      const { sessionStorage, fetch } = globalThis as unknown as {
        sessionStorage: {
          length: number;
          key(index: number): string | null;
          getItem(key: string): string | null;
        };
        fetch: (url: string, init: unknown) => Promise<{ status: number }>;
      };
      const key = Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i) ?? '').find(
        (k) => k.startsWith('oidc.user:'),
      );
      const user = JSON.parse(sessionStorage.getItem(key ?? '') ?? '{}') as { access_token?: string };
      const response = await fetch('/api/activities', {
        method: 'POST',
        headers: { authorization: `Bearer ${user.access_token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return response.status;
    });
    expect(status).toBe(403);
    expect(await accessibilityProblems(page, 'console-analyst-on-staff-page')).toEqual([]);
  });

  it('when the token expires mid-session, the next action goes through sign-in and comes back to the same page', async () => {
    await setTokenLifetime(2);
    await freshPage();
    await signInToConsole(page, 'analyst', '/console/?year=2025');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await setTokenLifetime(3600);
    await page.reload();
    // The stand-in remembers the sign-in (as the hosted UI does), so no question is asked again.
    await page.waitForURL((url) => url.pathname === '/console/' && url.search === '?year=2025');
    await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
  });
});
