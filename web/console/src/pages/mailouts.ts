/** Staff's mail-outs, newest first: state and key figures, and a way to start a new one. */
import { api } from '../api';
import { formatDateTime, h, replace } from '../dom';
import { type MailoutList, type MailoutSummary, stateLabels } from '../mailouts/types';
import { consolePage, errorPanel } from '../shell';

await consolePage({
  title: 'Mail-outs',
  needs: 'staff',
  async render(main, { options }) {
    const timeZone = options.alliance.timeZone;
    const status = h('p', { role: 'status' }, 'Loading mail-outs…');
    const rows = h('tbody', {});
    const table = h(
      'div',
      { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'mailouts-caption' },
      h(
        'table',
        { class: 'data-table mailouts-table' },
        h('caption', { id: 'mailouts-caption' }, 'Mail-outs, newest first'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Subject'),
            h('th', { scope: 'col' }, 'State'),
            h('th', { scope: 'col' }, 'When'),
            h('th', { scope: 'col', class: 'number' }, 'Audience'),
            h('th', { scope: 'col', class: 'number' }, 'Sent'),
            h('th', { scope: 'col', class: 'number' }, 'Delivered'),
            h('th', { scope: 'col', class: 'number' }, 'Readers'),
            h('th', { scope: 'col', class: 'number' }, 'Clicks'),
          ),
        ),
        rows,
      ),
    );
    table.hidden = true;
    const more = h(
      'button',
      { type: 'button', class: 'button button-secondary', hidden: true },
      'Show older mail-outs',
    );
    main.append(
      h(
        'div',
        { class: 'toolbar' },
        h('a', { class: 'button', href: '/console/mailout.html' }, 'New mail-out'),
      ),
      status,
      table,
      more,
    );

    const when = (mailout: MailoutSummary) => {
      const [label, at] =
        mailout.state === 'scheduled'
          ? ['Due', mailout.scheduledAt]
          : mailout.finishedAt
            ? ['Finished', mailout.finishedAt]
            : mailout.startedAt
              ? ['Started', mailout.startedAt]
              : ['Created', mailout.createdAt];
      return at ? `${label} ${formatDateTime(at, timeZone)}` : '';
    };
    const row = (mailout: MailoutSummary) => {
      const started = mailout.startedAt !== null;
      const figure = (value: number) => h('td', { class: 'number' }, started ? String(value) : '–');
      return h(
        'tr',
        {},
        h(
          'td',
          {},
          h('a', { href: `/console/mailout.html?id=${encodeURIComponent(mailout.id)}` }, mailout.subject),
        ),
        h(
          'td',
          {},
          stateLabels[mailout.state],
          mailout.state === 'sending' ? ` (${Math.floor(mailout.percentDone)}%)` : '',
        ),
        h('td', {}, when(mailout)),
        figure(mailout.audienceSize),
        figure(mailout.sent),
        figure(mailout.delivered),
        figure(mailout.uniqueReaders),
        figure(mailout.clicks),
      );
    };

    let next: string | null = null;
    async function load() {
      try {
        const page = await api<MailoutList>(
          'GET',
          `/api/mailouts?limit=25${next ? `&after=${encodeURIComponent(next)}` : ''}`,
        );
        rows.append(...page.mailouts.map(row));
        next = page.next;
        more.hidden = next === null;
        table.hidden = rows.childElementCount === 0;
        status.textContent =
          rows.childElementCount === 0
            ? 'No mail-outs yet. Start one with “New mail-out”.'
            : `${rows.childElementCount} mail-out${rows.childElementCount === 1 ? '' : 's'} shown.`;
      } catch (error) {
        replace(status);
        status.after(errorPanel(`The mail-outs could not be loaded: ${(error as Error).message}`));
      }
    }
    more.addEventListener('click', () => void load());
    await load();
  },
});
