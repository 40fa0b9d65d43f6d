import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivity, linkIn, uniqueEmail, waitForEmails } from '../integration/helpers';
import { launchBrowser, newVisitor, onRuntime, screenshot } from './browser';

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

/** Books through the hosted page, then follows the link in the e-mail and presses the button. */
async function bookFromThePage(title: string, email: string): Promise<string> {
  await page.goto('/activities.html');
  const card = page.locator('article', { has: page.getByRole('heading', { name: title, level: 2 }) });
  await card.getByLabel('E-mail address').fill(email);
  await card.locator('form button[type="submit"]').click();
  await expect.poll(() => card.getByText(/check your inbox/i).isVisible()).toBe(true);
  const [mail] = await waitForEmails(email, 1);
  await page.goto(onRuntime(linkIn(mail?.body.text ?? '', '/api/rsvps/confirm?token=')));
  await page.getByRole('button', { name: 'Book my place' }).click();
  return (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
}

describe('booking from the activities page', () => {
  it('people book from the hosted page until it is full, then join the waitlist', async () => {
    const title = `Workshop on data ${Date.now()}`;
    await createActivity({ title, kind: 'workshop', capacity: 1 });

    expect(await bookFromThePage(title, uniqueEmail('first'))).toBe('Your place is booked');

    await page.goto('/activities.html');
    const card = page.locator('article', { has: page.getByRole('heading', { name: title, level: 2 }) });
    await expect.poll(() => card.getByText(/full/i).first().isVisible()).toBe(true);
    await screenshot(page, 'activities-full');
    expect(await bookFromThePage(title, uniqueEmail('second'))).toBe('You are on the waitlist');
  });
});
