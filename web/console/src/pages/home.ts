/** The console's first page: what this person can do here, by group. */
import { h } from '../dom';
import { consolePage, consolePages } from '../shell';

const descriptions: Record<string, string> = {
  '/console/activities.html':
    'Schedule, change and cancel activities; see who is booked, waitlisted and cancelled; record attendance.',
  '/console/mailouts.html':
    'Write a mail-out, preview it, choose its audience, send it and watch it go out; see who read it.',
  '/console/consent.html': "Look up a member's consent record: what they agreed to, when and how.",
  '/console/engagement.html':
    'Engagement over time as charts and CSV: registrations, attendance, readership.',
  '/console/evidence.html': 'The yearly evidence report, with the changes against the year before.',
};

await consolePage({
  title: 'Overview',
  needs: 'analyst',
  render(main, { session }) {
    main.append(
      h('p', { class: 'lede' }, `Welcome, ${session.name}.`),
      h(
        'ul',
        { class: 'console-cards' },
        consolePages
          .filter((page) => page.href !== '/console/' && (session.isStaff || page.needs === 'analyst'))
          .map((page) =>
            h(
              'li',
              {},
              h('h2', {}, h('a', { href: page.href }, page.label)),
              h('p', {}, descriptions[page.href] ?? ''),
            ),
          ),
      ),
    );
  },
});
