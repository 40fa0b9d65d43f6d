import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  api,
  bearerToken,
  createActivity,
  emailsTo,
  linkIn,
  registration,
  uniqueEmail,
  waitFor,
  waitForEmails,
} from '../integration/helpers';
import {
  type AxeFinding,
  type AxeViolation,
  accessibilityProblems,
  brandedPage,
  confirmedMember,
  confirmLinkIn,
  expiredToken,
  fillRegistrationForm,
  launchBrowser,
  newPerson,
  newVisitor,
  onRuntime,
  signedToken,
  welcomeLinks,
} from './browser';

/**
 * Every page the system serves and every state a person can reach in these tests, scanned with
 * axe-core (WCAG 2.x A/AA and best practice) and photographed under test-output/screenshots/:
 * the static pages (registration, activities, preferences, privacy, not found) in each of their
 * states, and the server-rendered pages behind links in e-mails (confirm, unsubscribe, RSVP book,
 * booked, waitlisted, cancel, cancelled, nothing to cancel, "check your inbox", expired and not-valid
 * links), and the analysts' evidence report. The feedback pages are scanned in feedback.test.ts with
 * the same check. Moderate, serious or critical findings fail; minor ones are written to
 * test-output/axe/ for people to look at.
 */
let browser: Browser;
let context: BrowserContext;
let page: Page;
const scanned: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  // Every finding of every scan, minor ones included, by page and state.
  const reportOf = (name: string): AxeViolation[] => {
    const file = path.resolve(`test-output/axe/${name}.json`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AxeViolation[]) : [];
  };
  writeFileSync(
    path.resolve('test-output/axe/summary.json'),
    JSON.stringify(
      Object.fromEntries(
        scanned.map((name) => [
          name,
          reportOf(name).map(
            (violation) => `${violation.impact}: ${violation.id} (${violation.nodes.length})`,
          ),
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

/** The page as it is now passes the scan: no moderate, serious or critical finding. */
async function check(name: string): Promise<void> {
  scanned.push(name);
  expect(await accessibilityProblems(page, name), `axe findings on ${name}`).toEqual([]);
}

const visible = (selector: string) => expect.poll(() => page.locator(selector).isVisible()).toBe(true);
const headingShown = (name: string) =>
  expect.poll(() => page.getByRole('heading', { level: 1, name }).isVisible()).toBe(true);

describe('the scan itself', () => {
  it('fails a real page once a missing alt text, faint text and a skipped heading level are planted in it', async () => {
    await brandedPage(page, '/privacy.html');
    expect(await accessibilityProblems(page, 'planted-before')).toEqual([]);

    await page.evaluate(() => {
      const { document } = globalThis as unknown as {
        document: { body: { insertAdjacentHTML: (where: string, markup: string) => void } };
      };
      document.body.insertAdjacentHTML(
        'beforeend',
        '<div><img src="/missing.png"><p style="color:#bbb;background:#fff">Faint print</p><h6>Skipped levels</h6></div>',
      );
    });
    const problems = await accessibilityProblems(page, 'planted-problems');
    const rules = (impact: AxeFinding['impact']) =>
      problems.filter((problem) => problem.impact === impact).map((problem) => problem.rule);
    expect(rules('critical')).toContain('image-alt');
    expect(rules('serious')).toContain('color-contrast');
    // Moderate findings fail too: content outside any landmark, a heading that skips levels.
    expect(rules('moderate')).toEqual(expect.arrayContaining(['region', 'heading-order']));
  });
});

describe('the registration page', () => {
  it('the form as it first appears has no accessibility problems', async () => {
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
  it('the privacy notice has no accessibility problems', async () => {
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
  it('a member’s preferences, the saved message and the delete confirmation have no accessibility problems', async () => {
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
  it('the confirm, confirmed, unsubscribe and unsubscribed pages have no accessibility problems', async () => {
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

  it('the expired-link page, the "check your inbox" page it leads to and the not-valid-link pages have none either', async () => {
    const expired = await page.goto(`/api/members/confirm?token=${await expiredToken('confirm')}`);
    expect(expired?.status()).toBe(410);
    await headingShown('This link has expired');
    await check('expired-link-page');

    // Without JavaScript: the page's own form asks for a fresh link and answers with a page.
    await page.getByRole('textbox', { name: 'Your e-mail address' }).fill(uniqueEmail('axe-fresh-link'));
    await page.getByRole('button', { name: 'E-mail me a fresh link' }).click();
    await headingShown('Check your inbox');
    await check('fresh-link-requested-page');

    const invalid = await page.goto('/api/members/confirm?token=not-a-token');
    expect(invalid?.status()).toBe(400);
    await check('invalid-link-page');

    const invalidRsvp = await page.goto('/api/rsvps/confirm?token=not-a-token');
    expect(invalidRsvp?.status()).toBe(400);
    await headingShown('This link is not valid');
    await check('rsvp-invalid-link-page');
  });
});

describe('the RSVP pages', () => {
  /** The link in the newest e-mail to `address` whose subject starts with `subject`, on the runtime. */
  const linkFrom = async (address: string, subject: string, pathPrefix: string) => {
    const mail = await waitFor(`"${subject}" to ${address}`, async () =>
      (await emailsTo(address)).find((candidate) => candidate.subject.startsWith(subject)),
    );
    return onRuntime(linkIn(mail.body.text ?? '', pathPrefix));
  };
  const cardOf = (title: string) =>
    page.locator('article', { has: page.getByRole('heading', { name: title, level: 2 }) });

  it('asking, booking, the waitlist, a full listing, cancelling and a second cancel have no accessibility problems', async () => {
    const title = `Accessible workshop ${Date.now()}`;
    const activity = await createActivity({ title, kind: 'workshop', capacity: 1 });
    const first = uniqueEmail('axe-rsvp-first');
    const second = uniqueEmail('axe-rsvp-second');

    await page.goto('/activities.html');
    await cardOf(title).waitFor();
    await check('activities');

    await cardOf(title).getByLabel('E-mail address').fill(first);
    await cardOf(title).locator('form button[type="submit"]').click();
    await expect
      .poll(() =>
        cardOf(title)
          .getByText(/check your inbox/i)
          .isVisible(),
      )
      .toBe(true);
    await check('activities-rsvp-requested');

    await page.goto(await linkFrom(first, 'Confirm your place', '/api/rsvps/confirm?token='));
    await headingShown(`Book your place: ${title}`);
    await check('rsvp-confirm-page');
    await page.getByRole('button', { name: 'Book my place' }).click();
    await headingShown('Your place is booked');
    await check('rsvp-booked');

    const asked = await api('POST', `/api/activities/${activity.id}/rsvps`, { body: { email: second } });
    expect(asked.status).toBe(202);
    await page.goto(await linkFrom(second, 'Confirm your place', '/api/rsvps/confirm?token='));
    await page.getByRole('button', { name: 'Book my place' }).click();
    await headingShown('You are on the waitlist');
    await check('rsvp-waitlisted');

    await page.goto('/activities.html');
    await expect.poll(() => cardOf(title).getByText(/full/i).first().isVisible()).toBe(true);
    await check('activities-full');

    await page.goto(await linkFrom(second, 'You are on the waitlist', '/api/rsvps/cancel?token='));
    await headingShown(`Leave the waitlist: ${title}`);
    await check('rsvp-leave-waitlist-page');

    const cancelLink = await linkFrom(first, 'You are booked', '/api/rsvps/cancel?token=');
    await page.goto(cancelLink);
    await headingShown(`Cancel your place: ${title}`);
    await check('rsvp-cancel-page');
    await page.getByRole('button', { name: 'Cancel my place' }).click();
    await headingShown('Booking cancelled');
    await check('rsvp-cancelled');

    await page.goto(cancelLink);
    await expect
      .poll(() => page.getByText('There is nothing to cancel', { exact: false }).isVisible())
      .toBe(true);
    await check('rsvp-nothing-to-cancel');
  });
});

describe('the evidence report', () => {
  it('the yearly report analysts open as a page has no accessibility problems', async () => {
    const report = await api('GET', `/api/exports/evidence?year=${new Date().getUTCFullYear()}&format=html`, {
      token: await bearerToken(['analyst']),
    });
    expect(report.status).toBe(200);
    await page.goto('/privacy.html');
    await page.setContent(report.text);
    await check('evidence-report');
  });
});
