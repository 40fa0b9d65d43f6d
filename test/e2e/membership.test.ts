import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  api,
  emailsTo,
  linkIn,
  memberIdFor,
  registration,
  scanAll,
  waitFor,
  waitForEmails,
} from '../integration/helpers';
import {
  brandedPage,
  confirmedMember,
  confirmLinkIn,
  expiredToken,
  fillRegistrationForm,
  findEmail,
  focusedName,
  launchBrowser,
  newPerson,
  newVisitor,
  onRuntime,
  profileOf,
  screenshot,
  welcomeLinks,
} from './browser';

let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  context = await newVisitor(browser);
  page = await context.newPage();
});
afterEach(async () => {
  await context?.close();
});

const checkbox = (name: string | RegExp) => page.getByRole('checkbox', { name });
const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

async function openPreferences(link: string) {
  await brandedPage(page, link);
  await expect.poll(() => page.locator('#member-area').isVisible()).toBe(true);
}

describe('registering through the hosted form', () => {
  it('a person registers, opens the confirmation link from the e-mail, presses the button and sees they are registered; the welcome e-mail arrives', async () => {
    const person = newPerson('Journey');
    await brandedPage(page, '/');
    await expect.poll(() => page.locator('#registration-form').isVisible()).toBe(true);
    await fillRegistrationForm(page, person);
    await screenshot(page, 'registration-filled');

    await page.getByRole('button', { name: 'Register' }).click();

    await expect.poll(() => heading('Check your inbox').isVisible()).toBe(true);
    expect(await page.locator('#thanks-email').textContent()).toBe(person.email);
    expect(await focusedName(page)).toBe('thanks-heading');

    const [confirmation] = await waitForEmails(person.email, 1);
    if (!confirmation) throw new Error('no confirmation e-mail');
    expect(confirmation.subject).toMatch(/confirm/i);
    await page.goto(onRuntime(confirmLinkIn(confirmation)));
    expect(await heading('Confirm your registration').isVisible()).toBe(true);
    expect((await profileOf(person.email))?.status).toBe('pending');

    await page.getByRole('button', { name: 'Confirm my registration' }).click();

    await expect.poll(() => heading('You are registered').isVisible()).toBe(true);
    expect(await page.locator('main').textContent()).toMatch(/registration is confirmed/i);
    await screenshot(page, 'journey-confirmed');
    expect((await profileOf(person.email))?.status).toBe('confirmed');
    const { welcome, preferences, unsubscribe } = await welcomeLinks(person.email);
    expect(welcome.body.text).toContain(person.name);
    // Both links are in the HTML part too (with & escaped), not only in the text part.
    const html = welcome.body.html ?? '';
    expect(linkIn(html, '/preferences.html?token=')).toBeTruthy();
    expect(linkIn(html, '/api/unsubscribe?token=')).toBeTruthy();
    expect(new URL(preferences).searchParams.get('token')).toBeTruthy();
    expect(new URL(unsubscribe).searchParams.get('token')).toBeTruthy();
  });
});

