/** The `/_local` controls of the gateway: local-only levers and views, never deployed. */
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { schedules } from '../catalogue';
import type { LocalBus } from './bus';
import type { LocalControl } from './gateway';
import type { crashFaults as CrashFaults } from './permissions';
import type { PutEventsEntry } from './put-events';
import type { OutboxRelay } from './relay';
import { localTableName } from './services';
import type { SesEndpoint } from './ses-endpoint';

const problem = (status: number, code: string, message: string) => ({
  status,
  body: { error: { code, message } },
});

const listing = {
  'POST /_local/schedules/{name}': `run a schedule now; body { "time": "<ISO 8601>" } optional. Schedules: ${schedules.map((s) => s.name).join(', ')}`,
  'GET /_local/dead-letters': 'records the subscription queues (or the relay) gave up on',
  'DELETE /_local/dead-letters':
    'empty the dead-letter list; ?eventId= removes only the letters of that event',
  'GET|POST /_local/bus/mode': 'read or set { "duplicate": bool, "shuffle": bool }',
  'GET /_local/bus/stats':
    'per subscription: peak concurrency, invocations, records delivered/failed, redeliveries, dead-lettered, queue depth',
  'GET /_local/bus/idle':
    'answers once nothing is queued, held, in hand or awaiting redelivery, and the relay has caught up',
  'GET|POST /_local/relay': 'the outbox relay: read its positions and lag, or set { "paused": bool }',
  'POST /_local/events': 'inject events as PutEvents would: { "Entries": [...] }',
  'POST /_local/replay':
    'replay the archive; body { "times": 1..5, "from"?, "to"? } (ISO 8601: only events whose time is in [from, to), as StartReplay); answers when delivered',
  'GET /_local/counters': 'every counter, as metric → dimension → period → count',
  'GET /_local/ses':
    'the local SES endpoint (AWS_ENDPOINT_URL_SESV2) at a glance: its URL, the emulator, faults, messages remembered',
  'GET|POST|DELETE /_local/ses/faults':
    'the local SES fault mode: read, set { "throttleShare": 0..1, "rejectShare": 0..1, "maxSendRate"?: n, "enforceRate"?: bool }, or reset; with counts of accepted, throttled and rejected sends',
  'POST /_local/ses/events':
    'inject SES events (opens, clicks, any type) for a sent message: { "events": [ { "eventType": "Open", "mail": { "messageId": "..." }, "open": { "timestamp", "userAgent", "ipAddress" } } ] }',
  'GET /_local/ses/events':
    'the SES events the endpoint put on the bus (eventType, detailType, messageId, eventId or error); ?messageId= narrows',
  'GET /_local/ses/messages':
    'messages sent through the local SES endpoint, newest first: ?to=<address> narrows, ?limit= caps (1000)',
  'GET|POST|DELETE /_local/faults/crash':
    'crash faults: list, arm { "function": "<handler id>", "afterWrites": n } (its n-th DynamoDB write from now fails, the invocation dies), or disarm (?function= for one)',
};

/** What the gateway knows of a `/_local` request before it parses the body. */
export interface LocalControlCaller {
  host: string | undefined;
  origin: string | undefined;
  contentType: string | undefined;
  hasBody: boolean;
  /** The port the gateway itself listens on: its own pages are the only origin allowed. */
  gatewayPort: number;
}

const loopbackHost = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The controls are for a person or a test on this machine, never for a web page: a foreign `Origin`
 * (a cross-site form or fetch), a `Host` that is not a loopback name (DNS rebinding) or a body that
 * is not `application/json` (which a page cannot send cross-site without a CORS preflight) is refused.
 */
export function refuseForeignCaller(
  caller: LocalControlCaller,
): { status: number; body: unknown } | undefined {
  const hostname = caller.host?.replace(/:\d+$/, '');
  if (!hostname || !loopbackHost.test(hostname))
    return problem(403, 'forbidden', 'The /_local controls answer only to Host localhost or 127.0.0.1.');
  if (caller.origin !== undefined) {
    const own = ['localhost', '127.0.0.1', '[::1]'].map((name) => `http://${name}:${caller.gatewayPort}`);
    if (!own.includes(caller.origin.toLowerCase()))
      return problem(403, 'forbidden', 'The /_local controls refuse cross-site requests (foreign Origin).');
  }
  if (caller.hasBody && !/^application\/json\s*(;|$)/i.test(caller.contentType ?? ''))
    return problem(403, 'forbidden', 'A /_local request body must be sent as content-type application/json.');
  return undefined;
}

/** The fault levers the runtime hands the controls. */
export interface LocalFaults {
  ses: SesEndpoint;
  crashFaults: typeof CrashFaults;
}

