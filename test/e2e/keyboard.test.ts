import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForEmails } from '../integration/helpers';
import {
  brandedPage,
  focusedName,
  launchBrowser,
  newPerson,
  newVisitor,
  profileOf,
  screenshot,
} from './browser';

let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newVisitor(browser);
  page = await context.newPage();
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const focused = () => focusedName(page);
const focusedText = () => page.locator(':focus').textContent();

/** Presses Tab (only Tab) until the element with this id has focus; fails after `limit` presses. */
async function tabTo(id: string, limit = 40): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    if ((await focused()) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}; focus is on ${await focused()}`);
}

describe('the registration form with the keyboard alone', () => {
  it('a person completes the form with Tab, Space, Enter and the arrow keys, and reaches the thank-you page', async () => {
    const person = newPerson('Keyboard');
    await brandedPage(page, '/');
    await expect.poll(() => page.locator('#registration-form').isVisible()).toBe(true);

    // The first Tab shows the skip link; Enter takes focus to the main content.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('skip-link');
    expect(await page.locator('.skip-link').isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await focused()).toBe('main');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('name');

    // Sending it empty: the error summary takes focus, and its first link leads to the field.
    await tabTo('privacy-link');
    await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('Register');
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('error-summary');
    await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('Enter your full name');
    await page.keyboard.press('Enter');
    expect(await focused()).toBe('name');
    await screenshot(page, 'keyboard-error-summary');

    await page.keyboard.type(person.name);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('email');
    await page.keyboard.type(person.email);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('organisation');
    await page.keyboard.type(person.organisation);

    // A radio group is one Tab stop; the arrow keys move through it and choose.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('organisationType-university');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('organisationType-business');
    expect(await page.locator('#organisationType-business').isChecked()).toBe(true);

    // Checkboxes: Tab to each, Space to tick.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('networks-smart-city-alliance');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('networks-innovation-support-forum');
    await page.keyboard.press('Space');
    await tabTo('interests-energy');
    await page.keyboard.press('Space');
    await tabTo('consent-newsletter');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('consent-privacyNotice');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('privacy-link');
    // The honeypot is never a Tab stop: the next one is the button.
    await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('Register');
    await page.keyboard.press('Enter');

    await expect.poll(focused).toBe('thanks-heading');
    expect(await page.getByRole('heading', { level: 1, name: 'Check your inbox' }).isVisible()).toBe(true);
    expect(await page.locator('#thanks-email').textContent()).toBe(person.email);
    await screenshot(page, 'keyboard-thank-you');
    await waitForEmails(person.email, 1);
    expect(await profileOf(person.email)).toMatchObject({
      name: person.name,
      organisationType: 'business',
      networks: ['innovation-support-forum'],
      interests: ['energy'],
      newsletter: true,
      status: 'pending',
    });
  });
});
