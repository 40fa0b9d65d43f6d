/**
 * Builds the whole system on one machine from the catalogue: real DynamoDB Local and SES emulator,
 * the local bus with one queue per subscription, the outbox relay reading the outbox tables'
 * streams, the gateway with its routes, and the scheduler.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Cron } from 'croner';
import { type HandlerEntry, handlerId, routes, schedules, tables } from '../catalogue';
import type { LocalBus } from './bus';
import { localControls } from './controls';
import { account, busName, type Invocable, region, startDelivery } from './delivery';
import { createGateway, type HttpLambda } from './gateway';
import { makeLocalVerifier } from './jwt';
import { lambdaContext } from './lambda';
import { dataDir, repoRoot } from './paths';
import type { OutboxRelay } from './relay';
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
  /** Multiplies the subscription queues' visibility timeouts (1: as declared). */
  busTimeScale: number;
  logRequests?: (line: string) => void;
  /** Called when a child service dies after start-up. */
  onChildExit?: (what: string, code: number | null) => void;
}

export interface Runtime {
  stop: () => Promise<void>;
  bus: LocalBus;
  relay: OutboxRelay;
}

/** Imports a handler; a non-zero `environment` gets a module instance of its own (a query string). */
async function loadHandler(entry: HandlerEntry, environment = 0): Promise<Invocable> {
  const url = pathToFileURL(path.join(repoRoot, entry.handler)).href;
  const module = (await import(environment ? `${url}?environment=${environment}` : url)) as {
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
  let delivery: { bus: LocalBus; relay: OutboxRelay } | undefined;
  let stopping = false;

  const stop = async () => {
    stopping = true;
    for (const cron of crons) cron.stop();
    for (const timer of timers) clearInterval(timer);
    await delivery?.relay.stop();
    delivery?.bus.stop();
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

    // The delivery path: the bus with a queue per subscription, and the outbox relay feeding it.
    delivery = await startDelivery({
      dataDir: data,
      dynamoEndpoint: `http://127.0.0.1:${options.dynamoPort}`,
      busMode: options.busMode,
      timeScale: options.busTimeScale,
      loadHandler,
    });
    const { bus, relay } = delivery;

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
    const controls = localControls(bus, relay, runSchedule);
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

    return { stop, bus, relay };
  } catch (error) {
    await stop();
    throw error;
  }
}
