/**
 * The evidence report as a printable page: each line with its figure, its change and a chart of the
 * year against the year before, month by month. Inline SVG with a text alternative and the numbers
 * in a table; no scripts (the pages' CSP allows none); every configured or stored text escaped.
 */
import { escapeHtml } from '../../../shared/escape';
import type { EvidenceLineFigures, EvidenceReport } from './evidence';
import { formatFigure } from './evidence-text';

export interface EvidencePageOptions {
  allianceName: string;
  primaryColour: string;
  /** How each line aggregates (its figures print with one decimal for an average, a line chart for a stock). */
  aggregates: Record<string, 'sum' | 'peakMonth' | 'endOfYear' | 'average'>;
  /** Names for breakdown keys (organisation types, kinds, networks). */
  names: Record<string, string>;
}

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const previousColour = '#8a939e';
const chart = { width: 600, height: 180, left: 44, bottom: 22, top: 10 };

function changeLabel(line: EvidenceLineFigures, year: number): string {
  if (line.changePercent === null) return `No figure for ${year - 1} to compare with`;
  if (line.changePercent === 0) return `No change on ${year - 1}`;
  const direction = line.changePercent > 0 ? 'up' : 'down';
  return `${Math.abs(line.changePercent)}% ${direction} on ${year - 1}`;
}

function chartSvg(line: EvidenceLineFigures, year: number, options: EvidencePageOptions): string {
  const { width, height, left, bottom, top } = chart;
  const plotHeight = height - bottom - top;
  const plotWidth = width - left;
  const { year: current, previousYear } = line.monthly;
  const highest = Math.max(1, ...current, ...previousYear);
  const y = (value: number) => top + plotHeight - (Math.max(0, value) / highest) * plotHeight;
  const slot = plotWidth / 12;
  const colour = escapeHtml(options.primaryColour);
  const aggregate = options.aggregates[line.id] ?? 'sum';
  const titleId = `chart-${escapeHtml(line.id)}`;
  const title = `${line.label}: ${year} against ${year - 1}, month by month`;
  let marks: string;
  if (aggregate === 'endOfYear') {
    const points = (values: number[]) =>
      values
        .map((value, index) => `${(left + slot * (index + 0.5)).toFixed(1)},${y(value).toFixed(1)}`)
        .join(' ');
    marks = `<polyline points="${points(previousYear)}" fill="none" stroke="${previousColour}" stroke-width="2" stroke-dasharray="6 4"/><polyline points="${points(current)}" fill="none" stroke="${colour}" stroke-width="3"/>`;
  } else {
    const bar = (value: number, index: number, offset: number, fill: string) => {
      const barTop = y(value);
      return `<rect x="${(left + slot * index + offset).toFixed(1)}" y="${barTop.toFixed(1)}" width="${(slot * 0.38).toFixed(1)}" height="${(top + plotHeight - barTop).toFixed(1)}" fill="${fill}"/>`;
    };
    marks = [
      ...previousYear.map((value, index) => bar(value, index, slot * 0.1, previousColour)),
      ...current.map((value, index) => bar(value, index, slot * 0.5, colour)),
    ].join('');
  }
  const axis = `<line x1="${left}" y1="${top + plotHeight}" x2="${width}" y2="${top + plotHeight}" stroke="#1b1f24"/><text x="${left - 6}" y="${top + 8}" text-anchor="end">${escapeHtml(formatFigure(highest, aggregate))}</text><text x="${left - 6}" y="${top + plotHeight}" text-anchor="end">0</text>`;
  const labels = monthNames
    .map(
      (name, index) =>
        `<text x="${(left + slot * (index + 0.5)).toFixed(1)}" y="${height - 6}" text-anchor="middle">${name}</text>`,
    )
    .join('');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${titleId}" font-size="11" font-family="system-ui, sans-serif"><title id="${titleId}">${escapeHtml(title)}</title>${axis}${marks}${labels}</svg>`;
}

