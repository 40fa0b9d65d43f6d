import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as recordImported } from '../../functions/counters/record-imported-metrics';
import { checkRows, readSentRows } from '../../functions/metrics/domain/import-rows';
import { handler as importMetric } from '../../functions/metrics/import-metric';
import { lambdaContext } from '../../infra/local/lambda';
import type { FieldProblem } from '../../shared/errors';
import { buildEvent } from '../../shared/outbox';
import { context, httpEvent } from './http-event';
import { sqsBatch } from './sqs-event';

const dynamo = mockClient(DynamoDBDocumentClient);

const rowsOf = (contentType: string, body: string) => checkRows(readSentRows(contentType, body));

function problemsOf(contentType: string, body: string): FieldProblem[] {
  try {
    rowsOf(contentType, body);
  } catch (error) {
    return (error as { details?: FieldProblem[] }).details ?? [];
  }
  throw new Error('expected the rows to be refused');
}

describe('the rows of a metric import', () => {
  it('reads JSON rows, sorted by month', () => {
    expect(
      rowsOf(
        'application/json; charset=utf-8',
        '[{"period":"2020-02","value":7.5},{"period":"2020-01","value":0}]',
      ),
    ).toEqual([
      { period: '2020-01', value: 0 },
      { period: '2020-02', value: 7.5 },
    ]);
  });

  it('reads CSV with a byte-order mark, CRLF line ends, quoted cells and a trailing blank line', () => {
    const csv = '\uFEFFPeriod,Value\r\n2020-01,12\r\n"2020-02"," 30 "\r\n\r\n';
    expect(rowsOf('text/csv', csv)).toEqual([
      { period: '2020-01', value: 12 },
      { period: '2020-02', value: 30 },
    ]);
  });

  it('names each bad row with its number and period, and keeps none', () => {
    const body = JSON.stringify([
      { period: '2020-01', value: 1 },
      { period: '2020-13', value: 1 },
      { period: '1999-12', value: 1 },
      { period: '2020-01', value: 2 },
      { period: '2020-04', value: -1 },
      { period: '2020-05', value: 'lots' },
      { period: '2020-06', value: 'INFINITE' },
      { period: 202007, value: 1 },
      'not a row',
    ]).replace('"INFINITE"', '1e400');
    expect(problemsOf('application/json', body)).toEqual([
      { field: 'row 2', message: 'period 2020-13: the period must be a month, YYYY-MM' },
      { field: 'row 3', message: 'period 1999-12: the month must be from 2000-01 to 2100-12' },
      { field: 'row 4', message: 'period 2020-01: the same month is on row 1' },
      { field: 'row 5', message: 'period 2020-04: the value is negative' },
      { field: 'row 6', message: 'period 2020-05: the value is not a number' },
      { field: 'row 7', message: 'period 2020-06: the value is not a finite number' },
      { field: 'row 8', message: 'period 202007: the period must be a month, YYYY-MM' },
      { field: 'row 9', message: 'period null: the period must be a month, YYYY-MM' },
      { field: 'row 9', message: 'period null: the value is not a number' },
    ]);
  });

  it('refuses CSV values that are not plain numbers, and rows with a stray cell', () => {
    expect(problemsOf('text/csv', 'period,value\n2020-01,12abc\n2020-02,1,234\n2020-03,\n')).toEqual([
      { field: 'row 1', message: 'period 2020-01: the value is not a number' },
      { field: 'row 2', message: 'period 2020-02: the value is not a number' },
      { field: 'row 3', message: 'period 2020-03: the value is not a number' },
    ]);
  });

  it('refuses a CSV without the period,value header, an empty import and more than 1,200 rows', () => {
    expect(problemsOf('text/csv', '2020-01,12\n')).toEqual([
      { field: 'header', message: 'found "2020-01,12"' },
    ]);
    expect(problemsOf('application/json', '[]')).toEqual([{ field: 'rows', message: 'no rows' }]);
    const tooMany = Array.from({ length: 1201 }, (_, index) => ({ period: '2020-01', value: index }));
    expect(problemsOf('application/json', JSON.stringify(tooMany))).toEqual([
      { field: 'rows', message: '1201 rows sent' },
    ]);
  });

  it('lists at most 50 problems, then says how many more', () => {
    const bad = Array.from({ length: 60 }, () => ({ period: 'x', value: 1 }));
    const problems = problemsOf('application/json', JSON.stringify(bad));
    expect(problems).toHaveLength(51);
    expect(problems.at(-1)).toEqual({ field: 'rows', message: 'and 10 more problems' });
  });

  it('refuses a body that is neither JSON nor CSV', () => {
    expect(() => readSentRows('application/x-www-form-urlencoded', 'period=2020-01')).toThrow(
      expect.objectContaining({ statusCode: 415 }),
    );
    expect(() => readSentRows(undefined, '[]')).toThrow(expect.objectContaining({ statusCode: 415 }));
  });
});

