/** The evidence report as CSV for a spreadsheet: one row per line. */
import { toCsv } from '../../../shared/csv';
import type { EvidenceReport } from './evidence';

export const evidenceCsvHeader = ['id', 'label', 'value', 'previousValue', 'changePercent', 'text'];

export const evidenceCsv = (report: EvidenceReport): string =>
  toCsv(
    evidenceCsvHeader,
    report.lines.map((line) => [
      line.id,
      line.label,
      line.value,
      line.previousValue,
      line.changePercent,
      line.text,
    ]),
  );
