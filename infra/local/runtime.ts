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
import { tableEnvVar, tableNames } from '../../shared/tables';
import { type HandlerEntry, handlerId, routeAccessEntries, routes, schedules } from '../catalogue';
import { buildConsole } from '../console-build';
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
import { SesEndpoint } from './ses-endpoint';

export interface RuntimeOptions {
  port: number;
  dynamoPort: number;
  /** The SES emulator (its mail viewer and `/store`). */
  sesPort: number;
  /** The local SES endpoint handlers call (AWS_ENDPOINT_URL_SESV2); default `defaultSesApiPort`. */
  sesApiPort?: number;
  /** SendQuota.MaxSendRate of the local SES account (SES_MAX_SEND_RATE), default 14. */
  sesMaxSendRate?: number;
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
  ses: SesEndpoint;
  sesApiPort: number;
}

/** The local SES endpoint's port when none is given: the first above SES_PORT no other service uses. */
export function defaultSesApiPort(ports: {
  port: number;
  dynamoPort: number;
  sesPort: number;
  busPort: number;
}) {
  const taken = new Set([ports.port, ports.dynamoPort, ports.sesPort, ports.busPort]);
  let candidate = ports.sesPort + 1;
  while (taken.has(candidate)) candidate++;
  return candidate;
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
  const sesApiPort = options.sesApiPort ?? defaultSesApiPort(options);
  if ([options.port, options.dynamoPort, options.sesPort, options.busPort].includes(sesApiPort))
    throw new StartupError(`SES_API_PORT=${sesApiPort} is already one of the other local services' ports.`);
  await requireFreePort(sesApiPort, 'local SES endpoint', 'SES_API_PORT');

  const data = dataDir();
  const children: Array<{ what: string; process: ChildProcess }> = [];
  const servers: Server[] = [];
  const crons: Cron[] = [];
  const timers: NodeJS.Timeout[] = [];
  let delivery: { bus: LocalBus; relay: OutboxRelay } | undefined;
  let sesEndpoint: SesEndpoint | undefined;
  let stopping = false;

  const stop = async () => {
    stopping = true;
    for (const cron of crons) cron.stop();
    for (const timer of timers) clearInterval(timer);
    sesEndpoint?.stop();
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
    const sesEmulator = startSesEmulator(options.sesPort);
    watch('SES emulator', sesEmulator);
    await Promise.all([
      waitForHttp(`http://127.0.0.1:${options.dynamoPort}/`, 'DynamoDB Local', dynamo),
      waitForHttp(`http://127.0.0.1:${options.sesPort}/health-check`, 'SES emulator', sesEmulator),
    ]);

    // The environment every handler reads, exactly as CDK sets it in the cloud, plus endpoints.
    const secretFile = path.join(data, 'token-secret');
    if (!existsSync(secretFile))
      writeFileSync(secretFile, randomBytes(48).toString('base64url'), { mode: 0o600 });
    // The HMAC key of the one-way labels of addresses and IPs: a key of its own, like the cloud's.
    const pseudonymKeyFile = path.join(data, 'pseudonym-key');
    if (!existsSync(pseudonymKeyFile))
      writeFileSync(pseudonymKeyFile, randomBytes(48).toString('base64url'), { mode: 0o600 });
    Object.assign(process.env, {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID_LOCAL ?? 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${options.dynamoPort}`,
      // Our SES endpoint, in front of the emulator: quota, fault mode, SES's events on the bus.
      AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${sesApiPort}`,
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${options.busPort}`,
      EVENT_BUS_NAME: busName,
      TOKEN_SECRET_FILE: secretFile,
      PSEUDONYM_KEY_FILE: pseudonymKeyFile,
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${options.port}`,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      ...Object.fromEntries(tableNames.map((table) => [tableEnvVar(table), localTableName(table)])),
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    await ensureTables(new DynamoDBClient({ region, endpoint: `http://127.0.0.1:${options.dynamoPort}` }));
    // Each handler reaches only what its catalogue entry grants, as its IAM role would allow.
    (await import('./permissions')).enforceCatalogueGrants();
    // Which groups may call each route: a bundle gets its own routes' at bundling, this runtime all.
    (await import('../../shared/http/access')).bindRouteAccess(routeAccessEntries());

    // The SES endpoint the handlers' client calls; it forwards to the emulator and publishes SES's events.
    const ses = new SesEndpoint({
      emulatorUrl: `http://127.0.0.1:${options.sesPort}`,
      url: `http://127.0.0.1:${sesApiPort}`,
      region,
      account,
      busName,
      // Events go to the bus started below; nothing is sent before handlers run, so it exists by then.
      bus: {
        putEvents: (entries) => {
          if (!delivery) throw new Error('the local bus is not running yet');
          return delivery.bus.putEvents(entries);
        },
      },
      messagesFile: path.join(data, 'ses-messages.jsonl'),
      faults: { maxSendRate: options.sesMaxSendRate ?? 14 },
      log: (line) => console.error(line),
    });
    sesEndpoint = ses;
    const sesServer = createServer((request, response) => {
      ses.handleHttp(request, response).catch((error: unknown) => {
        console.error(`local SES endpoint: ${error instanceof Error ? error.message : String(error)}`);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    servers.push(sesServer);
    await new Promise<void>((resolve) => sesServer.listen(sesApiPort, '127.0.0.1', resolve));

    // The delivery path: the bus with a queue per subscription, and the outbox relay feeding it.
    delivery = await startDelivery({
      dataDir: data,
      dynamoEndpoint: `http://127.0.0.1:${options.dynamoPort}`,
      busMode: options.busMode,
      timeScale: options.busTimeScale,
      loadHandler,
    });
    const { bus, relay } = delivery;
    // The bus is idle only once SES's events for the e-mails already sent are on it.
    bus.addIdleCheck(() => ses.settled());

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

    // The gateway, with the console's scripts freshly built from web/console/src/.
    buildConsole();
    const { crashFaults } = await import('./permissions');
    const controls = localControls(bus, relay, runSchedule, { ses, crashFaults });
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

    return { stop, bus, relay, ses, sesApiPort };
  } catch (error) {
    await stop();
    throw error;
  }
}
