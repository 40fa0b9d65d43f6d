import { describe, expect, it } from 'vitest';
import {
  type EvidenceSettings,
  evidenceConfigProblems,
  evidenceReport,
  type SeriesReader,
} from '../../functions/exports/domain/evidence';
import { evidenceCsv } from '../../functions/exports/domain/evidence-csv';
import { renderEvidencePage } from '../../functions/exports/domain/evidence-html';
import { changePercentOf, changePhrase } from '../../functions/exports/domain/evidence-text';
import { config, type EvidenceLine, evidenceLineSchema } from '../../shared/config';

type Counts = Record<string, number>;

/** Counter items as the counters table holds them: `metric#dimension|granularity#period` → count. */
function series(metric: string, dimension: string, months: Counts): Counts {
  const items: Counts = {};
  for (const [month, count] of Object.entries(months)) {
    items[`${metric}#${dimension}|month#${month}`] = count;
    const year = `${metric}#${dimension}|year#${month.slice(0, 4)}`;
    items[year] = (items[year] ?? 0) + count;
  }
  return items;
}

const days = (metric: string, dimension: string, counts: Counts): Counts =>
  Object.fromEntries(
    Object.entries(counts).map(([day, count]) => [`${metric}#${dimension}|day#${day}`, count]),
  );

/** Imported monthly values: `metric|month` → value. */
const imported = (metric: string, months: Counts): Counts =>
  Object.fromEntries(Object.entries(months).map(([month, value]) => [`${metric}|${month}`, value]));

function readerOf(counted: Counts, importedValues: Counts = {}) {
  const queries: string[] = [];
  const inRange = (items: Counts, prefix: string, from: string, to: string) =>
    new Map(
      Object.entries(items)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]): [string, number] => [key.slice(prefix.length), value])
        .filter(([period]) => period >= from && period <= to),
    );
  const reader: SeriesReader = {
    counted: async (metric, dimension, granularity, from, to) => {
      queries.push(`${metric}#${dimension}|${granularity}#${from}..${to}`);
      return inRange(counted, `${metric}#${dimension}|${granularity}#`, from, to);
    },
    imported: async (metric, from, to) => {
      queries.push(`${metric}#imported|${from}..${to}`);
      return inRange(importedValues, `${metric}|`, from, to);
    },
  };
  return { reader, queries };
}

const line = (
  fields: Partial<EvidenceLine> & Pick<EvidenceLine, 'id' | 'metric' | 'aggregate'>,
): EvidenceLine => ({
  label: fields.id,
  text: '{value}',
  ...fields,
});

const settingsWith = (lines: EvidenceLine[]): EvidenceSettings => ({
  lines,
  networks: config.networks,
  externalMetrics: ['social.engagement', 'website.views', 'mailouts.readers', 'activities.held'],
  dimensionValues: {
    organisationType: ['university', 'sme'],
    kind: ['workshop', 'working-group', 'festival'],
    network: ['smart-city-alliance', 'innovation-support-forum'],
  },
});

const pastNow = new Date('2026-11-28T12:00:00Z');
const history: Counts = {
  ...series('activities.held', 'all', {
    '2010-03': 3,
    '2010-09': 2,
    '2011-02': 4,
    '2011-06': 3,
    '2011-10': 2,
  }),
  ...series('activities.held', 'kind=working-group', { '2010-03': 1, '2011-06': 2 }),
  ...series('activities.held', 'network=smart-city-alliance', { '2009-05': 1, '2011-02': 4 }),
  ...series('activities.held', 'network=innovation-support-forum', { '2011-10': 2 }),
  ...series('activities.held', 'network=working-groups', { '2010-03': 1, '2011-06': 2 }),
  ...series('website.views', 'all', { '2010-05': 100, '2011-05': 150, '2011-07': 40 }),
  ...series('members.current', 'all', { '2009-04': 5, '2010-02': 3, '2010-08': -1, '2011-01': 2 }),
  ...series('members.current', 'organisationType=university', { '2009-04': 3, '2010-02': 3, '2011-01': 2 }),
  ...series('members.current', 'organisationType=sme', { '2009-04': 2, '2010-08': -1 }),
  ...series('feedback.ratingSum', 'all', { '2010-09': 8, '2011-06': 13, '2011-10': 9 }),
  ...series('feedback.responses', 'all', { '2010-09': 2, '2011-06': 3, '2011-10': 2 }),
};
const historyImported: Counts = {
  ...imported('website.views', { '2010-05': 200, '2011-05': 300, '2011-07': 500 }),
  ...imported('social.engagement', { '2010-01': 400, '2010-02': 600, '2011-03': 900, '2011-04': 300 }),
  ...imported('activities.held', { '2011-02': 1000 }),
};

