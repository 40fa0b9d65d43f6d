import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { accessibilityProblems, confirmedMember, launchBrowser, newPerson, newVisitor } from './browser';
import { signInToConsole } from './console';

let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
/** The SES account's send rate as the local emulator reports it (14 a second unless changed). */
async function sesMaxSendRate(perSecond: number): Promise<void> {
  const response = await fetch(new URL('/_local/ses/faults', inject('baseUrl')), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ maxSendRate: perSecond }),
  });
  expect(response.status).toBe(200);
}

afterEach(async () => {
  await sesMaxSendRate(14);
  await context?.close();
  context = undefined;
});

/** A segment no other browser test registers anyone in, so its audience is exactly our members. */
const segment = { organisationType: 'other', networks: ['working-groups'], interests: ['built-environment'] };

const frameOf = (page: Page) => page.frameLocator('iframe[title^="Preview of the e-mail"]');

async function composeDraft(page: Page, subject: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Subject' }).fill(subject);
  await page
    .getByRole('textbox', { name: 'Body' })
    .fill(
      '# Spring gathering\n\nJoin us at the **Civic Hall**: [the programme](https://example.org/programme).',
    );
}

describe('mail-outs in the console', () => {
  it('Staff composes a mail-out, previews it, sends it to a small audience and watches the progress bar reach 100%; results show the deliveries', async () => {
    const members = [newPerson('Mailout'), newPerson('Mailout')];
    await Promise.all(members.map((person) => confirmedMember(person, segment)));

    context = await newVisitor(browser, { forAxe: true });
    const page = await context.newPage();
    await signInToConsole(page, 'staff', '/console/mailouts.html');
    await expect
      .poll(() => page.getByRole('heading', { name: 'Mail-outs', level: 1 }).isVisible())
      .toBe(true);
    await page.getByRole('link', { name: 'New mail-out' }).click();
    await page.waitForURL(/\/console\/mailout\.html$/);

    // Compose: the draft saves itself, the audience narrows to the segment and counts our two members.
    const subject = `Spring gathering ${Date.now()}`;
    await composeDraft(page, subject);
    await page.getByRole('checkbox', { name: 'Working groups' }).check();
    await page.getByRole('checkbox', { name: 'Other' }).check();
    await page.getByRole('checkbox', { name: 'Built environment' }).check();
    await expect
      .poll(() => page.locator('.mailout-audience-count').textContent(), { timeout: 10_000 })
      .toBe('2 members would receive it.');
    await page.waitForURL(/\/console\/mailout\.html\?id=/);
    const sample = await page.locator('.mailout-sample li').allTextContents();
    expect(sample.sort()).toEqual(members.map((person) => `${person.name}, ${person.organisation}`).sort());
    expect(await accessibilityProblems(page, 'console-mailout-compose')).toEqual([]);

    // Preview: the sender's rendering, with its layout, the body and the real footer links.
    await expect
      .poll(() => frameOf(page).getByRole('heading', { name: 'Spring gathering' }).isVisible())
      .toBe(true);
    expect(await page.locator('.mailout-preview-subject').textContent()).toBe(`Subject: ${subject}`);
    const footer = await frameOf(page).getByRole('link', { name: 'Unsubscribe' }).getAttribute('href');
    expect(footer).toMatch(/\/api\/unsubscribe\?token=preview$/);
    await page.getByRole('textbox', { name: 'Body' }).press('End');
    await page.getByRole('textbox', { name: 'Body' }).pressSequentially('\n\n## Bring a friend');
    await expect
      .poll(() => frameOf(page).getByRole('heading', { name: 'Bring a friend' }).isVisible())
      .toBe(true);
    expect(await accessibilityProblems(page, 'console-mailout-preview')).toEqual([]);

    // A test send, then send now: focus moves to the progress, which fills to 100%.
    await page.getByRole('textbox', { name: 'Test addresses' }).fill('editor@example.org');
    await page.getByRole('button', { name: 'Send a test' }).click();
    await expect.poll(() => page.getByText('Test sent to 1 address.').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Send now' }).click();
    // One deliberate step more: the page says how many it goes to, and nothing is sent before "Yes".
    const confirmSend = page.getByRole('button', { name: 'Yes, send it to 2 members now' });
    await expect.poll(() => confirmSend.isVisible()).toBe(true);
    expect(await accessibilityProblems(page, 'console-mailout-confirm-send')).toEqual([]);
    await confirmSend.click();
    const progress = page.getByRole('progressbar', { name: 'Sent so far' });
    await expect.poll(() => progress.isVisible()).toBe(true);
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement
            .id,
      ),
    ).toBe('progress-heading');
    await expect
      .poll(
        () =>
          progress.evaluate((bar) => [
            (bar as unknown as { value: number }).value,
            (bar as unknown as { max: number }).max,
          ]),
        { timeout: 20_000 },
      )
      .toEqual([2, 2]);
    await expect
      .poll(() => page.locator('.mailout-progress-summary').textContent())
      .toMatch(/^2 of 2 sent \(100%\)/);
    await expect.poll(() => page.locator('.mailout-state').textContent()).toBe('State: Sent');
    // The polite live region says it once it is over (and said the quarters on the way).
    await expect
      .poll(() => page.locator('#console-header [role="status"]').textContent())
      .toBe('Mail-out sent: 2 of 2 sent, 0 failures.');

    // Results: the SES emulator's delivery reports arrive and are counted without a reload.
    const figure = (label: string) =>
      page.getByRole('row', { name: new RegExp(`^${label} \\d+$`) }).locator('td');
    await expect.poll(() => figure('Delivered').textContent(), { timeout: 20_000 }).toBe('2');
    expect(await figure('Bounced').textContent()).toBe('0');
    expect(await accessibilityProblems(page, 'console-mailout-sent')).toEqual([]);

    // The recipients as CSV: our two members, delivered.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download recipients (CSV)' }).click(),
    ]);
    const csv = readFileSync((await download.path()) ?? '', 'utf8');
    for (const person of members) expect(csv).toMatch(new RegExp(`"${person.email}".*,"delivered",`));

    // Everyone got it, so a resend to the undelivered has nobody to go to, and says so.
    await page.getByRole('button', { name: 'Resend to the undelivered' }).click();
    await expect.poll(() => page.getByText(/there is nobody to resend to/).isVisible()).toBe(true);

    // 320 px wide: nothing makes the page scroll sideways, and it stays accessible.
    await page.setViewportSize({ width: 320, height: 800 });
    expect(
      await page.evaluate(() => {
        const { document } = globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        };
        return document.documentElement.scrollWidth <= document.documentElement.clientWidth;
      }),
    ).toBe(true);
    expect(await accessibilityProblems(page, 'console-mailout-sent-320')).toEqual([]);

    // The list shows it with its figures.
    await page.getByRole('link', { name: 'All mail-outs' }).click();
    await expect
      .poll(() => page.getByRole('row', { name: new RegExp(subject) }).textContent())
      .toMatch(/Sent/);
    expect(await accessibilityProblems(page, 'console-mailouts-list-320')).toEqual([]);
  });

  it('the preview keeps the e-mail’s own styles under the console’s strict Content-Security-Policy; staff schedule, send, pause, resume and cancel', async () => {
    // No bypassCSP here: the page runs under the policy the site sends.
    context = await newVisitor(browser);
    const page = await context.newPage();
    await signInToConsole(page, 'staff', '/console/mailout.html');
    await composeDraft(page, 'Styled preview');
    const heading = frameOf(page).getByRole('heading', { name: 'Spring gathering' });
    await expect.poll(() => heading.isVisible()).toBe(true);
    const styleOf = (element: unknown, property: string) =>
      (
        globalThis as unknown as { getComputedStyle: (element: unknown) => Record<string, string> }
      ).getComputedStyle(element)[property];
    expect(await heading.evaluate(styleOf, 'fontSize')).toBe('24px');
    expect(await frameOf(page).locator('body').evaluate(styleOf, 'backgroundColor')).toBe(
      'rgb(246, 247, 249)',
    );

    // Scheduled for a time in the alliance's zone; then sent now after all, paused, resumed, and
    // cancelled after a confirmation. A slow SES account (0.4 sends a second after headroom) and an
    // audience of at least eight (these and the first test's members) keep it going long enough.
    await Promise.all(Array.from({ length: 6 }, () => confirmedMember(newPerson('Paced'), segment)));
    for (const name of ['Working groups', 'Other', 'Built environment'])
      await page.getByRole('checkbox', { name }).check();
    await page.getByRole('radio', { name: 'At a time' }).check();
    await page.getByRole('textbox', { name: 'Date and time' }).fill('2031-01-14T09:00');
    await page.getByRole('button', { name: 'Schedule' }).click();
    await expect
      .poll(() => page.locator('.mailout-progress-summary').textContent())
      .toBe('Scheduled for Tue, 14 Jan 2031, 09:00.');
    const state = () => page.locator('.mailout-state').textContent();
    expect(await state()).toBe('State: Scheduled');
    await sesMaxSendRate(0.5);
    await page.getByRole('button', { name: 'Send now instead' }).click();
    await expect.poll(state).toBe('State: Sending');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(state).toBe('State: Paused');
    expect(await page.locator('.mailout-progress-summary').textContent()).toMatch(/paused by staff$/);
    const sentSoFar = async () =>
      Number(
        /(\d+) of \d+ sent/.exec((await page.locator('.mailout-progress-summary').textContent()) ?? '')?.[1],
      );
    const sentWhenPaused = await sentSoFar();
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(state).toBe('State: Sending');
    // Resumed at once: the paused run's dispatch lease (20 s) does not hold the new run back.
    await expect.poll(sentSoFar, { timeout: 8_000 }).toBeGreaterThan(sentWhenPaused);
    await page.getByRole('button', { name: 'Cancel mail-out…' }).click();
    await page.getByRole('button', { name: 'No, keep it' }).click();
    expect(await state()).toBe('State: Sending');
    await page.getByRole('button', { name: 'Cancel mail-out…' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the mail-out' }).click();
    await expect.poll(state).toBe('State: Cancelled');
    expect(await page.getByRole('button', { name: 'Resend to the undelivered' }).isVisible()).toBe(true);
  });
});
