import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { accessibilityProblems, brandedPage, launchBrowser, newVisitor } from './browser';

let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const operationsShown = (page: Page) =>
  expect.poll(() => page.locator('section.api-operation').count()).toBeGreaterThan(30);

describe('the API reference page', () => {
  it('shows every operation from /api/openapi.json under the site’s strict CSP, at 320 px too', async () => {
    context = await browser.newContext({ baseURL: inject('baseUrl'), viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') refused.push(message.text());
    });

    await brandedPage(page, '/api-reference.html');
    await operationsShown(page);

    const registration = page.locator('section#members-register-member');
    await expect
      .poll(() => registration.getByRole('heading', { level: 3 }).textContent())
      .toBe('Register member');
    expect(await registration.textContent()).toContain('organisationType');
    expect(await page.getByRole('link', { name: 'POST /api/members', exact: true }).count()).toBe(1);
    expect(await page.locator('#api-status').textContent()).toBe('');
    // No sideways scrolling at 320 px (WCAG 1.4.10 reflow).
    const pageWidth = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
          .documentElement.scrollWidth,
    );
    expect(pageWidth).toBeLessThanOrEqual(320);
    expect(refused).toEqual([]);
  });

  it('has no accessibility problems', async () => {
    const axeContext = await newVisitor(browser, { forAxe: true });
    const page = await axeContext.newPage();
    await brandedPage(page, '/api-reference.html');
    await operationsShown(page);
    expect(await accessibilityProblems(page, 'api-reference')).toEqual([]);
    await axeContext.close();
  });
});