async function report2011(lines: EvidenceLine[]) {
  const { reader } = readerOf(history, historyImported);
  return evidenceReport(2011, pastNow, settingsWith(lines), reader);
}

const only = async (evidenceLine: EvidenceLine) => {
  const [figures] = (await report2011([evidenceLine])).lines;
  if (!figures) throw new Error('no line');
  return figures;
};

describe('evidence figures', () => {
  it('events leave out the excluded kinds: all activities less working-group meetings, by month', async () => {
    const events = await only(
      line({
        id: 'events',
        metric: 'activities.held',
        aggregate: 'sum',
        filter: { excludeKinds: ['working-group'] },
      }),
    );
    expect(events).toMatchObject({ value: 7, previousValue: 4, changePercent: 75 });
    expect(events.monthly.year).toEqual([0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0]);
    expect(events.monthly.previousYear).toEqual([0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0]);
  });

  it('a kinds filter sums those kinds, a networks filter those networks', async () => {
    const report = await report2011([
      line({ id: 'wg', metric: 'activities.held', aggregate: 'sum', filter: { kinds: ['working-group'] } }),
      line({
        id: 'forums',
        metric: 'activities.held',
        aggregate: 'sum',
        filter: { networks: ['innovation-support-forum', 'working-groups'] },
      }),
    ]);
    expect(report.lines.map(({ id, value, previousValue }) => ({ id, value, previousValue }))).toEqual([
      { id: 'wg', value: 2, previousValue: 1 },
      { id: 'forums', value: 4, previousValue: 1 },
    ]);
  });

  it('imported values add to the counted ones only for an unfiltered line', async () => {
    const report = await report2011([
      line({ id: 'everything', metric: 'activities.held', aggregate: 'sum' }),
      line({
        id: 'filtered',
        metric: 'activities.held',
        aggregate: 'sum',
        filter: { excludeKinds: ['festival'] },
      }),
    ]);
    expect(report.lines.map((figures) => figures.value)).toEqual([1009, 9]);
  });

  it('the peak month adds own web views to imported ones, month by month', async () => {
    const web = await only(
      line({
        id: 'web',
        metric: 'website.views',
        aggregate: 'peakMonth',
        text: '{change} in peak monthly web views',
      }),
    );
    expect(web).toMatchObject({
      value: 540,
      previousValue: 300,
      changePercent: 80,
      text: 'an 80% increase in peak monthly web views',
    });
    expect(web.monthly.year[4]).toBe(450);
  });

  it('an imported-only metric (social media) peaks on its imported months', async () => {
    const social = await only(
      line({
        id: 'social',
        metric: 'social.engagement',
        aggregate: 'peakMonth',
        text: '{change} on social media',
      }),
    );
    expect(social).toMatchObject({
      value: 900,
      previousValue: 600,
      changePercent: 50,
      text: 'a 50% increase on social media',
    });
  });

  it('members at the end of the year carry every earlier year, with a running total by month and a breakdown', async () => {
    const members = await only(
      line({
        id: 'members',
        metric: 'members.current',
        aggregate: 'endOfYear',
        breakdownBy: 'organisationType',
        text: '{value} members at the end of {year}',
      }),
    );
    expect(members).toMatchObject({
      value: 9,
      previousValue: 7,
      changePercent: 29,
      text: '9 members at the end of 2011',
      breakdown: { university: 8, sme: 1 },
    });
    expect(members.monthly.previousYear).toEqual([5, 8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7]);
    expect(members.monthly.year).toEqual(Array(12).fill(9));
  });

  it('satisfaction is the rating sum over the answers, to one decimal, with the number of answers', async () => {
    const satisfaction = await only(
      line({
        id: 'satisfaction',
        metric: 'feedback.ratingSum',
        per: 'feedback.responses',
        aggregate: 'average',
        text: 'an average rating of {value} out of 5, from {count} answers ({change})',
      }),
    );
    expect(satisfaction).toMatchObject({
      value: 4.4,
      previousValue: 4,
      count: 5,
      previousCount: 2,
      changePercent: 10,
      text: 'an average rating of 4.4 out of 5, from 5 answers (a 10% increase)',
    });
    expect(satisfaction.monthly.year[5]).toBe(4.3);
  });

  it('an average with no answers has no figure and says so', async () => {
    const { reader } = readerOf({});
    const report = await evidenceReport(
      2011,
      pastNow,
      settingsWith([
        line({
          id: 'satisfaction',
          label: 'Average satisfaction',
          metric: 'feedback.ratingSum',
          per: 'feedback.responses',
          aggregate: 'average',
        }),
      ]),
      reader,
    );
    expect(report.lines[0]).toMatchObject({
      value: null,
      previousValue: null,
      changePercent: null,
      count: 0,
      text: 'Average satisfaction: no figure for 2011',
    });
  });

  it('a fall reads as a decrease, and nothing to compare with gives the figure and says why', async () => {
    const plural = await report2011([
      line({
        id: 'one',
        metric: 'activities.held',
        aggregate: 'sum',
        filter: { networks: ['working-groups'] },
        text: '{value} meeting{s}',
      }),
    ]);
    expect(plural.lines[0]?.text).toMatch(/^\d+ meetings?$/);
    expect(plural.lines[0]?.text.endsWith(plural.lines[0]?.value === 1 ? 'meeting' : 'meetings')).toBe(true);
    const report = await report2011([
      line({ id: 'fall', metric: 'feedback.responses', aggregate: 'peakMonth', text: '{change} in answers' }),
      line({
        id: 'new',
        metric: 'activities.held',
        aggregate: 'sum',
        filter: { networks: ['innovation-support-forum'] },
        text: '{change} in forum meetings',
      }),
    ]);
    expect(report.lines.map(({ changePercent, text }) => ({ changePercent, text }))).toEqual([
      { changePercent: 50, text: 'a 50% increase in answers' },
      { changePercent: null, text: 'new: 2 (no figure for 2010 to compare with)' },
    ]);
    expect(changePhrase(-12, 88, 2011, 'sum')).toBe('a 12% decrease');
    expect(changePhrase(0, 5, 2011, 'sum')).toBe('no change');
    expect([8, 11, 18, 83, 110, 11000, 180].map((size) => changePhrase(size, 1, 2011, 'sum'))).toEqual([
      'an 8% increase',
      'an 11% increase',
      'an 18% increase',
      'an 83% increase',
      'a 110% increase',
      'an 11,000% increase',
      'a 180% increase',
    ]);
  });

  it('changes are whole numbers, halves rounded away from zero, and null against nothing', () => {
    expect(changePercentOf(4.3, 4)).toBe(8);
    expect(changePercentOf(97.5, 100)).toBe(-3);
    expect(changePercentOf(177, 100)).toBe(77);
    expect(changePercentOf(100, 100)).toBe(0);
    expect(changePercentOf(5, 0)).toBeNull();
    expect(changePercentOf(null, 4)).toBeNull();
    expect(changePercentOf(4, null)).toBeNull();
  });

  it('a network whose first meeting falls in the year is new, with its meetings that year', async () => {
    const report = await report2011([]);
    expect(report.newNetworks).toEqual([
      {
        network: 'innovation-support-forum',
        name: 'Innovation Support Forum',
        meetings: 2,
        text: 'a new network, the Innovation Support Forum, with 2 meetings',
      },
    ]);
  });

  it('two lines reading the same counter read it once', async () => {
    const { reader, queries } = readerOf(history, historyImported);
    await evidenceReport(
      2011,
      pastNow,
      settingsWith([
        line({ id: 'a', metric: 'activities.held', aggregate: 'sum', filter: { kinds: ['working-group'] } }),
        line({
          id: 'b',
          metric: 'activities.held',
          aggregate: 'sum',
          filter: { excludeKinds: ['working-group'] },
        }),
      ]),
      reader,
    );
    const wgMonths2011 = queries.filter(
      (query) => query === 'activities.held#kind=working-group|month#2011-01..2011-12',
    );
    expect(wgMonths2011).toHaveLength(1);
  });

  it('a breakdown by another dimension than the filter is refused (counters keep one dimension at a time)', async () => {
    await expect(
      report2011([
        line({
          id: 'odd',
          metric: 'activities.held',
          aggregate: 'sum',
          filter: { kinds: ['workshop'] },
          breakdownBy: 'network',
        }),
      ]),
    ).rejects.toThrow(/cannot be broken down by network/);
  });
});

