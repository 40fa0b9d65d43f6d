import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, bearerToken, waitFor } from '../integration/helpers';
import { accessibilityProblems, confirmedMember, launchBrowser, newPerson, newVisitor } from './browser';
import { signInToConsole } from './console';

let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

interface ExportAnswer {
  to: string;
  rows: Array<{ period: string; metric: string; value: number }>;
}

/** This month's registrations as the API counts them, once the counters include `atLeast`. */
async function registrationsThisMonth(atLeast: number): Promise<{ period: string; value: number }> {
  const token = await bearerToken(['analyst']);
  return waitFor('the registrations to be counted', async () => {
    const response = await api(
      'GET',
      '/api/exports/engagement?metrics=members.registered&granularity=month',
      {
        token,
      },
    );
    const answer = response.json() as ExportAnswer;
    const row = answer.rows.find((one) => one.period === answer.to);
    return row && row.value >= atLeast ? { period: row.period, value: row.value } : undefined;
  });
}

/**
 * Collects the page's CSP violations. Chromium reports them as log entries Playwright's 'console'
 * event does not carry, so the page reports them itself: a `securitypolicyviolation` listener added
 * before any page script runs. Only meaningful in a context without `bypassCSP` (not `forAxe`).
 */
async function collectCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    const scope = globalThis as unknown as {
      document: { addEventListener(type: string, listener: (event: unknown) => void): void };
      reportCspViolation(text: string): void;
    };
    scope.document.addEventListener('securitypolicyviolation', (event) => {
      const violation = event as { violatedDirective: string; blockedURI: string };
      scope.reportCspViolation(`${violation.violatedDirective} blocked ${violation.blockedURI}`);
    });
  });
  return violations;
}

describe('the analyst pages', () => {
  it('Analyst signs in, draws a chart of registrations by month, downloads the CSV, opens the evidence report', async () => {
    await Promise.all([confirmedMember(newPerson('Chartone')), confirmedMember(newPerson('Charttwo'))]);
    const counted = await registrationsThisMonth(2);

    context = await newVisitor(browser, { forAxe: true });
    const page: Page = await context.newPage();
    await signInToConsole(page, 'analyst', '/console/engagement.html');
    const metrics = page.getByRole('group', { name: 'Metrics' });
    // Registrations are chosen when the page opens; one more is a tick away, and untick it again.
    await expect
      .poll(() => metrics.getByRole('checkbox', { name: 'members.registered' }).isChecked())
      .toBe(true);
    await metrics.getByRole('checkbox', { name: 'members.confirmed' }).check();
    await page.getByRole('button', { name: 'Draw the chart' }).click();
    await expect
      .poll(() =>
        page.getByRole('img', { name: /members\.registered, members\.confirmed by month/ }).isVisible(),
      )
      .toBe(true);
    expect(new URL(page.url()).searchParams.get('metrics')).toBe('members.registered,members.confirmed');
    await metrics.getByRole('checkbox', { name: 'members.confirmed' }).uncheck();
    await page.getByLabel('Granularity').selectOption('month');
    await page.getByRole('button', { name: 'Draw the chart' }).click();
    const chart = page.getByRole('img', { name: /Line chart of members\.registered by month/ });
    await expect.poll(() => chart.isVisible()).toBe(true);
    expect(new URL(page.url()).searchParams.get('metrics')).toBe('members.registered');
    expect(new URL(page.url()).searchParams.get('granularity')).toBe('month');

    await page.getByText('Show the figures as a table').click();
    const row = page.getByRole('row', { name: new RegExp(`^${counted.period}\\b`) });
    const shown = Number(await row.getByRole('cell').last().textContent());
    expect(shown).toBeGreaterThanOrEqual(counted.value);
    expect(await accessibilityProblems(page, 'console-engagement-chart')).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download as CSV' }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv).toContain(`"${counted.period}","members.registered","${shown}"`);

    await page.getByLabel('From').fill('2026-13');
    await page.getByRole('button', { name: 'Draw the chart' }).click();
    await expect.poll(() => page.locator('[data-field="from"]').textContent()).toMatch(/2026-13/);
    expect(await accessibilityProblems(page, 'console-engagement-bad-range')).toEqual([]);

    await page.goto('/console/evidence.html');
    const year = new Date().getFullYear();
    await expect
      .poll(() => page.getByRole('heading', { name: `Evidence report for ${year}` }).isVisible())
      .toBe(true);
    expect(await page.getByRole('columnheader').allTextContents()).toEqual([
      'Figure',
      String(year),
      String(year - 1),
      'Change',
    ]);
    expect(await accessibilityProblems(page, 'console-evidence-report')).toEqual([]);

    await page.setViewportSize({ width: 320, height: 800 });
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
            .documentElement.scrollWidth,
      ),
    ).toBeLessThanOrEqual(320);
    expect(await accessibilityProblems(page, 'console-evidence-report-320')).toEqual([]);

    // The same chart (bookmarked) and the report under the real policy: no CSP violation (axe's
    // context above bypasses the policy).
    const strict = await newVisitor(browser);
    const strictPage = await strict.newPage();
    const cspViolations = await collectCspViolations(strictPage);
    await signInToConsole(
      strictPage,
      'analyst',
      '/console/engagement.html?metrics=members.registered&granularity=month',
    );
    await expect
      .poll(() =>
        strictPage.getByRole('img', { name: /Line chart of members\.registered by month/ }).isVisible(),
      )
      .toBe(true);
    await strictPage.goto('/console/evidence.html');
    await expect
      .poll(() => strictPage.getByRole('heading', { name: `Evidence report for ${year}` }).isVisible())
      .toBe(true);
    await strict.close();
    expect(cspViolations).toEqual([]);
  }, 40_000);
});
