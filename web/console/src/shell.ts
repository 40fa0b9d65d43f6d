/**
 * The frame every console page shares: sign-in first, then a header with the alliance's name, the
 * pages this person may use, who is signed in and a sign-out button; then the page's own content.
 * A page for staff tells an analyst plainly that it is not theirs (the API would answer 403 anyway).
 */
import { currentSession, type Session, signOut } from './auth';
import { h, replace } from './dom';

export interface AllianceOptions {
  alliance: { name: string; shortName: string; timeZone: string };
  networks: Array<{ id: string; name: string }>;
  interests: Array<{ id: string; name: string }>;
  organisationTypes: Array<{ id: string; name: string }>;
  activityKinds: Array<{ id: string; name: string }>;
}

export interface PageContext {
  session: Session;
  options: AllianceOptions;
  /** Tells screen-reader users what just happened (a polite live region in the header). */
  announce: (message: string) => void;
}

interface PageSpec {
  /** The page's heading and title. */
  title: string;
  /** Who may use it: `analyst` pages are open to staff too. */
  needs: 'staff' | 'analyst';
  render: (main: HTMLElement, context: PageContext) => void | Promise<void>;
}

/** The console's pages, in the order the navigation shows them. */
export const consolePages = [
  { href: '/console/', label: 'Overview', needs: 'analyst' },
  { href: '/console/activities.html', label: 'Activities', needs: 'staff' },
  { href: '/console/mailouts.html', label: 'Mail-outs', needs: 'staff' },
  { href: '/console/consent.html', label: 'Consent records', needs: 'staff' },
  { href: '/console/engagement.html', label: 'Engagement', needs: 'analyst' },
  { href: '/console/evidence.html', label: 'Evidence report', needs: 'analyst' },
] as const;

const mayUse = (session: Session, needs: 'staff' | 'analyst') =>
  session.isStaff || (needs === 'analyst' && session.groups.includes('analyst'));

async function loadOptions(): Promise<AllianceOptions> {
  const response = await fetch('/api/form-options');
  if (!response.ok) throw new Error(`The alliance's settings could not be loaded (${response.status}).`);
  return (await response.json()) as AllianceOptions;
}

export async function consolePage(spec: PageSpec): Promise<void> {
  const main = document.getElementById('main');
  const header = document.getElementById('console-header');
  if (!main || !header) throw new Error('console page without #main and #console-header');
  const [session, options] = await Promise.all([currentSession(), loadOptions()]);
  const live = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const announce = (message: string) => {
    live.textContent = '';
    window.setTimeout(() => {
      live.textContent = message;
    }, 50);
  };
  const here = window.location.pathname.replace(/index\.html$/, '');
  replace(
    header,
    h(
      'div',
      { class: 'console-bar' },
      h('a', { class: 'brand', href: '/console/' }, `${options.alliance.shortName} console`),
      h(
        'p',
        { class: 'console-user' },
        `Signed in as ${session.name} (${session.isStaff ? 'staff' : 'analyst'}) `,
        h(
          'button',
          { type: 'button', class: 'button button-secondary', onclick: () => void signOut() },
          'Sign out',
        ),
      ),
    ),
    h(
      'nav',
      { 'aria-label': 'Console' },
      h(
        'ul',
        { class: 'console-nav' },
        consolePages
          .filter((page) => mayUse(session, page.needs))
          .map((page) =>
            h(
              'li',
              {},
              h(
                'a',
                { href: page.href, 'aria-current': page.href === here ? 'page' : undefined },
                page.label,
              ),
            ),
          ),
      ),
    ),
    live,
  );
  document.title = `${spec.title}: ${options.alliance.shortName} console`;
  replace(main, h('h1', {}, spec.title));
  if (!mayUse(session, spec.needs)) {
    main.append(
      h(
        'div',
        { class: 'panel panel-warning', role: 'alert' },
        h('p', {}, `This page is for staff. You are signed in as an analyst, so you cannot use it.`),
        h('p', {}, h('a', { href: '/console/' }, 'Back to the overview')),
      ),
    );
    return;
  }
  await spec.render(main, { session, options, announce });
}

/** Shows an error where the page's content would be, as an alert, without losing the page. */
export function errorPanel(message: string): HTMLElement {
  return h('div', { class: 'panel panel-warning', role: 'alert' }, h('p', {}, message));
}
