/**
 * Driving the hosted pages the way a person does: Debian's Chromium through playwright-core, links
 * read from the e-mails the SES emulator kept, an axe-core scan and a screenshot of what they saw.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import {
  api,
  db,
  emailsTo,
  linkIn,
  memberIdFor,
  registration,
  type StoredEmail,
  table,
  tokenSecret,
  uniqueEmail,
  waitFor,
  waitForEmails,
} from '../integration/helpers';

const require = createRequire(import.meta.url);
const axeScript = require.resolve('axe-core/axe.min.js');

const screenshotDir = path.resolve('test-output/screenshots');
const axeReportDir = path.resolve('test-output/axe');

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/**
 * A fresh visitor: no cookies or storage carried over. `bypassCSP` only so that axe can be injected
 * into the server-rendered pages, whose policy allows no scripts at all.
 */
export function newVisitor(browser: Browser, options: { forAxe?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: inject('baseUrl'),
    viewport: { width: 1024, height: 800 },
    locale: 'en-GB',
    acceptDownloads: true,
    bypassCSP: options.forAxe === true,
  });
}

/** What has focus, by its id (or its class when it has none); '' when nothing in particular has. */
export async function focusedName(page: Page): Promise<string> {
  const focus = page.locator(':focus');
  if ((await focus.count()) === 0) return '';
  const element = focus.first();
  return (await element.getAttribute('id')) || (await element.getAttribute('class')) || '';
}

/** Links in e-mails carry the configured public origin; the browser stays on the runtime's own. */
export const onRuntime = (link: string): string => {
  const url = new URL(link);
  return new URL(`${url.pathname}${url.search}`, inject('baseUrl')).href;
};

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const axeOptions = {
  resultTypes: ['violations'],
  runOnly: {
    type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
  },
};

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** Runs axe-core on the page as it is now; keeps the full findings under test-output/axe/. */
export async function axeScan(page: Page, name: string): Promise<AxeViolation[]> {
  // The test code is type-checked without the DOM library: the page is reached through globalThis.
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) await page.addScriptTag({ path: axeScript });
  const violations = await page.evaluate(async (options) => {
    const { axe, document } = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> };
      document: unknown;
    };
    return (await axe.run(document, options)).violations;
  }, axeOptions);
  mkdirSync(axeReportDir, { recursive: true });
  writeFileSync(path.join(axeReportDir, `${name}.json`), JSON.stringify(violations, null, 2));
  return violations as AxeViolation[];
}

/** What fails a scan: anything axe rates moderate or worse. Minor findings stay in the report for people. */
const failingImpacts: ReadonlySet<AxeViolation['impact']> = new Set(['moderate', 'serious', 'critical']);

export interface AxeFinding {
  rule: string;
  impact: AxeViolation['impact'];
  help: string;
  where: string[];
}