describe('the current year', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const thisYear: Counts = {
    ...series('activities.held', 'all', { '2025-06': 5, '2026-03': 2, '2026-11': 3, '2026-12': 4 }),
    ...days('activities.held', 'all', { '2026-11-05': 1, '2026-11-28': 1, '2026-11-29': 1 }),
    ...series('activities.held', 'network=smart-city-alliance', { '2026-11': 1 }),
    ...days('activities.held', 'network=smart-city-alliance', { '2026-11-20': 1 }),
    ...series('activities.held', 'network=innovation-support-forum', { '2026-12': 2 }),
  };
  const run = (lines: EvidenceLine[]) => {
    const { reader } = readerOf(thisYear, imported('website.views', { '2026-11': 50, '2026-12': 70 }));
    return evidenceReport(2026, now, settingsWith(lines), reader);
  };

  it('counts only what has started: nothing after this month, and this month up to today', async () => {
    const report = await run([
      line({ id: 'held', metric: 'activities.held', aggregate: 'sum' }),
      line({ id: 'web', metric: 'website.views', aggregate: 'peakMonth' }),
    ]);
    const [held, web] = report.lines;
    expect(held?.monthly.year).toEqual([0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0]);
    expect(held).toMatchObject({ value: 4, previousValue: 5, changePercent: -20 });
    expect(web).toMatchObject({ value: 50, previousValue: 0, changePercent: null });
  });

  it('a network whose only meetings are still to come is not new yet', async () => {
    const report = await run([]);
    expect(report.newNetworks.map((network) => [network.network, network.meetings])).toEqual([
      ['smart-city-alliance', 1],
    ]);
    expect(report.newNetworks[0]?.text).toBe('a new network, the Smart City Alliance, with 1 meeting');
  });

  it('a year still to come has nothing yet', async () => {
    const { reader } = readerOf(thisYear);
    const report = await evidenceReport(
      2027,
      now,
      settingsWith([line({ id: 'held', metric: 'activities.held', aggregate: 'sum' })]),
      reader,
    );
    expect(report.lines[0]).toMatchObject({ value: 0, previousValue: 4 });
    expect(report.newNetworks).toEqual([]);
  });
});

