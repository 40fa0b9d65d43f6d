/** Analysts: the yearly evidence report with its changes against the year before, and as CSV. */
import { ApiError, api, apiCsv, downloadCsv } from '../api';
import { h, replace } from '../dom';
import { clearFieldErrors, showFieldErrors } from '../forms';
import { consolePage, errorPanel } from '../shell';

interface EvidenceLine {
  id: string;
  label: string;
  value: number | null;
  previousValue: number | null;
  changePercent: number | null;
  text: string;
}
interface EvidenceReport {
  year: number;
  lines: EvidenceLine[];
  newNetworks: Array<{ network: string; name: string; meetings: number; text: string }>;
}

function saveFile(text: string, type: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const figure = (value: number | null): string =>
  value === null ? 'not available' : value.toLocaleString('en-GB');

function change(percent: number | null): HTMLElement {
  if (percent === null) return h('td', { class: 'numeric' }, '—');
  const sign = percent > 0 ? '+' : percent < 0 ? '−' : '';
  return h(
    'td',
    { class: `numeric ${percent > 0 ? 'change-up' : percent < 0 ? 'change-down' : ''}` },
    `${sign}${Math.abs(percent).toLocaleString('en-GB', { maximumFractionDigits: 1 })}%`,
  );
}

await consolePage({
  title: 'Evidence report',
  needs: 'analyst',
  async render(main, { announce }) {
    // The current year by default: the report runs to today, so it is the one analysts watch.
    const params = new URLSearchParams(location.search);
    const yearInput = h('input', {
      id: 'year',
      type: 'text',
      name: 'year',
      inputmode: 'numeric',
      autocomplete: 'off',
      value: params.get('year') ?? String(new Date().getFullYear()),
      'aria-describedby': 'year-hint',
    });
    const form = h(
      'form',
      { class: 'analytics-controls', novalidate: true },
      h(
        'div',
        { class: 'field', 'data-field': 'year' },
        h('label', { for: 'year' }, 'Year'),
        h('p', { id: 'year-hint', class: 'hint' }, 'Four digits, like 2025. The current year runs to today.'),
        yearInput,
      ),
      h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'button' }, 'Show the report')),
    );
    const results = h('section', { id: 'results', 'aria-labelledby': 'results-title', tabindex: '-1' });
    main.append(form, results);

    const show = async (focus: boolean): Promise<void> => {
      clearFieldErrors(form);
      const year = yearInput.value.trim();
      history.replaceState(null, '', `?year=${encodeURIComponent(year)}`);
      replace(results, h('p', { role: 'status' }, 'Loading the report…'));
      let report: EvidenceReport;
      try {
        report = await api<EvidenceReport>(
          'GET',
          `/api/exports/evidence?year=${encodeURIComponent(year)}&format=json`,
        );
      } catch (error) {
        replace(results);
        if (error instanceof ApiError && error.details.length > 0) {
          showFieldErrors(form, error.details, 'The report could not be shown');
        } else {
          results.append(errorPanel(error instanceof Error ? error.message : String(error)));
        }
        return;
      }
      const download = h('button', { type: 'button', class: 'button button-secondary' }, 'Download as CSV');
      download.addEventListener('click', () => {
        downloadCsv(
          `/api/exports/evidence?year=${report.year}&format=csv`,
          `evidence-${report.year}.csv`,
        ).catch((error: unknown) => results.append(errorPanel(String(error))));
      });
      // The API's HTML format is a stand-alone printable page; it needs the token, so it is fetched
      // and handed over as a file (opened from disk it is not bound by this console's CSP).
      const printable = h(
        'button',
        { type: 'button', class: 'button button-secondary' },
        'Download the printable page (HTML)',
      );
      printable.addEventListener('click', () => {
        apiCsv(`/api/exports/evidence?year=${report.year}&format=html`)
          .then((text) => saveFile(text, 'text/html;charset=utf-8', `evidence-${report.year}.html`))
          .catch((error: unknown) => results.append(errorPanel(String(error))));
      });
      replace(
        results,
        h('h2', { id: 'results-title' }, `Evidence report for ${report.year}`),
        h(
          'div',
          {
            class: 'table-scroll',
            tabindex: '0',
            role: 'region',
            'aria-label': `Figures for ${report.year}`,
          },
          h(
            'table',
            { class: 'data-table', id: 'evidence' },
            h('caption', {}, `${report.year} against ${report.year - 1}`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Figure'),
                h('th', { scope: 'col', class: 'numeric' }, String(report.year)),
                h('th', { scope: 'col', class: 'numeric' }, String(report.year - 1)),
                h('th', { scope: 'col', class: 'numeric' }, 'Change'),
              ),
            ),
            h(
              'tbody',
              {},
              report.lines.map((line) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, line.label),
                  h('td', { class: 'numeric' }, figure(line.value)),
                  h('td', { class: 'numeric' }, figure(line.previousValue)),
                  change(line.changePercent),
                ),
              ),
            ),
          ),
        ),
        report.newNetworks.length > 0
          ? [
              h('h3', {}, 'New networks'),
              h(
                'ul',
                {},
                report.newNetworks.map((network) => h('li', {}, network.text)),
              ),
            ]
          : null,
        h('div', { class: 'toolbar' }, download, printable),
      );
      announce(`Evidence report for ${report.year} shown.`);
      if (focus) results.focus();
    };

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void show(true);
    });
    await show(false);
  },
});
