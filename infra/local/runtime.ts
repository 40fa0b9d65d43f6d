/**
 * Builds the whole system on one machine from the catalogue: real DynamoDB Local and SES emulator,
 * the local bus with the catalogue's subscriptions, the gateway with its routes, and the scheduler.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Cron } from 'croner';
import { type HandlerEntry, handlerId, routes, schedules, subscriptions, tables } from '../catalogue';
import { LocalBus } from './bus';
import { createGateway, type HttpLambda, type LocalControl } from './gateway';
import { makeLocalVerifier } from './jwt';
import { lambdaContext } from './lambda';
import { dataDir, repoRoot } from './paths';
import { toLocalSchedule } from './schedule-expression';
import {
  DynamoDBClient,
  ensureTables,
  localTableName,
  requireFreePort,
  requireJava,
  StartupError,
  startDynamoDbLocal,
  startSesEmulator,
  waitForHttp,
} from './services';

export interface RuntimeOptions {
  port: number;
  dynamoPort: number;
  sesPort: number;
  busPort: number;
  busMode: { duplicate: boolean; shuffle: boolean };
  /** Deliveries in hand at once per subscription (like Lambda reserved concurrency). */
  busConcurrency: number;
  logRequests?: (line: string) => void;
  /** Called when a child service dies after start-up. */
  onChildExit?: (what: string, code: number | null) => void;
}

export interface Runtime {
  stop: () => Promise<void>;
  bus: LocalBus;
}

const region = 'eu-west-2';
const account = '000000000000';
const busName = 'alliance';

type Invocable = (event: unknown, context: unknown) => Promise<unknown>;

