import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, registration, waitForEmails } from '../integration/helpers';
import {
  type AxeViolation,
  axeScan,
  brandedPage,
  confirmedMember,
  confirmLinkIn,
  expiredToken,
  fillRegistrationForm,
  launchBrowser,
  newPerson,
  newVisitor,
  onRuntime,
  screenshot,
  seriousOrCritical,
  signedToken,
  welcomeLinks,
} from './browser';

/**
 * Every hosted page and every state a person can reach, scanned with axe-core (WCAG 2.x A/AA and
 * best practice) and photographed under test-output/screenshots/. Serious or critical findings fail;
 * the rest are written to test-output/axe/ for people to look at.
 */
let browser: Browser;
let context: BrowserContext;
let page: Page;
const findings: Record<string, AxeViolation[]> = {};

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  writeFileSync(
    path.resolve('test-output/axe/summary.json'),
    JSON.stringify(
      Object.fromEntries(
        Object.entries(findings).map(([name, violations]) => [
          name,
          violations.map((violation) => `${violation.impact}: ${violation.id} (${violation.nodes.length})`),
        ]),
      ),
      null,
      2,
    ),
  );
  await browser?.close();
});
beforeEach(async () => {
  context = await newVisitor(browser, { forAxe: true });
  page = await context.newPage();
});
afterEach(async () => {
  await context?.close();
});

/** Photographs the page as it is and fails on any serious or critical axe finding. */
async function check(name: string): Promise<void> {
  await screenshot(page, name);
  const violations = await axeScan(page, name);
  findings[name] = violations;
  expect(seriousOrCritical(violations), `axe findings on ${name}`).toEqual([]);
}

const visible = (selector: string) => expect.poll(() => page.locator(selector).isVisible()).toBe(true);
const headingShown = (name: string) =>
  expect.poll(() => page.getByRole('heading', { level: 1, name }).isVisible()).toBe(true);

describe('the scan itself', () => {
  it('finds a planted problem, so a clean result means something', async () => {
    await page.goto('/privacy.html');
    await page.setContent('<html><body><main><img src="/missing.png"><button></button></main></body></html>');
    const rules = seriousOrCritical(await axeScan(page, 'planted-problem')).map((finding) => finding.rule);
    expect(rules).toEqual(expect.arrayContaining(['image-alt', 'button-name', 'html-has-lang']));
  });
});

describe('the registration page', () => {
  it('the form as it first appears has no serious or critical accessibility problems', async () => {
    await brandedPage(page, '/');
    await visible('#registration-form');
    await check('index');
  });

  it('the form with its error summary has none either', async () => {
    await brandedPage(page, '/');
    await visible('#registration-form');
    await page.getByRole('textbox', { name: /^E-mail address/ }).fill('not-an-address');
    await page.getByRole('button', { name: 'Register' }).click();
    await visible('.error-summary');
    await check('index-error-summary');
  });

  it('the thank-you state after registering has none either', async () => {
    await brandedPage(page, '/');
    await visible('#registration-form');
    await fillRegistrationForm(page, newPerson('Thanks'));
    await page.getByRole('button', { name: 'Register' }).click();
    await headingShown('Check your inbox');
    await check('index-thank-you');
  });
});

describe('the plain pages', () => {
  it('the privacy notice has no serious or critical accessibility problems', async () => {
    await brandedPage(page, '/privacy.html');
    await check('privacy');
  });

  it('the page-not-found page has none either', async () => {
    const response = await page.goto('/no-such-page');
    expect(response?.status()).toBe(404);
    await brandedPage(page, '/no-such-page');
    await check('not-found');
  });
});

describe('the preferences page', () => {
  it('a member’s preferences, the saved message and the delete confirmation have no serious or critical problems', async () => {
    const links = await confirmedMember(newPerson('Axeprefs'));
    await brandedPage(page, links.preferences);
    await visible('#member-area');
    await check('preferences');

    await page.getByRole('checkbox', { name: 'Health and wellbeing' }).check();
    await page.getByRole('button', { name: 'Save my preferences' }).click();
    await expect.poll(() => page.locator('#save-status').textContent()).toMatch(/^Saved/);
    await check('preferences-saved-state');

    await page.getByRole('checkbox', { name: 'Smart City Alliance' }).uncheck();
    await page.getByRole('button', { name: 'Save my preferences' }).click();
    await visible('.error-summary');
    await check('preferences-error-summary');

    await page.reload();
    await visible('#member-area');
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await visible('#delete-confirm');
    await check('preferences-delete-step');

    await page.locator('#delete-confirm').getByRole('button', { name: 'Delete my data' }).click();
    await headingShown('Your data has been deleted');
    await check('preferences-deleted');
  });

  it('an expired link, and the fresh link it offers, have none either', async () => {
    await brandedPage(page, `/preferences.html?token=${await expiredToken('preferences')}`);
    await headingShown('This link has expired');
    await check('preferences-expired');

    await page.getByRole('button', { name: 'E-mail me a fresh link' }).click();
    await visible('.error-summary');
    await check('preferences-expired-error-summary');

    await page.getByRole('textbox', { name: 'E-mail address' }).fill('nobody-registered@example.org');
    await page.getByRole('button', { name: 'E-mail me a fresh link' }).click();
    await visible('#fresh-link-sent');
    await check('preferences-fresh-link-sent');
  });

  it('a link that is not valid, one with no token and one for someone no longer held have none either', async () => {
    await brandedPage(page, '/preferences.html?token=not-a-token');
    await headingShown('This link is not valid');
    await check('preferences-invalid');

    await brandedPage(page, '/preferences.html');
    await headingShown('This link is not valid');
    await check('preferences-no-token');

    await brandedPage(page, `/preferences.html?token=${await signedToken('preferences')}`);
    await headingShown('We no longer hold your registration');
    await check('preferences-member-gone');
  });
});

describe('the server-rendered pages behind links in e-mails', () => {
  it('the confirm, confirmed, unsubscribe and unsubscribed pages have no serious or critical problems', async () => {
    const person = newPerson('Axelinks');
    const registered = await api('POST', '/api/members', {
      body: registration({ ...person, organisationType: 'voluntary' }),
    });
    expect(registered.status).toBe(202);
    const [confirmation] = await waitForEmails(person.email, 1);
    if (!confirmation) throw new Error('no confirmation e-mail');

    await page.goto(onRuntime(confirmLinkIn(confirmation)));
    await headingShown('Confirm your registration');
    await check('confirm-page');

    await page.getByRole('button', { name: 'Confirm my registration' }).click();
    await headingShown('You are registered');
    await check('confirmed-page');

    const links = await welcomeLinks(person.email);
    await page.goto(links.unsubscribe);
    await headingShown('Unsubscribe from e-mail updates');
    await check('unsubscribe-page');

    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await headingShown('You are unsubscribed');
    await check('unsubscribed-page');
  });

  it('the expired-link page and the not-valid-link page have none either', async () => {
    const expired = await page.goto(`/api/members/confirm?token=${await expiredToken('confirm')}`);
    expect(expired?.status()).toBe(410);
    await headingShown('This link has expired');
    await check('expired-link-page');

    const invalid = await page.goto('/api/members/confirm?token=not-a-token');
    expect(invalid?.status()).toBe(400);
    await check('invalid-link-page');
  });
});
