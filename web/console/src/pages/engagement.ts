/** Analysts: engagement over time as a chart, the same figures as a table, and as CSV. */
import { ApiError, api, downloadCsv } from '../api';
import { h, replace } from '../dom';
import { drawChart } from '../engagement/chart';
import { clearFieldErrors, showFieldErrors } from '../forms';
import { consolePage, errorPanel } from '../shell';

interface MetricInfo {
  id: string;
  meaning: string;
  unit: string;
  granularities: string[];
  dimensions: Array<{ name: string; values?: Array<{ value: string; label: string }> }>;
}
interface Catalogue {
  metrics: MetricInfo[];
}
interface ExportAnswer {
  metrics: string[];
  dimension: string;
  granularity: string;
  from: string;
  to: string;
  rows: Array<{ period: string; metric: string; value: number }>;
}

await consolePage({
  title: 'Engagement',
  needs: 'analyst',
  async render(main, { announce }) {
    const catalogue = await api<Catalogue>('GET', '/api/exports/engagement/metrics');
    const params = new URLSearchParams(location.search);
    const chosen = (params.get('metrics') ?? 'members.registered').split(',').filter(Boolean);

    // One checkbox per metric: several can be drawn together (a multiple select would ask for Ctrl-clicks).
    const metricBoxes = catalogue.metrics.map((metric) =>
      h('input', {
        type: 'checkbox',
        id: `metric-${metric.id.replace(/\W/g, '-')}`,
        name: 'metrics',
        value: metric.id,
        checked: chosen.includes(metric.id),
      }),
    );
    const metricChoices = h(
      'fieldset',
      { class: 'field metric-choices', 'data-field': 'metrics' },
      h('legend', {}, 'Metrics'),
      h('p', { class: 'hint' }, 'Choose one or more; what each counts is listed under the chart.'),
      h(
        'div',
        { class: 'choices' },
        metricBoxes.map((box) => h('div', { class: 'choice' }, box, h('label', { for: box.id }, box.value))),
      ),
    );
    const dimensionSelect = h('select', { id: 'dimension', name: 'dimension' });
    const granularitySelect = h(
      'select',
      { id: 'granularity', name: 'granularity' },
      ['day', 'month', 'year'].map((g) =>
        h('option', { value: g, selected: (params.get('granularity') ?? 'month') === g }, g),
      ),
    );
    const fromInput = h('input', {
      id: 'from',
      type: 'text',
      name: 'from',
      value: params.get('from') ?? '',
      'aria-describedby': 'range-hint',
      autocomplete: 'off',
    });
    const toInput = h('input', {
      id: 'to',
      type: 'text',
      name: 'to',
      value: params.get('to') ?? '',
      'aria-describedby': 'range-hint',
      autocomplete: 'off',
    });

    const selectedMetrics = (): string[] => metricBoxes.filter((box) => box.checked).map((box) => box.value);
    const fillDimensions = (wanted: string): void => {
      const picked = catalogue.metrics.filter((metric) => selectedMetrics().includes(metric.id));
      const shared = new Set(picked[0]?.dimensions.map((d) => d.name) ?? []);
      for (const metric of picked.slice(1)) {
        const names = new Set(metric.dimensions.map((d) => d.name));
        for (const name of shared) if (!names.has(name)) shared.delete(name);
      }
      const options: HTMLOptionElement[] = [h('option', { value: 'all' }, 'All (no breakdown)')];
      for (const dimension of picked[0]?.dimensions ?? []) {
        if (!shared.has(dimension.name)) continue;
        for (const value of dimension.values ?? []) {
          const id = `${dimension.name}=${value.value}`;
          options.push(h('option', { value: id }, `${dimension.name}: ${value.label}`));
        }
      }
      replace(dimensionSelect, ...options);
      dimensionSelect.value = options.some((option) => option.value === wanted) ? wanted : 'all';
    };
    fillDimensions(params.get('dimension') ?? 'all');
    metricChoices.addEventListener('change', () => fillDimensions(dimensionSelect.value));

    const field = (name: string, label: string, control: HTMLElement, hint?: HTMLElement) =>
      h('div', { class: 'field', 'data-field': name }, h('label', { for: control.id }, label), hint, control);

    const form = h(
      'form',
      { class: 'analytics-controls', novalidate: true },
      metricChoices,
      field('dimension', 'Breakdown', dimensionSelect),
      field('granularity', 'Granularity', granularitySelect),
      field('from', 'From', fromInput),
      field('to', 'To', toInput),
      h(
        'p',
        { id: 'range-hint', class: 'hint' },
        'Like 2026-01 for months, 2026-01-31 for days, 2026 for years. Empty: the latest periods.',
      ),
      h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'button' }, 'Draw the chart')),
    );

    const results = h('section', { id: 'results', 'aria-labelledby': 'results-title', tabindex: '-1' });
    main.append(form, results);

    const query = (): URLSearchParams => {
      const q = new URLSearchParams();
      q.set('metrics', selectedMetrics().join(','));
      q.set('dimension', dimensionSelect.value);
      q.set('granularity', granularitySelect.value);
      if (fromInput.value.trim()) q.set('from', fromInput.value.trim());
      if (toInput.value.trim()) q.set('to', toInput.value.trim());
      return q;
    };

    const draw = async (focus: boolean): Promise<void> => {
      clearFieldErrors(form);
      const q = query();
      history.replaceState(null, '', `?${q}`);
      replace(results, h('p', { role: 'status' }, 'Loading the figures…'));
      let answer: ExportAnswer;
      try {
        answer = await api<ExportAnswer>('GET', `/api/exports/engagement?${q}`);
      } catch (error) {
        replace(results);
        if (error instanceof ApiError && error.details.length > 0) {
          showFieldErrors(form, error.details, 'The chart could not be drawn');
        } else {
          results.append(errorPanel(error instanceof Error ? error.message : String(error)));
        }
        return;
      }
      renderResults(answer, q);
      announce(
        `Chart drawn: ${answer.metrics.join(', ')} by ${answer.granularity}, ${answer.from} to ${answer.to}.`,
      );
      if (focus) results.focus();
    };

    const renderResults = (answer: ExportAnswer, q: URLSearchParams): void => {
      const periods = [...new Set(answer.rows.map((row) => row.period))].sort();
      const value = (period: string, metric: string): number =>
        answer.rows.find((row) => row.period === period && row.metric === metric)?.value ?? 0;
      const series = answer.metrics.map((metric) => ({
        label: metric,
        values: periods.map((period) => value(period, metric)),
      }));
      const title = `${answer.metrics.join(', ')} by ${answer.granularity}${
        answer.dimension === 'all' ? '' : ` (${answer.dimension})`
      }, ${answer.from} to ${answer.to}`;
      const csvQuery = new URLSearchParams(q);
      csvQuery.set('format', 'csv');
      const download = h('button', { type: 'button', class: 'button button-secondary' }, 'Download as CSV');
      download.addEventListener('click', () => {
        downloadCsv(
          `/api/exports/engagement?${csvQuery}`,
          `engagement-${answer.granularity}-${answer.from}-to-${answer.to}.csv`,
        ).catch((error: unknown) => results.append(errorPanel(String(error))));
      });
      const total = series.map((one) => `${one.label} ${one.values.reduce((a, b) => a + b, 0)} in all`);
      const empty = answer.rows.every((row) => row.value === 0);
      const canvas = h('canvas', {
        role: 'img',
        'aria-label': `Line chart of ${title}: ${total.join('; ')}. The figures are in the table below.`,
      });
      replace(
        results,
        h('h2', { id: 'results-title' }, title),
        empty
          ? h(
              'p',
              { class: 'panel', role: 'status' },
              'No activity was counted in this range: every figure is 0.',
            )
          : null,
        h('div', { class: 'chart-box' }, canvas),
        h(
          'dl',
          { class: 'metric-meanings' },
          answer.metrics.map((metric) => [
            h('dt', {}, metric),
            h('dd', {}, catalogue.metrics.find((info) => info.id === metric)?.meaning ?? ''),
          ]),
        ),
        h(
          'details',
          {},
          h('summary', {}, 'Show the figures as a table'),
          h(
            'div',
            { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Figures' },
            h(
              'table',
              { class: 'data-table', id: 'figures' },
              h('caption', {}, title),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, 'Period'),
                  answer.metrics.map((m) => h('th', { scope: 'col', class: 'numeric' }, m)),
                ),
              ),
              h(
                'tbody',
                {},
                periods.map((period) =>
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'row' }, period),
                    answer.metrics.map((metric) => h('td', { class: 'numeric' }, value(period, metric))),
                  ),
                ),
              ),
            ),
          ),
        ),
        h('div', { class: 'toolbar' }, download),
      );
      drawChart(canvas, periods, series);
    };

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void draw(true);
    });
    await draw(false);
  },
});