export function localControls(
  bus: LocalBus,
  relay: OutboxRelay,
  runSchedule: (name: string, time: Date) => Promise<unknown>,
  faults?: LocalFaults,
): LocalControl {
  return async (request) => {
    const { method, path: pathname, body, query } = request;
    if (faults && (pathname === '/_local/ses' || pathname.startsWith('/_local/ses/'))) {
      const answer = await faults.ses.control(request);
      if (answer) return answer;
    }
    if (faults && pathname === '/_local/faults/crash') {
      if (method === 'POST') {
        const fault = body as { function?: unknown; afterWrites?: unknown } | undefined;
        const problems = faults.crashFaults.arm(fault?.function, fault?.afterWrites);
        if (problems.length > 0)
          return {
            status: 400,
            body: { error: { code: 'invalid_request', message: 'bad crash fault', details: problems } },
          };
        return { status: 200, body: faults.crashFaults.list() };
      }
      if (method === 'DELETE') {
        const disarmed = faults.crashFaults.disarm(query?.get('function') ?? undefined);
        return { status: 200, body: { disarmed, ...faults.crashFaults.list() } };
      }
      if (method === 'GET') return { status: 200, body: faults.crashFaults.list() };
    }
    const scheduleName = /^\/_local\/schedules\/([\w-]+)$/.exec(pathname)?.[1];
    if (method === 'POST' && scheduleName) return runScheduleNow(scheduleName, body, runSchedule);
    if (pathname === '/_local/dead-letters') {
      if (method === 'GET') return { status: 200, body: { deadLetters: bus.deadLetters } };
      if (method === 'DELETE') {
        const eventId = query?.get('eventId') ?? undefined;
        return { status: 200, body: { removed: bus.clearDeadLetters(eventId) } };
      }
    }
    if (pathname === '/_local/bus/mode' && (method === 'GET' || method === 'POST')) {
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
      return { status: 200, body: bus.mode };
    }
    if (method === 'GET' && pathname === '/_local/bus/stats') return { status: 200, body: bus.stats() };
    if (method === 'GET' && pathname === '/_local/bus/idle') {
      await bus.idle();
      return { status: 200, body: { idle: true } };
    }
    if (pathname === '/_local/relay' && (method === 'GET' || method === 'POST')) {
      if (method === 'POST') {
        const paused = (body as { paused?: unknown } | undefined)?.paused;
        if (typeof paused !== 'boolean')
          return problem(400, 'invalid_request', 'send { "paused": true|false }');
        relay.setPaused(paused);
      }
      return { status: 200, body: relay.state() };
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
      return { status: 200, body: bus.putEvents(entries as PutEventsEntry[]) };
    }
    if (method === 'POST' && pathname === '/_local/replay') {
      const request = (body ?? {}) as { times?: unknown; from?: unknown; to?: unknown };
      const times = Number(request.times ?? 1);
      if (!Number.isInteger(times) || times < 1 || times > 5)
        return problem(400, 'invalid_request', 'times must be 1 to 5');
      // As EventBridge's StartReplay: only events whose time falls in [from, to), when given.
      const instant = (value: unknown, name: string) => {
        if (value === undefined) return { ok: true as const, at: undefined };
        const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
        return Number.isNaN(at)
          ? { ok: false as const, message: `${name} must be an ISO 8601 time` }
          : { ok: true as const, at };
      };
      const from = instant(request.from, 'from');
      const to = instant(request.to, 'to');
      if (!from.ok) return problem(400, 'invalid_request', from.message);
      if (!to.ok) return problem(400, 'invalid_request', to.message);
      const replayed = bus.replayArchive(times, { from: from.at, to: to.at });
      await bus.idle();
      return { status: 200, body: { replayed } };
    }
    if (method === 'GET' && pathname === '/_local/counters') {
      return { status: 200, body: { counters: await readCounters() } };
    }
    if (method === 'GET' && pathname === '/_local') return { status: 200, body: { controls: listing } };
    return problem(404, 'not_found', `No local control ${method} ${pathname}. See GET /_local.`);
  };
}

async function runScheduleNow(
  name: string,
  body: unknown,
  runSchedule: (name: string, time: Date) => Promise<unknown>,
) {
  if (!schedules.some((schedule) => schedule.name === name)) {
    return problem(
      404,
      'not_found',
      `No schedule named ${name}. Known: ${schedules.map((s) => s.name).join(', ')}`,
    );
  }
  const requested = (body as { time?: unknown } | undefined)?.time;
  const time = requested === undefined ? new Date() : new Date(String(requested));
  if (Number.isNaN(time.getTime()))
    return problem(400, 'invalid_request', 'time must be an ISO 8601 date-time');
  try {
    const result = await runSchedule(name, time);
    return { status: 200, body: { schedule: name, time: time.toISOString(), result: result ?? null } };
  } catch (error) {
    return problem(500, 'schedule_failed', error instanceof Error ? error.message : String(error));
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
