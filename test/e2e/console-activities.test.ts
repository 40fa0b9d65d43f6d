import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivity, linkIn, memberIdFor, uniqueEmail, waitForEmails } from '../integration/helpers';
import {
  accessibilityProblems,
  confirmedMember,
  launchBrowser,
  newPerson,
  newVisitor,
  onRuntime,
} from './browser';
import { signInToConsole } from './console';

let browser: Browser;
let staff: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  staff = await newVisitor(browser, { forAxe: true });
  page = await staff.newPage();
});
afterAll(async () => {
  await staff?.close();
  await browser?.close();
});

/** A date `days` from today, as a datetime-local field takes it (the time is London's wall clock). */
const localDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function fillActivityForm(title: string, capacity: string) {
  const form = page.locator('#new-activity form');
  await form.getByLabel('Kind of activity').selectOption({ label: 'Thematic workshop' });
  await form.getByLabel('Network').selectOption({ label: 'Smart City Alliance' });
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Starts').fill(`${localDay(12)}T18:00`);
  await form.getByLabel('Ends').fill(`${localDay(12)}T20:00`);
  await form.getByLabel('Venue').fill('Birmingham Science Park');
  await form.getByLabel('Capacity').fill(capacity);
}

/** Books through the public activities page and confirms from the e-mail, as a guest would. */
async function bookFromThePublicPage(title: string, email: string) {
  const visitor = await newVisitor(browser);
  const publicPage = await visitor.newPage();
  try {
    await publicPage.goto('/activities.html');
    const card = publicPage.locator('article', {
      has: publicPage.getByRole('heading', { name: title, level: 2 }),
    });
    await card.getByLabel('E-mail address').fill(email);
    await card.locator('form button[type="submit"]').click();
    await expect.poll(() => card.getByText(/check your inbox/i).isVisible()).toBe(true);
    const [mail] = await waitForEmails(email, 1);
    await publicPage.goto(onRuntime(linkIn(mail?.body.text ?? '', '/api/rsvps/confirm?token=')));
    await publicPage.getByRole('button', { name: 'Book my place' }).click();
    await expect
      .poll(() => publicPage.getByRole('heading', { level: 1 }).textContent())
      .toBe('Your place is booked');
  } finally {
    await visitor.close();
  }
}