describe('the default configuration', () => {
  it('reproduces the alliance list, like a 77% increase in mail-out readership', async () => {
    const { reader } = readerOf(
      series('mailouts.readers', 'all', { '2020-03': 100 }),
      imported('mailouts.readers', { '2019-05': 100, '2020-04': 77 }),
    );
    const report = await evidenceReport(2020, pastNow, settingsWith(config.evidence), reader);
    expect(report.lines.map((figures) => figures.id)).toEqual([
      'events',
      'attendees',
      'working-group-meetings',
      'policy-practice-events',
      'festival-attendees',
      'social-peak-engagement',
      'mailout-readership',
      'web-peak-monthly-views',
      'satisfaction',
      'members',
    ]);
    expect(report.lines.find((figures) => figures.id === 'mailout-readership')?.text).toBe(
      'a 77% increase in mail-out readership',
    );
  });
});

describe('the report as CSV and as a page', () => {
  const hostile = line({
    id: 'hostile',
    label: '<script>alert("x")</script>, "quoted"',
    metric: 'activities.held',
    aggregate: 'sum',
    text: '=SUM(A1) {value}, "meetings" & more',
  });

  it('CSV has one row per line, quotes commas and quotes, and defuses formulas', async () => {
    const csv = evidenceCsv(
      await report2011([
        hostile,
        line({
          id: 'forum',
          metric: 'activities.held',
          aggregate: 'sum',
          filter: { networks: ['innovation-support-forum'] },
        }),
      ]),
    );
    expect(csv.split('\r\n')).toEqual([
      '"id","label","value","previousValue","changePercent","text"',
      `"hostile","<script>alert(""x"")</script>, ""quoted""","1009","5","20080","'=SUM(A1) 1,009, ""meetings"" & more"`,
      '"forum","forum","2","0","","2"',
      '',
    ]);
  });

  it('the page escapes every text, has no script, and gives each chart a text alternative and its numbers', async () => {
    const report = await report2011([hostile]);
    const page = renderEvidencePage(report, {
      allianceName: 'Fish & Chips <Alliance>',
      primaryColour: '#0b5394',
      aggregates: { hostile: 'sum' },
      names: {},
    });
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('<title>Evidence report 2011 · Fish &amp; Chips &lt;Alliance&gt;</title>');
    expect(page).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="chart-hostile"/);
    expect(page).toContain('<title id="chart-hostile">');
    expect(page).toContain('2011 against 2010, month by month</title>');
    expect(page).toContain('<th scope="row">Feb</th><td>1,004</td><td>0</td>');
    expect(page).toContain('@media print');
    expect(page).toContain('a new network, the Innovation Support Forum, with 2 meetings');
  });

  it('a stock (members) is drawn as a line, a flow as bars', async () => {
    const report = await report2011([
      line({ id: 'members', metric: 'members.current', aggregate: 'endOfYear' }),
      line({ id: 'held', metric: 'activities.held', aggregate: 'sum' }),
    ]);
    const page = renderEvidencePage(report, {
      allianceName: 'A',
      primaryColour: '#0b5394',
      aggregates: { members: 'endOfYear', held: 'sum' },
      names: {},
    });
    const [, membersSection, heldSection] = page.split('<section class="line"');
    expect(membersSection).toContain('<polyline');
    expect(membersSection).not.toContain('<rect');
    expect(heldSection).toContain('<rect');
  });
});

