import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { countedMetrics } from '../../functions/counters/domain/counter-keys';
import {
  buildRows,
  countPeriods,
  describeMetrics,
  type ExportQuery,
  enumeratePeriods,
  planExport,
} from '../../functions/exports/domain/engagement';
import { handler } from '../../functions/exports/export-engagement';
import { config } from '../../shared/config';
import type { FieldProblem } from '../../shared/errors';
import { context, httpEvent } from './http-event';

// 12:00 UTC on 15 March 2026: the same day, month and year in Europe/London.
const now = new Date('2026-03-15T12:00:00Z');
const plan = (query: ExportQuery) => planExport({ metrics: 'activities.held', ...query }, now);

function problemsOf(query: ExportQuery): FieldProblem[] {
  try {
    plan(query);
  } catch (error) {
    return (error as { details?: FieldProblem[] }).details ?? [];
  }
  throw new Error('expected the export to be refused');
}

describe('the periods of an engagement export', () => {
  it('defaults to the last 12 months up to the current one', () => {
    const { from, to, periods } = plan({});
    expect([from, to, periods.length]).toEqual(['2025-04', '2026-03', 12]);
  });

  it('defaults to the last 30 days, or the last 5 years, for those granularities', () => {
    expect(plan({ granularity: 'day' })).toMatchObject({ from: '2026-02-14', to: '2026-03-15' });
    expect(plan({ granularity: 'year' }).periods).toEqual(['2022', '2023', '2024', '2025', '2026']);
  });

  it('reads a bound at any precision, a coarser one covering its whole span', () => {
    expect(plan({ granularity: 'day', from: '2024-02', to: '2024-02' }).periods).toHaveLength(29);
    expect(plan({ granularity: 'day', from: '2023', to: '2023' })).toMatchObject({
      from: '2023-01-01',
      to: '2023-12-31',
    });
    expect(plan({ granularity: 'month', from: '2020-03-31', to: '2020' })).toMatchObject({
      from: '2020-03',
      to: '2020-12',
    });
    expect(plan({ granularity: 'year', from: '2019-12-31', to: '2020-01' }).periods).toEqual([
      '2019',
      '2020',
    ]);
  });

  it('counts from the given start up to the current period when only from is given', () => {
    expect(plan({ from: '2025-11' }).periods).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
  });

  it('walks days across month and leap-year ends', () => {
    expect(enumeratePeriods('day', '2024-02-28', '2024-03-01')).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(enumeratePeriods('month', '2019-11', '2020-02')).toEqual([
      '2019-11',
      '2019-12',
      '2020-01',
      '2020-02',
    ]);
    expect(countPeriods('day', '2000-01-01', '2000-12-31')).toBe(366);
  });

  it('accepts exactly 1,000 periods and refuses 1,001', () => {
    expect(plan({ granularity: 'day', from: '2020-01-01', to: '2022-09-26' }).periods).toHaveLength(1000);
    expect(problemsOf({ granularity: 'day', from: '2020-01-01', to: '2022-09-27' })).toEqual([
      { field: 'to', message: expect.stringContaining('at most 1000 periods') },
    ]);
  });
});

describe('an engagement export refuses, naming the field', () => {
  it.each([
    [{ metrics: 'activities.held,nonsense.metric' }, 'metrics', 'unknown metric "nonsense.metric"'],
    [{ metrics: ' , ' }, 'metrics', 'name at least one metric'],
    [{ dimension: 'colour=blue' }, 'dimension', 'unknown dimension "colour=blue"'],
    [{ dimension: 'kind' }, 'dimension', 'unknown dimension "kind"'],
    [{ dimension: 'kind=picnic' }, 'dimension', 'unknown kind "picnic"'],
    [{ dimension: 'organisationType=sme' }, 'dimension', 'activities.held is not kept by organisationType'],
    [{ metrics: 'social.engagement', dimension: 'network=working-groups' }, 'dimension', 'kept for all only'],
    [{ dimension: 'mailout=not-a-uuid', metrics: 'mailouts.readers' }, 'dimension', 'unknown mailout'],
    [{ dimension: 'page=/secret.html', metrics: 'website.views' }, 'dimension', 'unknown page'],
    [{ from: '2024-06', to: '2024-05' }, 'from', 'from (2024-06) is after to (2024-05)'],
    [{ from: '2024-13' }, 'from', 'is not a date'],
    [{ to: '2023-02-29', granularity: 'day' as const }, 'to', 'is not a date'],
    [{ from: 'last year' }, 'from', 'is not a date'],
    [{ metrics: 'website.views', granularity: 'day' as const }, 'granularity', 'imported monthly figures'],
  ])('%j', (query, field, message) => {
    expect(problemsOf(query)).toContainEqual({ field, message: expect.stringContaining(message) });
  });

  it('names every problem at once', () => {
    expect(problemsOf({ metrics: 'nope', dimension: 'kind=picnic', from: 'x' }).map((p) => p.field)).toEqual([
      'metrics',
      'dimension',
      'from',
    ]);
  });

  it('takes a known dimension value, a page, a mail-out id, and a day export of own web views by page', () => {
    expect(plan({ dimension: 'kind=workshop' }).dimension).toBe('kind=workshop');
    expect(plan({ metrics: 'website.views', dimension: 'page=/', granularity: 'day' }).periods).toHaveLength(
      30,
    );
    expect(
      plan({ metrics: 'mailouts.readers', dimension: 'mailout=4f5b6f0e-2a71-4c1e-9a55-3d1f0c6f9a10' })
        .metrics,
    ).toEqual(['mailouts.readers']);
  });
});

