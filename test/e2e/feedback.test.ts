import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  bearerToken,
  createActivity,
  emailsTo,
  runSchedule,
  type StoredEmail,
  uniqueEmail,
  waitFor,
} from '../integration/helpers';
import {
  accessibilityProblems,
  focusedName,
  launchBrowser,
  newVisitor,
  onRuntime,
  screenshot,
} from './browser';

/**
 * The feedback page behind a rating link in the e-mail, in Chromium: driven with the keyboard
 * alone, and scanned with axe-core before and after sending.
 */
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  // bypassCSP only so that axe can be injected; the keyboard does not care.
  context = await newVisitor(browser, { forAxe: true });
  page = await context.newPage();
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const focused = () => focusedName(page);

/** An attendee of an activity that ended an hour ago, and the feedback e-mail the schedule sent them. */
async function feedbackEmail(title: string): Promise<{ activityId: string; mail: StoredEmail }> {
  const ended = Date.now() - 3_600_000;
  const activity = await createActivity({
    title,
    kind: 'workshop',
    startsAt: new Date(ended - 7_200_000).toISOString(),
    endsAt: new Date(ended).toISOString(),
  });
  const email = uniqueEmail('feedback-page');
  const recorded = await api('POST', `/api/activities/${activity.id}/attendance`, {
    body: { attendees: [{ email, name: 'Keyboard Attendee' }] },
    token: await bearerToken(['staff']),
  });
  expect(recorded.status).toBe(200);
  await runSchedule('feedback-requests', new Date());
  const mail = await waitFor('the feedback e-mail', async () =>
    (await emailsTo(email)).find((candidate) => candidate.subject.startsWith('How was')),
  );
  return { activityId: activity.id, mail };
}

const ratingLink = (mail: StoredEmail, rating: number) => {
  const match = new RegExp(`https?://\\S*/api/feedback\\?token=[^\\s&]+&rating=${rating}`).exec(
    mail.body.text ?? '',
  );
  if (!match) throw new Error(`no rating ${rating} link in:\n${mail.body.text}`);
  return onRuntime(match[0]);
};

describe('the feedback page', () => {
  it('a person changes the rating, writes a comment and sends it with the keyboard alone; both pages pass axe', async () => {
    const { activityId, mail } = await feedbackEmail(`Data workshop ${Date.now()}`);
    await page.goto(ratingLink(mail, 4));
    expect(await page.getByRole('radio', { name: '4 – Good' }).isChecked()).toBe(true);
    const formScan = await accessibilityProblems(page, 'feedback-page');

    // The radio group is one Tab stop, on the chosen rating; the arrow keys move and choose.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('rating-4');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('rating-5');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe('rating-3');
    expect(await page.getByRole('radio', { name: '3 – Fair' }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('comment');
    await page.keyboard.type('Good speakers; the room was too warm.');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Send my feedback');
    await screenshot(page, 'feedback-page-keyboard');
    await page.keyboard.press('Enter');

    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Thank you for your feedback');
    const thanksScan = await accessibilityProblems(page, 'feedback-thanks');
    expect(formScan).toEqual([]);
    expect(thanksScan).toEqual([]);
    const listed = await api('GET', `/api/activities/${activityId}/feedback`, {
      token: await bearerToken(['staff']),
    });
    expect(listed.json()).toMatchObject({
      responses: 1,
      answers: [{ rating: 3, comment: 'Good speakers; the room was too warm.' }],
    });
  });
});