function dataTable(
  line: EvidenceLineFigures,
  year: number,
  aggregate: EvidencePageOptions['aggregates'][string],
): string {
  const rows = monthNames
    .map(
      (name, index) =>
        `<tr><th scope="row">${name}</th><td>${escapeHtml(formatFigure(line.monthly.year[index] ?? 0, aggregate))}</td><td>${escapeHtml(formatFigure(line.monthly.previousYear[index] ?? 0, aggregate))}</td></tr>`,
    )
    .join('');
  return `<details><summary>Month by month</summary><table><caption>${escapeHtml(line.label)} by month</caption><thead><tr><th scope="col">Month</th><th scope="col">${year}</th><th scope="col">${year - 1}</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

function breakdownTable(line: EvidenceLineFigures, options: EvidencePageOptions): string {
  if (!line.breakdown) return '';
  const aggregate = options.aggregates[line.id] ?? 'sum';
  const rows = Object.entries(line.breakdown)
    .map(
      ([key, value]) =>
        `<tr><th scope="row">${escapeHtml(options.names[key] ?? key)}</th><td>${escapeHtml(formatFigure(value, aggregate))}</td></tr>`,
    )
    .join('');
  return `<table class="breakdown"><caption>${escapeHtml(line.label)}: breakdown</caption><tbody>${rows}</tbody></table>`;
}

function lineSection(line: EvidenceLineFigures, year: number, options: EvidencePageOptions): string {
  const aggregate = options.aggregates[line.id] ?? 'sum';
  const previous = `${year - 1}: ${formatFigure(line.previousValue, aggregate)}`;
  return `<section class="line" id="line-${escapeHtml(line.id)}">
<h2>${escapeHtml(line.label)}</h2>
<p class="figure"><span class="value">${escapeHtml(formatFigure(line.value, aggregate))}</span> <span class="change">${escapeHtml(changeLabel(line, year))} (${escapeHtml(previous)})</span></p>
<p class="text">${escapeHtml(line.text)}</p>
${chartSvg(line, year, options)}
<p class="legend"><span class="key last-year"></span> ${year - 1} <span class="key this-year"></span> ${year}</p>
${breakdownTable(line, options)}
${dataTable(line, year, aggregate)}
</section>`;
}

export function renderEvidencePage(report: EvidenceReport, options: EvidencePageOptions): string {
  const colour = escapeHtml(options.primaryColour);
  const name = escapeHtml(options.allianceName);
  const summary = [
    ...report.lines.map((line) => line.text),
    ...report.newNetworks.map((network) => network.text),
  ];
  const newNetworks =
    report.newNetworks.length === 0
      ? ''
      : `<section class="line"><h2>New networks</h2><ul>${report.newNetworks.map((network) => `<li>${escapeHtml(network.text)}</li>`).join('')}</ul></section>`;
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evidence report ${report.year} · ${name}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:48rem;padding:1.5rem;color:#1b1f24;line-height:1.5}
h1{font-size:1.75rem;margin:0 0 .5rem;color:${colour}}
h2{font-size:1.2rem;margin:0 0 .25rem}
.line{border-top:1px solid #d0d5db;padding:1rem 0;break-inside:avoid;page-break-inside:avoid}
.figure{margin:0}.value{font-size:1.75rem;font-weight:700}.change{color:#3d4450}
.chart{width:100%;height:auto;max-width:600px;display:block}
.key{display:inline-block;width:.9rem;height:.9rem;vertical-align:middle;margin-left:.5rem;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.this-year{background:${colour}}.last-year{background:${previousColour}}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.15rem .75rem;text-align:left}td{text-align:right}
caption{text-align:left;font-weight:600}
@media print{body{max-width:none;padding:0;font-size:11pt}details{display:none}.chart{max-width:16cm}h1{color:#000}}
</style>
</head>
<body>
<main>
<h1>${name}: evidence report ${report.year}</h1>
<p>Against ${report.year - 1}, from the alliance's own records and imported figures.</p>
<h2>In summary</h2>
<ul class="summary">${summary.map((text) => `<li>${escapeHtml(text)}</li>`).join('')}</ul>
${report.lines.map((line) => lineSection(line, report.year, options)).join('\n')}
${newNetworks}
</main>
</body>
</html>`;
}