/** The findings that fail a scan (moderate, serious or critical), in a form a failed assertion can show. */
export function failingFindings(violations: AxeViolation[]): AxeFinding[] {
  return violations
    .filter((violation) => failingImpacts.has(violation.impact))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      where: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

/**
 * The one check every page and state goes through: photographs the page as it is, scans it with axe
 * and returns what fails (the full findings go to test-output/axe/<name>.json). Tests expect `[]`.
 */
export async function accessibilityProblems(page: Page, name: string): Promise<AxeFinding[]> {
  await screenshot(page, name);
  return failingFindings(await axeScan(page, name));
}

/** Waits for app.js to have put the alliance's own name on the page (form-options has loaded). */
export async function brandedPage(page: Page, pathAndQuery: string): Promise<void> {
  await page.goto(pathAndQuery);
  await expect
    .poll(() => page.locator('.brand [data-alliance="name"]').textContent())
    .not.toBe('The alliance');
}

export interface Person {
  name: string;
  email: string;
  organisation: string;
}

export const newPerson = (label: string): Person => {
  const suffix = Math.random().toString(36).slice(2, 8);
  return {
    name: `${label} Tester ${suffix}`,
    email: uniqueEmail(label.toLowerCase()),
    organisation: `${label} Labs ${suffix}`,
  };
};

/** Fills the hosted registration form with the pointer, as most people would. */
export async function fillRegistrationForm(page: Page, person: Person): Promise<void> {
  await page.getByRole('textbox', { name: /^Full name/ }).fill(person.name);
  await page.getByRole('textbox', { name: /^E-mail address/ }).fill(person.email);
  await page.getByRole('textbox', { name: /^Organisation/ }).fill(person.organisation);
  await page.getByRole('radio', { name: 'University' }).check();
  await page.getByRole('checkbox', { name: 'Smart City Alliance' }).check();
  await page.getByRole('checkbox', { name: 'Mobility and transport' }).check();
  await page.getByRole('checkbox', { name: /e-mail updates/i }).check();
  await page.getByRole('checkbox', { name: /privacy notice/i }).check();
}

export const findEmail = (emails: StoredEmail[], subject: RegExp): StoredEmail => {
  const found = emails.find((email) => subject.test(email.subject));
  if (!found) throw new Error(`no e-mail like ${subject} among: ${emails.map((e) => e.subject).join('; ')}`);
  return found;
};

export const confirmLinkIn = (email: StoredEmail) =>
  linkIn(email.body.text ?? '', '/api/members/confirm?token=');

/** Waits for the welcome e-mail to this address and returns its links, moved onto the runtime. */
export async function welcomeLinks(address: string) {
  const welcome = await waitFor(
    `the welcome e-mail to ${address}`,
    async () => (await emailsTo(address)).find((email) => /welcome/i.test(email.subject)),
    20_000,
  );
  const text = welcome.body.text ?? '';
  return {
    welcome,
    preferences: onRuntime(linkIn(text, '/preferences.html?token=')),
    unsubscribe: onRuntime(linkIn(text, '/api/unsubscribe?token=')),
  };
}

/**
 * A member who registered and confirmed without the browser (the API, from another loopback
 * address), for tests about what comes after. Returns their welcome e-mail's links.
 */
export async function confirmedMember(person: Person, overrides: Record<string, unknown> = {}) {
  const registered = await api('POST', '/api/members', {
    body: registration({ ...person, organisationType: 'university', ...overrides }),
  });
  expect(registered.status).toBe(202);
  const [confirmation] = await waitForEmails(person.email, 1);
  if (!confirmation) throw new Error(`no confirmation e-mail to ${person.email}`);
  const confirmLink = new URL(confirmLinkIn(confirmation));
  const confirmed = await api('POST', `${confirmLink.pathname}${confirmLink.search}`);
  expect(confirmed.status).toBe(200);
  return welcomeLinks(person.email);
}

/** A correctly signed link token, as the backend issues them; a negative lifetime makes it expired. */
export function signedToken(purpose: string, subject: string = randomUUID(), lifetimeSeconds = 3600) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('alliance')
    .setAudience(purpose)
    .setSubject(subject)
    .setIssuedAt(Math.min(now, now + lifetimeSeconds - 3600))
    .setExpirationTime(now + lifetimeSeconds)
    .sign(new TextEncoder().encode(tokenSecret()));
}

/** A correctly signed token for `purpose` that expired an hour ago. */
export const expiredToken = (purpose: string, subject?: string) => signedToken(purpose, subject, -3600);

/** The member's profile item as DynamoDB holds it (`pk=MEMBER#<id>, sk=PROFILE`). */
export async function profileOf(email: string) {
  const memberId = await memberIdFor(email);
  expect(memberId).toBeDefined();
  const result = await db().send(
    new GetCommand({ TableName: table('members'), Key: { pk: `MEMBER#${memberId}`, sk: 'PROFILE' } }),
  );
  return result.Item;
}