async function loadHandler(entry: HandlerEntry): Promise<Invocable> {
  const module = (await import(pathToFileURL(path.join(repoRoot, entry.handler)).href)) as {
    handler?: Invocable;
  };
  const handler = module.handler;
  if (typeof handler !== 'function')
    throw new StartupError(`${entry.handler} does not export a handler function.`);
  // Imported late: the shared SDK clients must be created after the endpoints are in the environment.
  const { asHandler } = await import('./permissions');
  const name = handlerId(entry);
  return (event, context) => asHandler(entry, name, () => handler(event, context));
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  requireJava();
  await requireFreePort(options.port, 'gateway', 'PORT');
  await requireFreePort(options.dynamoPort, 'DynamoDB Local', 'DYNAMODB_PORT');
  await requireFreePort(options.sesPort, 'SES emulator', 'SES_PORT');
  await requireFreePort(options.busPort, 'local bus', 'BUS_PORT');

  const data = dataDir();
  const children: Array<{ what: string; process: ChildProcess }> = [];
  const servers: Server[] = [];
  const crons: Cron[] = [];
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;

  const stop = async () => {
    stopping = true;
    for (const cron of crons) cron.stop();
    for (const timer of timers) clearInterval(timer);
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    for (const server of servers) server.closeAllConnections();
    await Promise.all(
      children.map(
        ({ process: child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 3000).unref();
          }),
      ),
    );
  };

  const watch = (what: string, child: ChildProcess) => {
    children.push({ what, process: child });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.stdout?.resume();
    child.on('exit', (code) => {
      if (!stopping) {
        if (stderr.trim()) console.error(stderr.trim().split('\n').slice(-3).join('\n'));
        options.onChildExit?.(what, code);
      }
    });
  };

  try {
    // The services: real DynamoDB Local (Java) and the SES v2 emulator.
    const dynamo = startDynamoDbLocal(options.dynamoPort, path.join(data, 'dynamodb'));
    watch('DynamoDB Local', dynamo);
    const ses = startSesEmulator(options.sesPort);
    watch('SES emulator', ses);
    await Promise.all([
      waitForHttp(`http://127.0.0.1:${options.dynamoPort}/`, 'DynamoDB Local', dynamo),
      waitForHttp(`http://127.0.0.1:${options.sesPort}/health-check`, 'SES emulator', ses),
    ]);

    // The environment every handler reads, exactly as CDK sets it in the cloud, plus endpoints.
    const secretFile = path.join(data, 'token-secret');
    if (!existsSync(secretFile))
      writeFileSync(secretFile, randomBytes(48).toString('base64url'), { mode: 0o600 });
    Object.assign(process.env, {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID_LOCAL ?? 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${options.dynamoPort}`,
      AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${options.sesPort}`,
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${options.busPort}`,
      EVENT_BUS_NAME: busName,
      TOKEN_SECRET_FILE: secretFile,
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${options.port}`,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      ...Object.fromEntries(
        Object.entries(tables).map(([table, declaration]) => [declaration.envVar, localTableName(table)]),
      ),
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    await ensureTables(new DynamoDBClient({ region, endpoint: `http://127.0.0.1:${options.dynamoPort}` }));
    // Each handler reaches only what its catalogue entry grants, as its IAM role would allow.
    (await import('./permissions')).enforceCatalogueGrants();

    // The bus, with one rule per subscription.
    const bus = new LocalBus(
      await Promise.all(
        subscriptions.map(async (subscription) => {
          const handler = await loadHandler(subscription);
          const functionName = handlerId(subscription);
          return {
            name: subscription.name,
            pattern: subscription.pattern,
            deliver: (event: unknown) =>
              handler(event, lambdaContext(functionName, subscription.timeoutSeconds)),
          };
        }),
      ),
      {
        busName,
        account,
        region,
        archiveFile: path.join(data, 'archive.jsonl'),
        archiveSourcePrefix: 'alliance.',
        concurrencyPerRule: options.busConcurrency,
        onDeliveryError: (rule, event, error, attempt) =>
          console.error(
            `bus: ${rule} failed on ${event['detail-type']} (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`,
          ),
      },
    );
    bus.mode = options.busMode;
    const busServer = createServer((request, response) => {
      bus.handleHttp(request, response).catch(() => {
        response.writeHead(500);
        response.end();
      });
    });
    servers.push(busServer);
    await new Promise<void>((resolve) => busServer.listen(options.busPort, '127.0.0.1', resolve));

    // The scheduler.
    const scheduleHandlers = new Map<string, Invocable>();
    for (const schedule of schedules) scheduleHandlers.set(schedule.name, await loadHandler(schedule));
    const runSchedule = async (name: string, time: Date) => {
      const schedule = schedules.find((entry) => entry.name === name);
      const handler = scheduleHandlers.get(name);
      if (!schedule || !handler) throw new Error(`no schedule ${name}`);
      const event = {
        version: '0',
        id: crypto.randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account,
        time: `${time.toISOString().slice(0, 19)}Z`,
        region,
        resources: [`arn:aws:events:${region}:${account}:rule/${name}`],
        detail: {},
      };
      return handler(event, lambdaContext(handlerId(schedule), schedule.timeoutSeconds));
    };
    for (const schedule of schedules) {
      const local = toLocalSchedule(schedule.expression);
      const fire = () =>
        void runSchedule(schedule.name, new Date()).catch((error: unknown) =>
          console.error(
            `schedule ${schedule.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      if (local.kind === 'cron') crons.push(new Cron(local.pattern, { timezone: 'UTC' }, fire));
      else timers.push(setInterval(fire, local.everyMs));
    }

    // The gateway.
    const controls = localControls(bus, runSchedule);
    const gateway = createGateway({
      routes: await Promise.all(
        routes.map(async (entry) => ({
          entry,
          handler: (await loadHandler(entry)) as HttpLambda,
          functionName: handlerId(entry),
        })),
      ),
      verifyJwt: await makeLocalVerifier(),
      webDir: path.join(repoRoot, 'web'),
      controls,
      onRequest: options.logRequests,
    });
    servers.push(gateway);
    await new Promise<void>((resolve) => gateway.listen(options.port, '127.0.0.1', resolve));

    return { stop, bus };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Every counter, for a person watching them move on one machine (the cloud has exports for this). */
async function readCounters(): Promise<Record<string, Record<string, Record<string, number>>>> {
  const client = new DynamoDBClient({});
  const counters: Record<string, Record<string, Record<string, number>>> = {};
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: localTableName('counters'), ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      const { metric, dimension, granularity, period, count } = item;
      if (!metric?.S || !dimension?.S || !granularity?.S || !period?.S) continue;
      counters[metric.S] ??= {};
      const byDimension = counters[metric.S] ?? {};
      byDimension[dimension.S] ??= {};
      const byPeriod = byDimension[dimension.S] ?? {};
      byPeriod[`${granularity.S} ${period.S}`] = Number(count?.N ?? 0);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return counters;
}

function localControls(
  bus: LocalBus,
  runSchedule: (name: string, time: Date) => Promise<unknown>,
): LocalControl {
  const problem = (status: number, code: string, message: string) => ({
    status,
    body: { error: { code, message } },
  });
  return async ({ method, path: pathname, body }) => {
    const scheduleName = /^\/_local\/schedules\/([\w-]+)$/.exec(pathname)?.[1];
    if (method === 'POST' && scheduleName) {
      if (!schedules.some((schedule) => schedule.name === scheduleName)) {
        return problem(
          404,
          'not_found',
          `No schedule named ${scheduleName}. Known: ${schedules.map((s) => s.name).join(', ')}`,
        );
      }
      const requested = (body as { time?: unknown } | undefined)?.time;
      const time = requested === undefined ? new Date() : new Date(String(requested));
      if (Number.isNaN(time.getTime()))
        return problem(400, 'invalid_request', 'time must be an ISO 8601 date-time');
      try {
        const result = await runSchedule(scheduleName, time);
        return {
          status: 200,
          body: { schedule: scheduleName, time: time.toISOString(), result: result ?? null },
        };
      } catch (error) {
        return problem(500, 'schedule_failed', error instanceof Error ? error.message : String(error));
      }
    }
    if (method === 'GET' && pathname === '/_local/dead-letters')
      return { status: 200, body: { deadLetters: bus.deadLetters } };
    if (pathname === '/_local/bus/mode') {
      if (method === 'POST') {
        const mode = body as { duplicate?: unknown; shuffle?: unknown } | undefined;
        if (
          !mode ||
          (mode.duplicate !== undefined && typeof mode.duplicate !== 'boolean') ||
          (mode.shuffle !== undefined && typeof mode.shuffle !== 'boolean')
        ) {
          return problem(400, 'invalid_request', 'send { "duplicate": true|false, "shuffle": true|false }');
        }
        bus.mode = {
          duplicate: mode.duplicate ?? bus.mode.duplicate,
          shuffle: mode.shuffle ?? bus.mode.shuffle,
        };
      }
      if (method === 'POST' || method === 'GET') return { status: 200, body: bus.mode };
    }
    if (method === 'POST' && pathname === '/_local/events') {
      const entries = (body as { Entries?: unknown } | undefined)?.Entries;
      if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
        return problem(
          400,
          'invalid_request',
          'send a PutEvents body: { "Entries": [ ...1 to 10 entries ] }',
        );
      }
      return { status: 200, body: bus.putEvents(entries) };
    }
    if (method === 'POST' && pathname === '/_local/replay') {
      const times = Number((body as { times?: unknown } | undefined)?.times ?? 1);
      if (!Number.isInteger(times) || times < 1 || times > 5)
        return problem(400, 'invalid_request', 'times must be 1 to 5');
      const replayed = bus.replayArchive(times);
      await bus.idle();
      return { status: 200, body: { replayed } };
    }
    if (method === 'GET' && pathname === '/_local/counters') {
      return { status: 200, body: { counters: await readCounters() } };
    }
    if (method === 'GET' && pathname === '/_local/bus/idle') {
      await bus.idle();
      return { status: 200, body: { idle: true } };
    }
    if (method === 'GET' && pathname === '/_local') {
      return {
        status: 200,
        body: {
          controls: {
            'POST /_local/schedules/{name}': `run a schedule now; body { "time": "<ISO 8601>" } optional. Schedules: ${schedules.map((s) => s.name).join(', ')}`,
            'GET /_local/dead-letters': 'events the bus gave up delivering',
            'GET|POST /_local/bus/mode': 'read or set { "duplicate": bool, "shuffle": bool }',
            'POST /_local/events': 'inject events as PutEvents would: { "Entries": [...] }',
            'POST /_local/replay': 'replay the archive; body { "times": 1..5 }; answers when delivered',
            'GET /_local/bus/idle': 'answers once every delivery and retry has finished',
            'GET /_local/counters': 'every counter, as metric → dimension → period → count',
          },
        },
      };
    }
    return problem(404, 'not_found', `No local control ${method} ${pathname}. See GET /_local.`);
  };
}
