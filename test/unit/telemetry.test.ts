import { randomUUID } from 'node:crypto';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { adaRegistration } from './fixtures';
import { httpEvent } from './http-event';
import { sqsBatch } from './sqs-event';

// As in Lambda: info lines on, metrics emitted. Set before the modules that read them are imported.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'AllianceTest';

const { mockClient } = await import('aws-sdk-client-mock');
const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
const { handler: register } = await import('../../functions/members/register-member');
const { consumer } = await import('../../shared/consumer');
const { logger } = await import('../../shared/logger');
const { tracer } = await import('../../shared/tracer');

const dynamo = mockClient(DynamoDBDocumentClient);

const lambdaContext = (awsRequestId: string): Context =>
  ({
    awsRequestId,
    functionName: 'alliance-register-member',
    getRemainingTimeInMillis: () => 10_000,
  }) as unknown as Context;

const registration = adaRegistration;

/** Everything written to stdout and stderr while `run` runs, as lines. */
async function captured(run: () => Promise<unknown>): Promise<{ stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const keep = (into: string[]) => (chunk: unknown) => {
    into.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(keep(stdout));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(keep(stderr));
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

const jsonLines = (lines: string[]) =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

interface EmfBlob {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> };
  [metric: string]: unknown;
}
const emfBlobs = (lines: string[]) =>
  jsonLines(lines).filter((line): line is Record<string, unknown> & EmfBlob => '_aws' in line);

beforeAll(() => {
  expect(logger.getLevelName()).toBe('INFO');
});

beforeEach(() => {
  dynamo.reset();
  dynamo.on(UpdateCommand).resolves({});
  dynamo.on(TransactWriteCommand).resolves({});
});

afterEach(() => {
  dynamo.reset();
});

describe('telemetry of a registration, as CloudWatch would read it', () => {
  it('every log line carries the Lambda request id and cold start, the first invocation cold and the next warm', async () => {
    const log = async (requestId: string) =>
      (
        await captured(() =>
          register(
            httpEvent('POST /api/members', { body: { ...registration, website: 'https://spam.example' } }),
            lambdaContext(requestId),
          ),
        )
      ).stdout;

    const first = jsonLines(await log('lambda-request-1')).filter((line) => line.message);
    const second = jsonLines(await log('lambda-request-2')).filter((line) => line.message);

    expect(first.length).toBeGreaterThan(0);
    for (const line of first) {
      expect(line).toMatchObject({
        function_request_id: 'lambda-request-1',
        cold_start: true,
        function_name: 'alliance-register-member',
        correlationId: 'request-1',
        route: 'POST /api/members',
      });
    }
    expect(second.length).toBeGreaterThan(0);
    for (const line of second) {
      expect(line).toMatchObject({ function_request_id: 'lambda-request-2', cold_start: false });
    }
  });

  it('a stored registration emits one EMF line with RegistrationRequested in the stack namespace', async () => {
    const { stdout } = await captured(async () => {
      const response = await register(
        httpEvent('POST /api/members', { body: registration }),
        lambdaContext('lambda-request-3'),
      );
      expect(response.statusCode).toBe(202);
    });

    const blobs = emfBlobs(stdout);
    expect(blobs).toHaveLength(1);
    const [blob] = blobs;
    expect(blob?._aws.CloudWatchMetrics[0]?.Namespace).toBe('AllianceTest');
    expect(blob?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      expect.objectContaining({ Name: 'RegistrationRequested' }),
    ]);
    expect(blob?.RegistrationRequested).toBe(1);
  });

  it('a refused registration (the honeypot) counts nothing', async () => {
    const { stdout } = await captured(() =>
      register(
        httpEvent('POST /api/members', { body: { ...registration, website: 'https://spam.example' } }),
        lambdaContext('lambda-request-4'),
      ),
    );
    expect(emfBlobs(stdout)).toEqual([]);
  });

  it('outside Lambda the tracer is off: SDK calls go through untouched and nothing complains about X-Ray', async () => {
    expect(tracer.isTracingEnabled()).toBe(false);
    const { stderr, stdout } = await captured(() =>
      register(httpEvent('POST /api/members', { body: registration }), lambdaContext('lambda-request-5')),
    );
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect([...stderr, ...stdout].join('\n')).not.toMatch(/x-?ray|segment|daemon/i);
  });
});

describe('telemetry of a bus consumer', () => {
  it('each record is logged with the invocation request id, its event id and cold start', async () => {
    const handle = consumer(
      'telemetry-test',
      ['MemberRegistrationRequested'],
      async () => {
        logger.info('handled');
      },
      { idempotent: false },
    );
    const eventId = randomUUID();
    const { stdout } = await captured(() =>
      handle(
        sqsBatch('q', {
          detailType: 'MemberRegistrationRequested',
          detail: { eventId, occurredAt: '2026-11-27T10:00:00Z', requestId: randomUUID() },
        }),
        lambdaContext('lambda-request-6'),
      ),
    );
    const handled = jsonLines(stdout).filter((line) => line.message === 'handled');
    expect(handled).toEqual([
      expect.objectContaining({
        function_request_id: 'lambda-request-6',
        cold_start: expect.any(Boolean),
        consumer: 'telemetry-test',
        eventId,
      }),
    ]);
  });
});

describe('telemetry of a scheduled run', () => {
  it('each line is logged with the invocation request id and the schedule event id, and the run gets the schedule time', async () => {
    const { scheduled } = await import('../../shared/schedule');
    const seen: Date[] = [];
    const run = scheduled(async (now) => {
      seen.push(now);
      logger.info('scheduled work');
      return { done: 1 };
    });
    const { stdout } = await captured(async () => {
      const answer = await run(
        {
          id: 'schedule-event-1',
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          time: '2026-11-27T10:00:00Z',
        },
        lambdaContext('lambda-request-7'),
      );
      expect(answer).toEqual({ done: 1 });
    });
    expect(seen.map((date) => date.toISOString())).toEqual(['2026-11-27T10:00:00.000Z']);
    expect(jsonLines(stdout).filter((line) => line.message === 'scheduled work')).toEqual([
      expect.objectContaining({
        function_request_id: 'lambda-request-7',
        cold_start: expect.any(Boolean),
        scheduleEventId: 'schedule-event-1',
      }),
    ]);
  });
});
