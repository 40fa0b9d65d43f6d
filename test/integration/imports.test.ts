import { afterAll, describe, expect, it } from 'vitest';
import { api, bearerToken, counter, londonMonth, scanAll, waitFor } from './helpers';

const analyst = () => bearerToken(['analyst']);

async function importRows(metric: string, body: string, contentType = 'application/json') {
  return api('PUT', `/api/metrics/${metric}`, {
    token: await analyst(),
    rawBody: body,
    headers: { 'content-type': contentType },
  });
}

async function exportedValues(metric: string, from: string, to: string, granularity = 'month') {
  const response = await api(
    'GET',
    `/api/exports/engagement?metrics=${metric}&granularity=${granularity}&from=${from}&to=${to}`,
    { token: await analyst() },
  );
  expect(response.status, response.text).toBe(200);
  return (response.json() as { rows: Array<{ value: number }> }).rows.map((row) => row.value);
}

const waitForValues = (metric: string, from: string, to: string, expected: number[], granularity = 'month') =>
  waitFor(`${metric} ${from}..${to} to read ${expected.join(',')}`, async () => {
    const values = await exportedValues(metric, from, to, granularity);
    return JSON.stringify(values) === JSON.stringify(expected) ? values : undefined;
  });

describe('importing monthly figures', () => {
  it('re-importing a month replaces its value, the later import winning whatever the delivery order', async () => {
    const first = await importRows(
      'social.engagement',
      JSON.stringify([
        { period: '2041-01', value: 10 },
        { period: '2041-02', value: 20 },
      ]),
    );
    // At once, before the first is recorded: a shuffling bus may deliver the two in either order.
    // As a spreadsheet saves it: a byte-order mark, CRLF line ends, a quoted cell.
    const again = await importRows(
      'social.engagement',
      '\uFEFFperiod,value\r\n"2041-02",25.5\r\n',
      'text/csv',
    );

    expect(first.status, first.text).toBe(202);
    expect(first.json()).toEqual({ metric: 'social.engagement', rows: 2, from: '2041-01', to: '2041-02' });
    expect(again.status, again.text).toBe(202);
    await waitForValues('social.engagement', '2041-01', '2041-03', [10, 25.5, 0]);
    await api('GET', '/_local/bus/idle');
    expect(await exportedValues('social.engagement', '2041-01', '2041-03')).toEqual([10, 25.5, 0]);
    expect(await exportedValues('social.engagement', '2041', '2041', 'year')).toEqual([35.5]);
  });

  it('a bad row rejects the whole request, naming each bad row, and nothing is stored', async () => {
    const rows = [
      { period: '2042-01', value: 5 },
      { period: '2042-13', value: 5 },
      { period: '2042-02', value: -1 },
      { period: '2042-03', value: 'many' },
    ];

    const response = await importRows('social.engagement', JSON.stringify(rows));

    expect(response.status).toBe(400);
    expect((response.json() as { error: { details: unknown[] } }).error.details).toEqual([
      { field: 'row 2', message: expect.stringContaining('2042-13') },
      { field: 'row 3', message: expect.stringContaining('2042-02') },
      { field: 'row 4', message: expect.stringContaining('2042-03') },
    ]);
    await api('GET', '/_local/bus/idle');
    const outbox = await scanAll('metrics');
    expect(outbox.filter((item) => String(item.detail ?? '').includes('2042-01'))).toEqual([]);
    expect(await exportedValues('social.engagement', '2042-01', '2042-03')).toEqual([0, 0, 0]);
  });

  it('refuses an unknown metric, a body of another type, and a caller without a token', async () => {
    const [unknown, formBody, anonymous] = await Promise.all([
      importRows('activities.held', '[{"period":"2041-01","value":1}]'),
      importRows('social.engagement', 'period=2041-01&value=1', 'application/x-www-form-urlencoded'),
      api('PUT', '/api/metrics/social.engagement', { body: [{ period: '2041-01', value: 1 }] }),
    ]);

    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { details: [{ field: 'id' }] } });
    expect(formBody.status).toBe(415);
    expect(anonymous.status).toBe(401);
  });
});

describe('own and imported figures together', () => {
  const month = londonMonth();

  // The imported figure for this month goes back to 0, so no later test's totals include it.
  afterAll(async () => {
    await importRows('website.views', JSON.stringify([{ period: month, value: 0 }]));
    await api('GET', '/_local/bus/idle');
  });

  it("a month's web views are the hosted pages' own views plus the imported main-site views", async () => {
    const imported = await importRows('website.views', `period,value\n${month},1000\n`, 'text/csv');
    expect(imported.status, imported.text).toBe(202);
    await waitFor(
      'the imported views',
      async () => ((await exportedValues('website.views', month, month))[0] ?? 0) >= 1000,
    );
    const ownBefore = await counter('website.views', 'all', 'month', month);

    const beacon = await api('POST', '/api/track/pageview', {
      body: { page: '/privacy.html' },
      headers: {
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
        'sec-fetch-site': 'same-origin',
      },
    });

    expect(beacon.status).toBeLessThan(300);
    await waitForValues('website.views', month, month, [ownBefore + 1 + 1000]);
  });
});