describe('the preferences page from the welcome e-mail', () => {
  it('a member changes their networks, interests and e-mail updates and sees them saved', async () => {
    const person = newPerson('Preferences');
    const links = await confirmedMember(person, {
      networks: ['smart-city-alliance'],
      interests: ['mobility'],
    });

    await openPreferences(links.preferences);
    expect(await page.locator('#member-name').textContent()).toBe(person.name);
    expect(await page.locator('#member-email').textContent()).toBe(person.email);
    expect(await page.locator('#member-organisation').textContent()).toBe(person.organisation);
    expect(await page.locator('#member-organisation-type').textContent()).toBe('University');
    expect(await checkbox('Smart City Alliance').isChecked()).toBe(true);
    expect(await checkbox('Mobility and transport').isChecked()).toBe(true);
    expect(await checkbox(/e-mail updates/i).isChecked()).toBe(true);

    await checkbox('Innovation Support Forum').check();
    await checkbox('Smart City Alliance').uncheck();
    await checkbox('Energy and net zero').check();
    await checkbox('Data and digital infrastructure').check();
    await checkbox('Mobility and transport').uncheck();
    await checkbox(/e-mail updates/i).uncheck();
    await page.getByRole('button', { name: 'Save my preferences' }).click();

    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).textContent())
      .toMatch(/^Saved\. We have updated your networks, interests and e-mail updates\.$/);
    await screenshot(page, 'preferences-saved');
    const profile = await profileOf(person.email);
    expect(profile?.networks).toEqual(['innovation-support-forum']);
    expect([...(profile?.interests ?? [])].sort()).toEqual(['data', 'energy']);
    expect(profile?.newsletter).toBe(false);

    await page.reload();
    await expect.poll(() => page.locator('#member-area').isVisible()).toBe(true);
    expect(await checkbox('Innovation Support Forum').isChecked()).toBe(true);
    expect(await checkbox('Smart City Alliance').isChecked()).toBe(false);
    expect(await checkbox('Energy and net zero').isChecked()).toBe(true);
    expect(await checkbox(/e-mail updates/i).isChecked()).toBe(false);
  });

  it('a member who clears every network is told to keep at least one, and nothing is saved', async () => {
    const person = newPerson('Nonetwork');
    const links = await confirmedMember(person, { networks: ['working-groups'] });
    await openPreferences(links.preferences);

    await checkbox('Working groups').uncheck();
    await page.getByRole('button', { name: 'Save my preferences' }).click();

    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await expect.poll(() => summary.isVisible()).toBe(true);
    expect(await focusedName(page)).toBe('error-summary');
    expect(await page.title()).toMatch(/^Error: /);
    await summary.getByRole('link', { name: 'Select at least one network' }).click();
    expect(await focusedName(page)).toBe('networks-smart-city-alliance');
    expect((await profileOf(person.email))?.networks).toEqual(['working-groups']);
  });

  it('a member downloads their data: a JSON file with their e-mail address and the history of their consent', async () => {
    const person = newPerson('Download');
    const links = await confirmedMember(person);
    await openPreferences(links.preferences);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Download my data/ }).click(),
    ]);

    expect(download.suggestedFilename()).toBe('my-data.json');
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(JSON.stringify(exported)).toContain(person.email);
    expect(exported.profile).toMatchObject({ email: person.email, name: person.name });
    expect(Array.isArray(exported.consent)).toBe(true);
    const purposes = exported.consent.map((record: { purpose: string }) => record.purpose);
    expect(purposes).toEqual(expect.arrayContaining(['newsletter', 'privacy-notice']));
    for (const record of exported.consent) expect(Date.parse(record.at)).not.toBeNaN();
  });

  it('a member unsubscribes from the preferences page and the e-mail updates box is cleared', async () => {
    const person = newPerson('Prefsunsub');
    const links = await confirmedMember(person);
    await openPreferences(links.preferences);
    expect(await checkbox(/e-mail updates/i).isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Unsubscribe from all e-mail updates' }).click();

    await expect
      .poll(() => page.locator('#unsubscribe-status').textContent())
      .toBe('You are unsubscribed. We will not send you any more e-mail updates.');
    expect(await checkbox(/e-mail updates/i).isChecked()).toBe(false);
    expect((await profileOf(person.email))?.newsletter).toBe(false);
  });

  it('a member erases themselves after the confirmation step; afterwards the members table holds neither their address nor their name', async () => {
    const person = newPerson('Erasure');
    const links = await confirmedMember(person);
    await openPreferences(links.preferences);

    await page.getByRole('button', { name: 'Delete my data' }).click();
    const warning = 'This deletes your membership and all we hold about you. This cannot be undone.';
    expect(await page.getByText(warning).isVisible()).toBe(true);
    expect(await focusedName(page)).toBe('delete-confirm-heading');
    // One step at a time: the first button makes way for the confirmation.
    expect(await page.locator('#delete-start').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByText(warning).isVisible()).toBe(false);
    expect(await focusedName(page)).toBe('delete-start');
    expect(await memberIdFor(person.email)).toBeDefined();

    await page.getByRole('button', { name: 'Delete my data' }).click();
    await screenshot(page, 'preferences-delete-confirmation');
    await page.locator('#delete-confirm').getByRole('button', { name: 'Delete my data' }).click();

    await expect.poll(() => heading('Your data has been deleted').isVisible()).toBe(true);
    expect(await focusedName(page)).toBe('erased-heading');
    expect(new URL(page.url()).search).toBe('');
    await screenshot(page, 'preferences-erased');
    await waitFor('the member to be gone from the members table', async () => {
      const everything = JSON.stringify(await scanAll('members')).toLowerCase();
      return (
        !everything.includes(person.email.toLowerCase()) && !everything.includes(person.name.toLowerCase())
      );
    });

    await page.goto(links.preferences);
    await expect.poll(() => heading('We no longer hold your registration').isVisible()).toBe(true);
  });
  it('a member who left the page open longer than the erase link lasts can still delete their data', async () => {
    const person = newPerson('Lapsed');
    const links = await confirmedMember(person);
    const memberId = await memberIdFor(person.email);
    // The first load hands the page an erase link that has already lapsed, as 30 minutes would.
    let loads = 0;
    await page.route(
      (url) => url.pathname === '/api/preferences',
      async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        loads += 1;
        const response = await route.fetch();
        const body = await response.json();
        if (loads === 1)
          body.links.erase = `/api/members/erase?token=${await expiredToken('erase', memberId)}`;
        return route.fulfill({ response, json: body });
      },
    );
    await openPreferences(links.preferences);

    await page.getByRole('button', { name: 'Delete my data' }).click();
    await page.locator('#delete-confirm').getByRole('button', { name: 'Delete my data' }).click();

    await expect.poll(() => heading('Your data has been deleted').isVisible()).toBe(true);
    expect(loads).toBe(2);
    expect(await memberIdFor(person.email)).toBeUndefined();
  });
});