describe('the activities console', () => {
  it('Staff signs in locally, creates an activity, sees a booking made through the public page appear in the roster, records attendance from a pasted CSV with one bad row reported', async () => {
    const pastTitle = `Last spring's network meeting ${Date.now()}`;
    const lastYear = new Date(Date.now() - 200 * 86_400_000);
    await createActivity({
      title: pastTitle,
      startsAt: lastYear.toISOString(),
      endsAt: new Date(lastYear.getTime() + 3_600_000).toISOString(),
    });
    await signInToConsole(page, 'staff', '/console/activities.html');
    const past = page.getByRole('region', { name: 'Past activities, latest first' });
    await expect.poll(() => past.getByRole('link', { name: pastTitle }).isVisible()).toBe(true);
    expect(await accessibilityProblems(page, 'console-activities-list')).toEqual([]);

    const title = `Digital twins workshop ${Date.now()}`;
    await page.getByRole('button', { name: 'Schedule an activity' }).click();
    await fillActivityForm(title, '5');
    expect(await accessibilityProblems(page, 'console-activities-new')).toEqual([]);
    await page.getByRole('button', { name: 'Schedule the activity' }).click();
    await page.waitForURL(/activities\.html\?id=/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
    expect(await page.getByText('The activity is scheduled.').isVisible()).toBe(true);
    // Typed as 18:00 London time, shown as 18:00 London time, whatever the browser's own zone.
    expect(await page.locator('.activity-summary').textContent()).toMatch(/Starts.*18:00.*Ends.*20:00/);
    expect(await page.getByText('Nobody has booked yet.').isVisible()).toBe(true);
    expect(await accessibilityProblems(page, 'console-activity-detail')).toEqual([]);

    const booker = uniqueEmail('booker');
    await bookFromThePublicPage(title, booker);
    await page.getByRole('button', { name: 'Refresh the roster' }).click();
    const booked = page.getByRole('region', { name: 'Booked: 1' });
    await expect.poll(() => booked.getByRole('cell', { name: booker }).isVisible()).toBe(true);
    expect(await page.locator('#roster-counts').textContent()).toBe(
      'Booked: 1 of 5. Waitlisted: 0. Cancelled: 0.',
    );
    expect(await accessibilityProblems(page, 'console-activity-roster')).toEqual([]);

    const guest = uniqueEmail('guest');
    await page
      .getByLabel('Attendees as CSV')
      .fill(`email,name\n${booker},Bea Booker\nnot-an-address,Bad Row\n${guest},"Gus, the Guest"\n`);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('heading', { name: /^Preview:/ });
    await expect
      .poll(() => preview.textContent())
      .toBe('Preview: 2 ready to record, 1 with a problem (not recorded)');
    const badRow = page.locator('.preview-table tr', { hasText: 'not-an-address' });
    expect(await badRow.locator('td').last().textContent()).toBe('“not-an-address” is not an e-mail address');
    expect(await page.locator('.preview-table tr', { hasText: guest }).textContent()).toContain(
      'Gus, the Guest',
    );
    expect(await accessibilityProblems(page, 'console-attendance-preview')).toEqual([]);

    await page.getByRole('button', { name: 'Record 2 attendees' }).click();
    await expect
      .poll(() => page.getByText(/^Recorded \d+ attendees/).textContent())
      .toBe('Recorded 2 attendees.');
    expect(await accessibilityProblems(page, 'console-attendance-recorded')).toEqual([]);
  });

  it('staff change an activity, and cancel it only after confirming', async () => {
    const title = `Policy breakfast ${Date.now()}`;
    const activity = await createActivity({ title, kind: 'policy-practice', capacity: 10 });
    await signInToConsole(page, 'staff', `/console/activities.html?id=${activity.id}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);

    await page.getByText('Change this activity').click();
    await page.locator('.change-details').getByLabel('Capacity').fill('12');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByText('The changes are saved.').isVisible()).toBe(true);
    expect(await page.locator('.activity-summary').textContent()).toMatch(/Capacity12/);
    await page.getByRole('button', { name: 'Cancel this activity…' }).click();
    const confirmation = page.getByRole('group', { name: `Cancel “${title}”?` });
    await expect.poll(() => confirmation.isVisible()).toBe(true);
    expect(await accessibilityProblems(page, 'console-activity-confirm-cancel')).toEqual([]);
    await confirmation.getByRole('button', { name: 'Yes, cancel the activity' }).click();
    await expect.poll(() => page.getByText(/^The activity is cancelled\./).isVisible()).toBe(true);
    expect(await page.locator('.activity-summary').textContent()).toMatch(/StatusCancelled/);
  });

  it('a new activity with a bad field shows the API’s message next to that field, also on a 320 px wide screen', async () => {
    await page.setViewportSize({ width: 320, height: 700 });
    try {
      await signInToConsole(page, 'staff', '/console/activities.html');
      await page.getByRole('button', { name: 'Schedule an activity' }).click();
      await fillActivityForm(`Too small ${Date.now()}`, '0');
      await page.getByRole('button', { name: 'Schedule the activity' }).click();
      const capacity = page.locator('[data-field="capacity"]');
      await expect
        .poll(() => capacity.locator('.error-message').textContent())
        .toBe('capacity must be at least 1');
      expect(await capacity.getByLabel('Capacity').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('.error-summary').isVisible()).toBe(true);
      expect(await page.locator('[data-field="title"] .error-message').count()).toBe(0);
      const widths = await page.evaluate(() => {
        const root = (
          globalThis as unknown as {
            document: { documentElement: { scrollWidth: number; clientWidth: number } };
          }
        ).document.documentElement;
        return { scroll: root.scrollWidth, client: root.clientWidth };
      });
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      expect(await accessibilityProblems(page, 'console-activity-bad-field-320')).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1024, height: 800 });
    }
  });

  it("the consent page shows a real member's record, says when there is no such member, and refuses a malformed id", async () => {
    const person = newPerson('Consent');
    await confirmedMember(person);
    const memberId = await memberIdFor(person.email);
    if (!memberId) throw new Error(`no member id for ${person.email}`);

    await signInToConsole(page, 'staff', '/console/consent.html');
    await page.getByLabel('Member id').fill(memberId);
    await page.getByRole('button', { name: 'Show the consent record' }).click();
    await expect
      .poll(() =>
        page.getByRole('heading', { level: 2, name: `Consent record of member ${memberId}` }).isVisible(),
      )
      .toBe(true);
    const byPurpose = page.getByRole('table', { name: 'Consent by purpose' });
    expect(await byPurpose.getByRole('row', { name: /Privacy notice/ }).textContent()).toMatch(/Confirmed/);
    expect(await byPurpose.getByRole('row', { name: /E-mail updates/ }).textContent()).toMatch(/Confirmed/);
    const entries = page.getByRole('table', { name: 'Every entry, oldest first' });
    expect(await entries.getByText('Registration form').first().isVisible()).toBe(true);
    expect(await entries.getByText('Link in the confirmation e-mail').first().isVisible()).toBe(true);
    expect(await accessibilityProblems(page, 'console-consent-record')).toEqual([]);

    await page.getByLabel('Member id').fill('00000000-0000-4000-8000-000000000000');
    await page.getByRole('button', { name: 'Show the consent record' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'No such member' }).isVisible())
      .toBe(true);
    expect(await accessibilityProblems(page, 'console-consent-no-such-member')).toEqual([]);

    await page.getByLabel('Member id').fill('member 42');
    await page.getByRole('button', { name: 'Show the consent record' }).click();
    await expect
      .poll(() => page.locator('[data-field="memberId"] .error-message').textContent())
      .toMatch(/must be a UUID/);
    expect(await page.getByLabel('Member id').getAttribute('aria-invalid')).toBe('true');
    expect(await accessibilityProblems(page, 'console-consent-bad-id')).toEqual([]);
  });

  it('the consent page finds a member by e-mail address in any letter case, and shows the API’s message next to the field', async () => {
    const person = newPerson('ConsentByEmail');
    await confirmedMember(person);
    const memberId = await memberIdFor(person.email);
    if (!memberId) throw new Error(`no member id for ${person.email}`);

    await signInToConsole(page, 'staff', '/console/consent.html');
    const address = page.getByLabel('E-mail address', { exact: true });
    await address.fill(person.email.toUpperCase());
    await address.press('Enter');
    await expect
      .poll(() =>
        page.getByRole('heading', { level: 2, name: `Consent record of member ${memberId}` }).isVisible(),
      )
      .toBe(true);
    const byPurpose = page.getByRole('table', { name: 'Consent by purpose' });
    expect(await byPurpose.getByRole('row', { name: /Privacy notice/ }).textContent()).toMatch(/Confirmed/);
    expect(await byPurpose.getByRole('row', { name: /E-mail updates/ }).textContent()).toMatch(/Confirmed/);
    const entries = page.getByRole('table', { name: 'Every entry, oldest first' });
    expect(await entries.getByText('Registration form').first().isVisible()).toBe(true);
    // The address never goes into a URL; the record's member id does, so it can be linked to.
    expect(page.url().toLowerCase()).not.toContain(person.email.toLowerCase().split('@')[0]);
    expect(new URL(page.url()).searchParams.get('member')).toBe(memberId);
    expect(await accessibilityProblems(page, 'console-consent-by-email')).toEqual([]);

    await address.fill(`nobody-${memberId.slice(0, 8)}@example.org`);
    await page.getByRole('button', { name: 'Find by e-mail address' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'No member with that address.' }).isVisible())
      .toBe(true);
    expect(new URL(page.url()).searchParams.has('member')).toBe(false);
    expect(await accessibilityProblems(page, 'console-consent-no-such-address')).toEqual([]);

    await address.fill('not an address');
    await page.getByRole('button', { name: 'Find by e-mail address' }).click();
    await expect
      .poll(() => page.locator('[data-field="email"] .error-message').textContent())
      .toMatch(/correct format/);
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect(await accessibilityProblems(page, 'console-consent-bad-address')).toEqual([]);
  });
});

/** Presses Tab until what has focus is named `name` (its label or text); fails after `limit` presses. */
async function tabTo(target: Page, name: RegExp, limit = 60): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    await target.keyboard.press('Tab');
    const focused = await target.evaluate(() => {
      const { document } = globalThis as unknown as {
        document: {
          activeElement: {
            textContent: string | null;
            id: string;
            labels?: Array<{ textContent: string | null }>;
          } | null;
        };
      };
      const element = document.activeElement;
      return `${element?.labels?.[0]?.textContent ?? ''} ${element?.textContent ?? ''}`.trim();
    });
    if (name.test(focused)) return;
  }
  throw new Error(`nothing named ${name} took focus within ${limit} presses of Tab`);
}

describe('the console with the keyboard alone', () => {
  it('staff sign in, go to Activities and schedule an activity without touching the mouse', async () => {
    const context = await newVisitor(browser, { forAxe: true });
    const keyboard = await context.newPage();
    try {
      await keyboard.goto('/console/');
      await keyboard.waitForURL(/\/_local\/oidc\/authorize/);
      await tabTo(keyboard, /^Staff:/);
      await keyboard.keyboard.press('Space');
      await tabTo(keyboard, /^Your name/);
      await keyboard.keyboard.press('Control+A');
      await keyboard.keyboard.type('Kay Board');
      await keyboard.keyboard.press('Enter');
      await expect.poll(() => keyboard.getByText('Signed in as Kay Board (staff)').isVisible()).toBe(true);

      await tabTo(keyboard, /^Activities$/);
      await keyboard.keyboard.press('Enter');
      await keyboard.waitForURL(/activities\.html$/);
      await expect
        .poll(() => keyboard.getByRole('button', { name: 'Schedule an activity' }).isVisible())
        .toBe(true);
      await tabTo(keyboard, /^Schedule an activity$/);
      await keyboard.keyboard.press('Enter');

      const title = `Keyboard workshop ${Date.now()}`;
      await tabTo(keyboard, /^Kind of activity/);
      await keyboard.keyboard.type('Thematic');
      await tabTo(keyboard, /^Network/);
      await keyboard.keyboard.type('Smart');
      await tabTo(keyboard, /^Title/);
      await keyboard.keyboard.type(title);
      await tabTo(keyboard, /^Starts/);
      // A date-time field: day, month, year (its year takes up to six digits), then on to the time.
      await keyboard.keyboard.type(localDay(20).split('-').reverse().join(''));
      await keyboard.keyboard.press('ArrowRight');
      await keyboard.keyboard.type('1800');
      await tabTo(keyboard, /^Ends/);
      await keyboard.keyboard.type(localDay(20).split('-').reverse().join(''));
      await keyboard.keyboard.press('ArrowRight');
      await keyboard.keyboard.type('1930');
      await tabTo(keyboard, /^Venue/);
      await keyboard.keyboard.type('Innovation Quarter');
      await tabTo(keyboard, /^Capacity/);
      await keyboard.keyboard.type('12');
      await tabTo(keyboard, /^Schedule the activity$/);
      await keyboard.keyboard.press('Enter');
      await keyboard.waitForURL(/activities\.html\?id=/);
      await expect.poll(() => keyboard.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      expect(await keyboard.locator('.activity-summary').textContent()).toMatch(/Starts.*18:00.*Ends.*19:30/);
    } finally {
      await context.close();
    }
  });
});
