import { describe, expect, it } from 'vitest';
import { api, bearerToken, createActivity, waitFor } from './helpers';

const analyst = () => bearerToken(['analyst']);
const exportOf = async (query: string, headers: Record<string, string> = {}) =>
  api('GET', `/api/exports/engagement?${query}`, { token: await analyst(), headers });

interface ExportAnswer {
  granularity: string;
  dimension: string;
  from: string;
  to: string;
  metrics: string[];
  rows: Array<{ period: string; metric: string; value: number }>;
}

describe('engagement exports', () => {
  it('need a bearer token, and an analyst may read them', async () => {
    const [anonymous, anonymousList, list] = await Promise.all([
      api('GET', '/api/exports/engagement?metrics=activities.held'),
      api('GET', '/api/exports/engagement/metrics'),
      api('GET', '/api/exports/engagement/metrics', { token: await analyst() }),
    ]);

    expect([anonymous.status, anonymousList.status]).toEqual([401, 401]);
    expect(list.status).toBe(200);
    const { metrics } = list.json() as { metrics: Array<{ id: string; source: string; meaning: string }> };
    expect(metrics).toContainEqual(
      expect.objectContaining({ id: 'activities.held', source: 'counted', meaning: expect.any(String) }),
    );
    expect(metrics).toContainEqual(expect.objectContaining({ id: 'social.engagement', source: 'imported' }));
    expect(metrics).toContainEqual(expect.objectContaining({ id: 'website.views', source: 'both' }));
  });

  it('show a past activity in its month, by kind, with 0 for the months around it, as JSON and CSV', async () => {
    await createActivity({
      kind: 'policy-practice',
      network: 'innovation-support-forum',
      startsAt: '2011-05-10T09:00:00Z',
      endsAt: '2011-05-10T11:00:00Z',
    });
    const query =
      'metrics=activities.held,attendees.total&dimension=kind=policy-practice&from=2011-04&to=2011-06';

    const answer = await waitFor('the activity to be counted', async () => {
      const response = await exportOf(query);
      const body = response.json() as ExportAnswer;
      return body.rows.some((row) => row.value > 0) ? body : undefined;
    });
    const csv = await exportOf(`${query}&format=csv`);

    expect(answer).toEqual({
      granularity: 'month',
      dimension: 'kind=policy-practice',
      from: '2011-04',
      to: '2011-06',
      metrics: ['activities.held', 'attendees.total'],
      rows: [
        { period: '2011-04', metric: 'activities.held', value: 0 },
        { period: '2011-04', metric: 'attendees.total', value: 0 },
        { period: '2011-05', metric: 'activities.held', value: 1 },
        { period: '2011-05', metric: 'attendees.total', value: 0 },
        { period: '2011-06', metric: 'activities.held', value: 0 },
        { period: '2011-06', metric: 'attendees.total', value: 0 },
      ],
    });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="engagement-month-2011-04-to-2011-06.csv"',
    );
    // Every cell is quoted (a `;` locale cannot split one); a spreadsheet still reads numbers as numbers.
    expect(csv.text).toBe(
      [
        '"period","metric","value"',
        '"2011-04","activities.held","0"',
        '"2011-04","attendees.total","0"',
        '"2011-05","activities.held","1"',
        '"2011-05","attendees.total","0"',
        '"2011-06","activities.held","0"',
        '"2011-06","attendees.total","0"',
        '',
      ].join('\r\n'),
    );
  });

  it('sum a year from its days, and give a client that accepts text/csv a CSV', async () => {
    const [yearly, daily] = await Promise.all([
      exportOf(
        'metrics=activities.held&dimension=network=innovation-support-forum&granularity=year&from=2010&to=2012',
      ),
      exportOf(
        'metrics=activities.held&granularity=day&from=2011-05-09&to=2011-05-11&dimension=kind=policy-practice',
        {
          accept: 'text/csv',
        },
      ),
    ]);

    expect((yearly.json() as ExportAnswer).rows.map((row) => row.value)).toEqual([0, 1, 0]);
    expect(daily.text).toBe(
      '"period","metric","value"\r\n"2011-05-09","activities.held","0"\r\n"2011-05-10","activities.held","1"\r\n"2011-05-11","activities.held","0"\r\n',
    );
  });

  it.each([
    ['an unknown metric', 'metrics=activities.held,made.up', 'metrics'],
    ['no metric', 'metrics=', 'metrics'],
    ['an unknown dimension', 'metrics=activities.held&dimension=colour=blue', 'dimension'],
    ['an unknown dimension value', 'metrics=activities.held&dimension=kind=picnic', 'dimension'],
    [
      'a dimension the metric is not kept by',
      'metrics=social.engagement&dimension=network=working-groups',
      'dimension',
    ],
    ['from after to', 'metrics=activities.held&from=2020-06&to=2020-05', 'from'],
    [
      'more than 1,000 periods',
      'metrics=activities.held&granularity=day&from=2020-01-01&to=2023-01-01',
      'to',
    ],
    ['a malformed date', 'metrics=activities.held&from=2020-02-30&granularity=day', 'from'],
    ['days of an imported metric', 'metrics=social.engagement&granularity=day', 'granularity'],
    ['an unknown granularity', 'metrics=activities.held&granularity=week', 'granularity'],
    ['an unknown format', 'metrics=activities.held&format=xlsx', 'format'],
  ])('refuse %s with 400 naming the parameter', async (_case, query, field) => {
    const response = await exportOf(query);

    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      error: {
        code: 'invalid_request',
        details: expect.arrayContaining([expect.objectContaining({ field })]),
      },
    });
  });
});