describe('links from e-mails', () => {
  it('a member unsubscribes from the page behind the e-mail’s unsubscribe link and sees a confirmation', async () => {
    const person = newPerson('Unsubscribe');
    const links = await confirmedMember(person);

    await page.goto(links.unsubscribe);
    expect(await heading('Unsubscribe from e-mail updates').isVisible()).toBe(true);
    // Opening the page changed nothing: only the button does (mail scanners follow links).
    expect((await profileOf(person.email))?.newsletter).toBe(true);
    await page.getByRole('button', { name: 'Unsubscribe' }).click();

    await expect.poll(() => heading('You are unsubscribed').isVisible()).toBe(true);
    await screenshot(page, 'unsubscribed');
    expect((await profileOf(person.email))?.newsletter).toBe(false);

    await openPreferences(links.preferences);
    expect(await checkbox(/e-mail updates/i).isChecked()).toBe(false);
  });

  it('a member whose preferences link has expired asks for a fresh one by e-mail and it works', async () => {
    const person = newPerson('Freshlink');
    await confirmedMember(person);
    const memberId = await memberIdFor(person.email);
    const before = (await emailsTo(person.email)).length;

    await brandedPage(page, `/preferences.html?token=${await expiredToken('preferences', memberId)}`);
    await expect.poll(() => heading('This link has expired').isVisible()).toBe(true);
    await page.getByRole('textbox', { name: 'E-mail address' }).fill(person.email);
    await page.getByRole('button', { name: 'E-mail me a fresh link' }).click();

    await expect.poll(() => page.getByRole('heading', { name: 'Check your inbox' }).isVisible()).toBe(true);
    expect(await page.locator('#fresh-link-email').textContent()).toBe(person.email);
    const emails = await waitForEmails(person.email, before + 1);
    const fresh = findEmail(emails.slice(before), /manage your/i);
    const link = onRuntime(linkIn(fresh.body.text ?? '', '/preferences.html?token='));
    await openPreferences(link);
    expect(await page.locator('#member-email').textContent()).toBe(person.email);
  });

  it('a person whose confirmation link has expired asks for a fresh one on the page that says so, and can confirm with it', async () => {
    const person = newPerson('Lateconfirm');
    const registered = await api('POST', '/api/members', { body: registration({ ...person }) });
    expect(registered.status).toBe(202);
    await waitForEmails(person.email, 1);
    const memberId = await memberIdFor(person.email);

    const expiredPage = await page.goto(
      `/api/members/confirm?token=${await expiredToken('confirm', memberId)}`,
    );
    expect(expiredPage?.status()).toBe(410);
    expect(await heading('This link has expired').isVisible()).toBe(true);
    await page.getByRole('textbox', { name: /e-mail address/i }).fill(person.email);
    await page.getByRole('button', { name: 'E-mail me a fresh link' }).click();

    await expect.poll(() => heading('Check your inbox').isVisible()).toBe(true);
    const [, fresh] = await waitForEmails(person.email, 2);
    if (!fresh) throw new Error('no fresh confirmation e-mail');
    await page.goto(onRuntime(confirmLinkIn(fresh)));
    await page.getByRole('button', { name: 'Confirm my registration' }).click();
    await expect.poll(() => heading('You are registered').isVisible()).toBe(true);
    expect((await profileOf(person.email))?.status).toBe('confirmed');
  });
});