describe('the import handler', () => {
  beforeEach(() => {
    dynamo.reset();
    dynamo.on(PutCommand).resolves({});
  });

  const put = (metric: string, body: string, contentType = 'application/json') => {
    const event = httpEvent('PUT /api/metrics/{id}', { headers: { 'content-type': contentType } });
    event.body = body;
    event.pathParameters = { id: metric };
    event.requestContext.authorizer.jwt.claims = { 'cognito:groups': ['analyst'] };
    return importMetric(event, context);
  };

  it('announces the whole import as one event and answers 202 with its span', async () => {
    const answer = await put('social.engagement', 'period,value\n2021-03,5\n2021-01,4\n', 'text/csv');

    expect(answer.statusCode).toBe(202);
    expect(JSON.parse(answer.body)).toEqual({
      metric: 'social.engagement',
      rows: 2,
      from: '2021-01',
      to: '2021-03',
    });
    const item = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item ?? {};
    expect(item).toMatchObject({
      detailType: 'MetricValuesImported',
      source: 'alliance.metrics',
      type: 'outbox',
    });
    expect(JSON.parse(String(item.detail))).toMatchObject({
      metric: 'social.engagement',
      rows: [
        { period: '2021-01', value: 4 },
        { period: '2021-03', value: 5 },
      ],
    });
  });

  it('refuses a metric that is not declared in externalMetrics, storing nothing', async () => {
    const answer = await put('activities.held', '[{"period":"2021-01","value":4}]');

    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).error.details).toEqual([
      { field: 'id', message: expect.stringContaining('social.engagement') },
    ]);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('stores nothing when one row is bad', async () => {
    const answer = await put(
      'website.views',
      '[{"period":"2021-01","value":4},{"period":"2021-02","value":-4}]',
    );

    expect(answer.statusCode).toBe(400);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('recording imported figures', () => {
  beforeEach(() => dynamo.reset());

  const imported = buildEvent('MetricValuesImported', {
    metric: 'website.views',
    rows: [
      { period: '2021-01', value: 4 },
      { period: '2021-02', value: 9 },
    ],
  });
  const deliver = () =>
    recordImported(
      sqsBatch('record-imported-metrics', { detailType: 'MetricValuesImported', detail: imported }),
      lambdaContext('record-imported-metrics', 30),
    );

  it('sets each month, on the condition that no later import holds it', async () => {
    dynamo.on(UpdateCommand).resolves({});

    const answer = await deliver();

    expect(answer.batchItemFailures).toEqual([]);
    const writes = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(writes.map((write) => write.Key)).toEqual([
      { pk: 'website.views#imported', sk: 'month#2021-01' },
      { pk: 'website.views#imported', sk: 'month#2021-02' },
    ]);
    expect(writes[1]).toMatchObject({
      UpdateExpression: expect.stringMatching(/^SET #count = :value, importedAt = :at, importEventId = :id/),
      ConditionExpression:
        'attribute_not_exists(importedAt) OR importedAt < :at OR (importedAt = :at AND importEventId <= :id)',
      ExpressionAttributeValues: expect.objectContaining({
        ':value': 9,
        ':at': imported.occurredAt,
        ':id': imported.eventId,
      }),
    });
  });

  it('skips a month a later import already holds, and still succeeds', async () => {
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'newer', $metadata: {} }))
      .resolves({});

    const answer = await deliver();

    expect(answer.batchItemFailures).toEqual([]);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it('hands the event back to its queue when a write fails for another reason', async () => {
    dynamo.on(UpdateCommand).rejects(new Error('throttled'));

    const answer = await deliver();

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
  });
});
