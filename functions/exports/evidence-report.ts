import * as z from 'zod';
import { config, ids } from '../../shared/config';
import { csvDownload, html, json } from '../../shared/http/responses';
import { route } from '../../shared/http/route';
import { countedSeries, importedSeries } from './counter-reader';
import { evidenceReport } from './domain/evidence';
import { evidenceCsv } from './domain/evidence-csv';
import { renderEvidencePage } from './domain/evidence-html';

const query = z.object({
  year: z
    .string({ error: 'year is required, like 2025' })
    .regex(/^\d{4}$/, 'year must be four digits, like 2025')
    .transform(Number)
    .refine((year) => year >= 2000 && year <= 2100, 'year must be between 2000 and 2100'),
  format: z.enum(['json', 'csv', 'html'], { error: 'format must be json, csv or html' }).optional(),
});

const settings = {
  lines: config.evidence,
  networks: config.networks,
  externalMetrics: config.externalMetrics.map((metric) => metric.id),
  dimensionValues: {
    organisationType: ids.organisationTypes,
    kind: ids.activityKinds,
    network: ids.networks,
  },
};

const pageOptions = {
  allianceName: config.alliance.name,
  primaryColour: config.branding.primaryColour,
  aggregates: Object.fromEntries(config.evidence.map((line) => [line.id, line.aggregate])),
  names: Object.fromEntries(
    [...config.organisationTypes, ...config.activityKinds, ...config.networks].map((item) => [
      item.id,
      item.name,
    ]),
  ),
};

/** Analysts: the yearly evidence report, read from the counters, against the year before. */
export const handler = route({ query }, async ({ query }) => {
  const report = await evidenceReport(query.year, new Date(), settings, {
    counted: countedSeries,
    imported: importedSeries,
  });
  if (query.format === 'html') return html(200, renderEvidencePage(report, pageOptions));
  if (query.format !== 'csv') return json(200, report);
  return csvDownload(`evidence-${query.year}.csv`, evidenceCsv(report));
});