describe('the evidence config', () => {
  it('the shipped lines name only metrics and dimensions the counters keep', () => {
    expect(
      evidenceConfigProblems(
        config.evidence,
        config.externalMetrics.map((metric) => metric.id),
      ),
    ).toEqual([]);
  });

  it('a line naming an unknown metric, or filtering on a dimension its metric lacks, is reported', () => {
    const problems = evidenceConfigProblems(
      [
        { id: 'typo', label: 'Typo', metric: 'activities.hled', aggregate: 'sum', text: '{value}' },
        {
          id: 'by-kind',
          label: 'Members by kind',
          metric: 'members.confirmed',
          filter: { kinds: ['workshop'] },
          aggregate: 'sum',
          text: '{value}',
        },
      ],
      [],
    );
    expect(problems).toEqual([
      'evidence line "typo": activities.hled is neither a counted metric nor in externalMetrics',
      'evidence line "by-kind": members.confirmed is not counted by kind',
    ]);
  });

  it('a filtered line broken down by another dimension is refused when the config is read', () => {
    const line = {
      id: 'mixed',
      label: 'Mixed',
      metric: 'activities.held',
      filter: { kinds: ['workshop'] },
      breakdownBy: 'network',
      aggregate: 'sum',
      text: '{value}',
    };
    expect(evidenceLineSchema().safeParse(line).success).toBe(false);
    expect(evidenceLineSchema().safeParse({ ...line, breakdownBy: 'kind' }).success).toBe(true);
  });
});
