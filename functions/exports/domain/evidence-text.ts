/** The words of the evidence report: changes as people say them, and each line's sentence. */
import type { EvidenceLine } from '../../../shared/config';

const wholeNumbers = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
const oneDecimal = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A figure as the report prints it: grouped thousands; an average always with one decimal. */
export const formatFigure = (value: number | null, aggregate: EvidenceLine['aggregate']): string =>
  value === null ? 'no figure' : (aggregate === 'average' ? oneDecimal : wholeNumbers).format(value);

/** Whole-number change against the year before, rounded half away from zero; null with nothing to compare. */
export function changePercentOf(value: number | null, previousValue: number | null): number | null {
  if (value === null || previousValue === null || previousValue === 0) return null;
  // toFixed first: (4.3 − 4) / 4 is 7.4999… in binary, and people expect 8.
  const exact = Number((((value - previousValue) / previousValue) * 100).toFixed(6));
  const rounded = Math.sign(exact) * Math.round(Math.abs(exact));
  return rounded === 0 ? 0 : rounded;
}

/** "an 80% increase", "an 11% decrease", "a 77% increase": the article follows how the number is said. */
const articleFor = (size: number): 'a' | 'an' => (/^8|^1[18](\d{3})*$/.test(String(size)) ? 'an' : 'a');

/** "a 77% increase", "a 12% decrease", "no change", or the figure itself when there is nothing to compare. */
export function changePhrase(
  changePercent: number | null,
  value: number | null,
  year: number,
  aggregate: EvidenceLine['aggregate'],
): string {
  if (changePercent === null)
    return `${formatFigure(value, aggregate)} (no figure for ${year - 1} to compare with)`;
  if (changePercent === 0) return 'no change';
  const size = Math.abs(changePercent);
  return `${articleFor(size)} ${wholeNumbers.format(size)}% ${changePercent > 0 ? 'increase' : 'decrease'}`;
}

export interface TextFigures {
  value: number | null;
  previousValue: number | null;
  changePercent: number | null;
  count?: number;
  year: number;
}

/**
 * Fills a line's template: {value} {previousValue} {change} {count} {year}, and {s}, the plural ending
 * of the value ("{value} event{s}": "1 event", "22 events"). A sentence about the change when there is
 * nothing to compare with says the figure instead: "Mail-out readership: 310 (no figure for 2024 to
 * compare with)".
 */
export function fillText(line: EvidenceLine, figures: TextFigures): string {
  if (figures.value === null) return `${line.label}: no figure for ${figures.year}`;
  if (figures.changePercent === null && line.text.includes('{change}')) {
    return `${line.label}: ${changePhrase(null, figures.value, figures.year, line.aggregate)}`;
  }
  const words: Record<string, string> = {
    value: formatFigure(figures.value, line.aggregate),
    previousValue: formatFigure(figures.previousValue, line.aggregate),
    change: changePhrase(figures.changePercent, figures.value, figures.year, line.aggregate),
    count: formatFigure(figures.count ?? 0, 'sum'),
    year: String(figures.year),
    s: figures.value === 1 ? '' : 's',
  };
  return line.text.replace(
    /\{(value|previousValue|change|count|year|s)\}/g,
    (_, name: string) => words[name] ?? '',
  );
}

export const newNetworkText = (name: string, meetings: number): string =>
  `a new network, the ${name}, with ${meetings} ${meetings === 1 ? 'meeting' : 'meetings'}`;