describe('the rows of an engagement export', () => {
  it('has one row per period and metric, with 0 where nothing was counted', () => {
    const exportPlan = plan({ metrics: 'activities.held,attendees.total', from: '2020-01', to: '2020-03' });
    const rows = buildRows(
      exportPlan,
      new Map([['attendees.total', { counted: new Map([['2020-02', 40]]) }]]),
    );
    expect(rows).toEqual([
      { period: '2020-01', metric: 'activities.held', value: 0 },
      { period: '2020-01', metric: 'attendees.total', value: 0 },
      { period: '2020-02', metric: 'activities.held', value: 0 },
      { period: '2020-02', metric: 'attendees.total', value: 40 },
      { period: '2020-03', metric: 'activities.held', value: 0 },
      { period: '2020-03', metric: 'attendees.total', value: 0 },
    ]);
  });

  it('adds imported monthly figures to the counted ones, summed into years', () => {
    const imported = new Map([
      ['2019-12', 100],
      ['2020-01', 10.1],
      ['2020-06', 20.2],
    ]);
    const monthly = plan({ metrics: 'website.views', from: '2019-12', to: '2020-01' });
    expect(
      buildRows(monthly, new Map([['website.views', { counted: new Map([['2020-01', 5]]), imported }]])),
    ).toEqual([
      { period: '2019-12', metric: 'website.views', value: 100 },
      { period: '2020-01', metric: 'website.views', value: 15.1 },
    ]);
    const yearly = plan({ metrics: 'website.views', granularity: 'year', from: '2019', to: '2020' });
    expect(
      buildRows(yearly, new Map([['website.views', { counted: new Map([['2020', 7]]), imported }]])),
    ).toEqual([
      { period: '2019', metric: 'website.views', value: 100 },
      { period: '2020', metric: 'website.views', value: 37.3 },
    ]);
  });
});

describe('the list of engagement metrics', () => {
  const metrics = describeMetrics();
  const byId = new Map(metrics.map((metric) => [metric.id, metric]));

  it('lists every counted metric with its meaning, and every external one with its label and unit', () => {
    expect(metrics.map((metric) => metric.id)).toEqual(
      expect.arrayContaining([...Object.keys(countedMetrics), ...config.externalMetrics.map((m) => m.id)]),
    );
    expect(byId.get('activities.held')).toMatchObject({
      meaning: countedMetrics['activities.held'].meaning,
      source: 'counted',
      unit: 'count',
      granularities: ['day', 'month', 'year'],
    });
    expect(byId.get('social.engagement')).toMatchObject({
      source: 'imported',
      unit: 'interactions',
      dimensions: [],
      granularities: ['month', 'year'],
    });
    expect(byId.get('website.views')?.source).toBe('both');
    expect(byId.get('members.current')?.adds).toBe('net');
  });

  it('gives each dimension its allowed values from the config, the hosted pages or a uuid format', () => {
    const held = byId.get('activities.held');
    expect(held?.dimensions.map((dimension) => dimension.name)).toEqual(['kind', 'network']);
    expect(held?.dimensions[0]?.values?.map((value) => value.value)).toEqual(
      config.activityKinds.map((k) => k.id),
    );
    expect(byId.get('website.views')?.dimensions[0]).toMatchObject({
      name: 'page',
      values: expect.arrayContaining([{ value: '/', label: 'Registration form' }]),
    });
    expect(byId.get('mailouts.clicks')?.dimensions[0]).toMatchObject({ name: 'mailout', format: 'uuid' });
  });
});

describe('the engagement export handler', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  beforeEach(() => {
    dynamo.reset();
    dynamo.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => {
      const pk = input.ExpressionAttributeValues[':pk'];
      if (pk === 'website.views#all') return { Items: [{ sk: 'month#2020-02', count: 3 }] };
      if (pk === 'website.views#imported') return { Items: [{ sk: 'month#2020-02', count: 1000 }] };
      return { Items: [] };
    });
  });

  const call = (query: Record<string, string>, headers: Record<string, string> = {}) => {
    const event = httpEvent('GET /api/exports/engagement', { query, headers });
    event.requestContext.authorizer.jwt.claims = { 'cognito:groups': ['analyst'] };
    return handler(event, context);
  };

  it('reads one counter series per metric, plus the imported one, and answers CSV with a file name', async () => {
    const answer = await call({ metrics: 'website.views', from: '2020-01', to: '2020-02', format: 'csv' });

    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['content-disposition']).toBe(
      'attachment; filename="engagement-month-2020-01-to-2020-02.csv"',
    );
    expect(answer.body).toBe(
      '"period","metric","value"\r\n"2020-01","website.views","0"\r\n"2020-02","website.views","1003"\r\n',
    );
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(2);
  });

  it('answers CSV to a client that accepts text/csv, and JSON otherwise', async () => {
    const csv = await call(
      { metrics: 'website.views', from: '2020-02', to: '2020-02' },
      { accept: 'text/csv' },
    );
    const json = await call({ metrics: 'website.views', from: '2020-02', to: '2020-02' });

    expect(csv.headers?.['content-type']).toMatch(/^text\/csv/);
    expect(JSON.parse(json.body)).toEqual({
      metrics: ['website.views'],
      dimension: 'all',
      granularity: 'month',
      from: '2020-02',
      to: '2020-02',
      rows: [{ period: '2020-02', metric: 'website.views', value: 1003 }],
    });
  });
});
