/**
 * Driving the staff and analyst console: signing in through the local stand-in of the hosted
 * sign-in, as a person would (the console sends the browser there, the person picks a group).
 */
import type { Page } from 'playwright-core';
import { expect, inject } from 'vitest';

export type ConsoleGroup = 'staff' | 'analyst';

/**
 * Opens `path` in the console; when the stand-in's sign-in page shows, signs in as `group` and
 * waits to be back on `path` with the console's header drawn.
 */
export async function signInToConsole(
  page: Page,
  group: ConsoleGroup,
  path = '/console/',
  name = group === 'staff' ? 'Sam Staff' : 'Ana Analyst',
): Promise<void> {
  await page.goto(path);
  const signOut = page.getByRole('button', { name: 'Sign out' });
  const onSignInPage = () => new URL(page.url()).pathname.startsWith('/_local/oidc/');
  // The console decides in the browser: it either sends the visitor to sign-in or draws its header.
  await expect.poll(async () => onSignInPage() || (await signOut.isVisible())).toBe(true);
  if (onSignInPage()) {
    await page.getByRole('radio', { name: new RegExp(`^${group}`, 'i') }).check();
    await page.getByRole('textbox', { name: 'Your name' }).fill(name);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.waitForURL((url) => url.pathname === pathOnly(path));
  await expect.poll(() => signOut.isVisible()).toBe(true);
}

const pathOnly = (path: string) => new URL(path, 'http://x').pathname;

/** Makes the tokens the stand-in issues from now on last `seconds` (tests of expiry mid-session). */
export async function setTokenLifetime(seconds: number): Promise<void> {
  const response = await fetch(new URL('/_local/oidc/lifetime', inject('baseUrl')), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  });
  expect(response.status).toBe(200);
}
