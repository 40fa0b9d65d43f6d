/** Who is booked, waiting and cancelled for one activity, with counts and the API's CSV. */
import { downloadCsv } from '../api';
import { formatDateTime, h, replace } from '../dom';
import { errorPanel } from '../shell';
import type { RosterRow } from './types';

const groups = [
  { status: 'accepted', heading: 'Booked', empty: 'Nobody has booked yet.' },
  { status: 'waitlisted', heading: 'Waitlist', empty: 'Nobody is waiting.' },
  { status: 'cancelled', heading: 'Cancelled', empty: 'No cancellations.' },
] as const;

function rosterTable(id: string, caption: string, rows: RosterRow[], timeZone: string, waitlist: boolean) {
  const when = (row: RosterRow) =>
    formatDateTime(row.cancelledAt ?? row.acceptedAt ?? row.requestedAt, timeZone);
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': id },
    h(
      'table',
      { class: 'data-table roster-table' },
      h('caption', { id, class: 'visually-hidden' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          waitlist ? h('th', { scope: 'col', class: 'number' }, 'Position') : null,
          h('th', { scope: 'col' }, 'Name'),
          h('th', { scope: 'col' }, 'E-mail'),
          h('th', { scope: 'col' }, 'Member'),
          h('th', { scope: 'col' }, 'When'),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {},
            waitlist ? h('td', { class: 'number' }, String(row.waitlistPosition ?? '')) : null,
            h('td', {}, row.name || '(no name given)'),
            h('td', {}, row.email),
            h('td', {}, row.member ? 'Member' : 'Guest'),
            h('td', {}, when(row)),
          ),
        ),
      ),
    ),
  );
}

/** Draws the roster into `container`; `reload` fetches it again (after a refresh or a change). */
export function renderRoster(
  container: HTMLElement,
  activityId: string,
  rows: RosterRow[],
  capacity: number | null,
  timeZone: string,
  reload: () => Promise<void>,
): void {
  const count = (status: RosterRow['status']) => rows.filter((row) => row.status === status).length;
  const downloadMessage = h('div', {});
  const download = h(
    'button',
    { type: 'button', class: 'button button-secondary' },
    'Download the roster (CSV)',
  );
  download.addEventListener('click', async () => {
    replace(downloadMessage);
    try {
      await downloadCsv(
        `/api/activities/${encodeURIComponent(activityId)}/rsvps?format=csv`,
        `rsvps-${activityId}.csv`,
      );
    } catch (error) {
      replace(downloadMessage, errorPanel(`The roster could not be downloaded: ${(error as Error).message}`));
    }
  });
  const refresh = h('button', { type: 'button', class: 'button button-secondary' }, 'Refresh the roster');
  refresh.addEventListener('click', () => void reload());
  replace(
    container,
    h(
      'p',
      { class: 'roster-counts', id: 'roster-counts' },
      `Booked: ${count('accepted')}${capacity === null ? '' : ` of ${capacity}`}. `,
      `Waitlisted: ${count('waitlisted')}. Cancelled: ${count('cancelled')}.`,
    ),
    h('div', { class: 'toolbar' }, download, refresh),
    downloadMessage,
    groups.map((group) => {
      const members = rows.filter((row) => row.status === group.status);
      const headingId = `roster-${group.status}`;
      return h(
        'section',
        { 'aria-labelledby': headingId },
        h('h3', { id: headingId }, `${group.heading} (${members.length})`),
        members.length === 0
          ? h('p', {}, group.empty)
          : rosterTable(
              `${headingId}-caption`,
              `${group.heading}: ${members.length}`,
              members,
              timeZone,
              group.status === 'waitlisted',
            ),
      );
    }),
  );
}
