/**
 * The RSVP rush: N people confirm their place on one activity of capacity C at the same moment.
 *
 * Measured runs, each on a fresh activity of the same capacity, after a warm-up:
 * - full path: N concurrent `POST /api/rsvps/confirm?token=...` over real HTTP through the local
 *   gateway, the handler, DynamoDB Local and the bus, as a person following the link in their e-mail;
 * - bare: N concurrent calls of the booking transaction(s) themselves (`book` from activity-store)
 *   against the same DynamoDB Local, with no HTTP, handler or bus in between: the substrate's limit,
 *   measured just before and just after the full path so that drift shows.
 * The RSVP tokens are signed here with the runtime's own secret, so e-mail round-trips (not what is
 * measured) are skipped. Every run is read back through the staff API and checked.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { scheduledActivity } from '../functions/activities/domain/activity';
import { type CpuUse, cpuAccountingAvailable, cpuUsed, sampleCpu } from './cpu';
import { errorCodeOf, type HttpClient, httpClient } from './http';
import type { LocalRuntime } from './local-runtime';
import { latencySummary, ms, perSecond, type Timed, table } from './report';

export interface RushOptions {
  people: number;
  capacity: number;
  /** At most this many full-size bare rushes on throw-away activities first (0: no warm-up at all). */
  warmup: number;
}

interface Decision extends Timed {
  status?: 'accepted' | 'waitlisted';
  /** Why there was no decision: an HTTP status and error code, or what was thrown. */
  failure?: string;
}

interface Stored {
  accepted: number;
  waitlisted: number;
  /** People with more than one live booking on the activity. */
  duplicates: number;
  /** The activity's own `accepted` count, which guards its capacity. */
  acceptedCount: number;
}

export interface PathRun {
  activityId: string;
  decisions: Decision[];
  wallMs: number;
  stored: Stored;
  /** CPU each process used during the run, where /proc can tell. */
  cpu?: CpuUse;
}

export interface RushResult {
  options: RushOptions;
  /** The full path, and the bare substrate measured just before and just after it. */
  runs: Array<{ name: string; run: PathRun }>;
  /** Bare decisions/s of each warm-up round. */
  warmupRates: number[];
  /** How long the bus took, after the full run, to deliver what it set off (e-mails, counters). */
  busDrainMs: number | undefined;
  checks: Array<{ what: string; ok: boolean }>;
  ratio: number;
  /** The full path with the relay held back (consumers run after the rush), against the same bare rate. */
  heldRatio: number;
  /** CPU each process used while the bus drained after the full path. */
  drainCpu: CpuUse | undefined;
  notes: string[];
}

const ratioTarget = 0.8;
const busDrainLimitMs = 60_000;
const warmupInFlight = 20;
const warmupBudgetMs = 40_000;

/* ---------- the in-process modules, bound to the runtime's services ---------- */

/**
 * Points this process's SDK clients and token signing at the runtime, then imports the modules that
 * read that environment once, at module scope (clients, token secret, table names).
 */
async function bindToRuntime(runtime: LocalRuntime) {
  const { tableEnvVar } = await import('../shared/tables');
  const { localTableName } = await import('../infra/local/services');
  Object.assign(process.env, {
    DATA_DIR: runtime.dataDir,
    TOKEN_SECRET_FILE: path.join(runtime.dataDir, 'token-secret'),
    PSEUDONYM_KEY_FILE: path.join(runtime.dataDir, 'pseudonym-key'),
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: runtime.dynamoUrl,
    [tableEnvVar('activities')]: localTableName('activities'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const [
    { signLocalToken },
    { issueToken },
    { rsvpSubject },
    { rsvpIdFor },
    { book, putNewActivity, putRsvpRequest },
    { ids },
  ] = await Promise.all([
    import('../infra/local/jwt'),
    import('../shared/tokens'),
    import('../functions/activities/domain/rsvp'),
    import('../functions/activities/person-keys'),
    import('../functions/activities/activity-store'),
    import('../shared/config'),
  ]);
  return { signLocalToken, issueToken, rsvpIdFor, rsvpSubject, book, putNewActivity, putRsvpRequest, ids };
}

type Bound = Awaited<ReturnType<typeof bindToRuntime>>;

/* ---------- the two paths ---------- */

const personEmail = (run: string, index: number) =>
  `${run}-${String(index).padStart(5, '0')}@bench.example.org`;

function activityFields(bound: Bound, capacity: number, title: string) {
  const startsAt = new Date(Date.now() + 30 * 24 * 3600 * 1000);
  startsAt.setUTCMinutes(0, 0, 0);
  return {
    kind: bound.ids.activityKinds[0] ?? 'workshop',
    network: bound.ids.networks[0] ?? 'smart-city-alliance',
    title,
    description: 'Created by npm run bench.',
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 2 * 3600 * 1000).toISOString(),
    venue: 'Bench Hall, Birmingham',
    onlineUrl: null,
    capacity,
  };
}

/**
 * Calls `decide` for 0..count-1 and times each call. With `inFlight` below count, at most that many
 * calls are out at once (the warm-up); by default all of them go out together (the rush).
 */
async function timeAll(
  count: number,
  decide: (index: number) => Promise<Omit<Decision, 'latencyMs'>>,
  inFlight = count,
) {
  const started = performance.now();
  const decisions: Decision[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) {
        const index = next++;
        const sent = performance.now();
        const outcome = await decide(index);
        decisions[index] = { ...outcome, latencyMs: performance.now() - sent };
      }
    }),
  );
  return { decisions, wallMs: performance.now() - started };
}

/** Full path: the confirm link followed by everyone at once, over HTTP. */
async function fullPathRun(
  bound: Bound,
  http: HttpClient,
  staffToken: string,
  options: { people: number; capacity: number; label: string; inFlight?: number },
) {
  const created = await http.call('POST', '/api/activities', {
    token: staffToken,
    body: activityFields(bound, options.capacity, `RSVP rush (${options.label})`),
  });
  if (created.status !== 201)
    throw new Error(`creating the activity: ${created.status} ${JSON.stringify(created.body)}`);
  const activityId = (created.body as { id: string }).id;
  // The links name pending requests (as the e-mailed ones do), so the requests are stored first.
  const tokens = await Promise.all(
    Array.from({ length: options.people }, async (_, index) => {
      const email = personEmail(options.label, index);
      const rsvpId = await bound.rsvpIdFor(activityId, email);
      await bound.putRsvpRequest(activityId, { rsvpId, email, name: '' }, Date.now() / 1000 + 3600, []);
      return bound.issueToken('rsvp', bound.rsvpSubject(activityId, rsvpId), 48 * 3600);
    }),
  );
  const { decisions, wallMs } = await timeAll(
    options.people,
    async (index) => {
      try {
        const answer = await http.call('POST', `/api/rsvps/confirm?token=${tokens[index]}`);
        const status = (answer.body as { status?: string } | undefined)?.status;
        if (answer.status >= 200 && answer.status < 300 && (status === 'accepted' || status === 'waitlisted'))
          return { status };
        return { failure: `HTTP ${answer.status} ${errorCodeOf(answer.body) ?? ''}`.trim() };
      } catch (error) {
        return { failure: error instanceof Error ? error.message : String(error) };
      }
    },
    options.inFlight,
  );
  return { activityId, decisions, wallMs };
}

/** Bare: the booking transaction(s) alone, on a fresh activity item of the same capacity. */
async function barePathRun(
  bound: Bound,
  options: { people: number; capacity: number; label: string; inFlight?: number },
) {
  const now = new Date().toISOString();
  const activity = scheduledActivity(
    activityFields(bound, options.capacity, `RSVP rush (${options.label})`),
    randomUUID(),
    now,
  );
  // The bare path announces nothing: it measures the booking transaction alone.
  await bound.putNewActivity(activity, []);
  const { decisions, wallMs } = await timeAll(
    options.people,
    async (index) => {
      const email = personEmail(options.label, index);
      try {
        const outcome = await bound.book(
          activity,
          { rsvpId: await bound.rsvpIdFor(activity.activityId, email), email, name: '' },
          new Date().toISOString(),
          () => [],
        );
        return { status: outcome.status };
      } catch (error) {
        const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
        const name = error instanceof Error ? error.name : 'Error';
        return { failure: reasons ? `${name} [${reasons.map((reason) => reason.Code).join(', ')}]` : name };
      }
    },
    options.inFlight,
  );
  return { activityId: activity.activityId, decisions, wallMs };
}

/** What the database holds for the activity, through the staff API. */
async function readBack(http: HttpClient, staffToken: string, activityId: string) {
  const answer = await http.call('GET', `/api/activities/${activityId}/rsvps`, { token: staffToken });
  if (answer.status !== 200)
    throw new Error(`reading RSVPs back: ${answer.status} ${JSON.stringify(answer.body)}`);
  const { activity, rsvps } = answer.body as {
    activity: { accepted: number };
    rsvps: Array<{ email: string; status: string }>;
  };
  const live = rsvps.filter((rsvp) => rsvp.status !== 'cancelled');
  const perPerson = new Map<string, number>();
  for (const rsvp of live) perPerson.set(rsvp.email, (perPerson.get(rsvp.email) ?? 0) + 1);
  return {
    accepted: live.filter((rsvp) => rsvp.status === 'accepted').length,
    waitlisted: live.filter((rsvp) => rsvp.status === 'waitlisted').length,
    duplicates: [...perPerson.values()].filter((count) => count > 1).length,
    acceptedCount: activity.accepted,
  } satisfies Stored;
}

async function busIdle(http: HttpClient, timeoutMs: number): Promise<number | undefined> {
  const started = performance.now();
  try {
    const answer = await http.call('GET', '/_local/bus/idle', { timeoutMs });
    return answer.status === 200 ? performance.now() - started : undefined;
  } catch {
    return undefined;
  }
}

/** The SDK warns on console when its socket pool is full; collect that instead of interleaving it. */
function captureWarnings() {
  const warn = console.warn;
  const seen: string[] = [];
  console.warn = (...args: unknown[]) => {
    seen.push(args.map(String).join(' '));
  };
  return {
    seen: () => seen,
    stop: () => {
      console.warn = warn;
    },
  };
}

/* ---------- the benchmark ---------- */

const throughput = (run: { decisions: unknown[]; wallMs: number }) =>
  (run.decisions.length / run.wallMs) * 1000;

/**
 * Gets the code hot before anything is measured. DynamoDB Local's JVM is the slow starter: on a fresh
 * runtime the same rush runs several times faster after a few thousand bookings than on the first.
 */
async function warmUp(bound: Bound, http: HttpClient, staffToken: string, options: RushOptions) {
  const people = Math.min(options.people, 500);
  // The handlers, the gateway and the bus consumers: a few at a time, both outcomes.
  await fullPathRun(bound, http, staffToken, {
    people: 200,
    capacity: 100,
    inFlight: warmupInFlight,
    label: 'warmup-full',
  });
  await busIdle(http, busDrainLimitMs);
  // DynamoDB Local: full-size rushes until two rounds in a row agree within 10%, or time is up.
  const rates: number[] = [];
  const deadline = performance.now() + warmupBudgetMs;
  for (let round = 1; round <= options.warmup && performance.now() < deadline; round++) {
    const run = await barePathRun(bound, { people, capacity: options.capacity, label: `warmup-${round}` });
    const rate = throughput(run);
    const previous = rates.at(-1);
    rates.push(rate);
    if (previous !== undefined && Math.abs(rate - previous) / previous < 0.1) break;
  }
  return rates;
}

export async function rsvpRush(runtime: LocalRuntime, options: RushOptions): Promise<RushResult> {
  const bound = await bindToRuntime(runtime);
  const http = httpClient(runtime.baseUrl, Math.max(options.people, 1));
  const sdkWarnings = captureWarnings();
  try {
    const staffToken = await bound.signLocalToken({ groups: ['staff'] });
    const warmupRates = options.warmup > 0 ? await warmUp(bound, http, staffToken, options) : [];
    await busIdle(http, busDrainLimitMs);

    const measured = async <T extends object>(run: () => Promise<T>) => {
      const pid = runtime.pid;
      if (!cpuAccountingAvailable(pid)) return { ...(await run()), cpu: undefined };
      const before = sampleCpu(pid);
      const result = await run();
      return { ...result, cpu: cpuUsed(before, sampleCpu(pid)) };
    };
    // The substrate before and after the full path, so a drift in either direction shows.
    const bareBefore = await measured(() => barePathRun(bound, { ...options, label: 'bare-before' }));
    const fullRun = await measured(() => fullPathRun(bound, http, staffToken, { ...options, label: 'full' }));
    const drain = await measured(async () => ({ ms: await busIdle(http, busDrainLimitMs) }));
    const busDrainMs = drain.ms;
    const bareAfter = await measured(() => barePathRun(bound, { ...options, label: 'bare-after' }));
    // Where the gap goes: the same full path with the outbox relay held back, so the consumers
    // (e-mails, counters) run after the rush instead of beside it on the one DynamoDB Local.
    await http.call('POST', '/_local/relay', { body: { paused: true } });
    const heldRun = await measured(() =>
      fullPathRun(bound, http, staffToken, { ...options, label: 'full-relay-held' }),
    ).finally(() => http.call('POST', '/_local/relay', { body: { paused: false } }));
    await busIdle(http, busDrainLimitMs);

    const withStored = async (run: Omit<PathRun, 'stored'>) => ({
      ...run,
      stored: await readBack(http, staffToken, run.activityId),
    });
    const runs: RushResult['runs'] = [
      { name: 'full path', run: await withStored(fullRun) },
      { name: 'bare, before', run: await withStored(bareBefore) },
      { name: 'bare, after', run: await withStored(bareAfter) },
      { name: 'full, relay held', run: await withStored(heldRun) },
    ];
    const expectedAccepted = Math.min(options.capacity, options.people);
    const checks = runs.flatMap(({ name, run }) => {
      const answered = countAnswers(run.decisions);
      return [
        {
          what: `${name}: accepted == min(C, N) = ${expectedAccepted}`,
          ok: run.stored.accepted === expectedAccepted && answered.accepted === expectedAccepted,
        },
        {
          what: `${name}: accepted + waitlisted == N = ${options.people}, every person answered`,
          ok:
            run.stored.accepted + run.stored.waitlisted === options.people &&
            answered.accepted + answered.waitlisted === options.people,
        },
        { what: `${name}: nobody booked twice`, ok: run.stored.duplicates === 0 },
        {
          what: `${name}: the activity's accepted count matches its bookings`,
          ok: run.stored.acceptedCount === run.stored.accepted,
        },
      ];
    });
    const bareRate = (throughput(bareBefore) + throughput(bareAfter)) / 2;
    const socketsFull = sdkWarnings.seen().some((warning) => warning.includes('socket usage at capacity'));
    return {
      options,
      runs,
      warmupRates,
      busDrainMs,
      checks,
      ratio: throughput(fullRun) / bareRate,
      heldRatio: throughput(heldRun) / bareRate,
      drainCpu: drain.cpu,
      notes: socketsFull
        ? [
            'bare: the SDK client queued calls behind its socket pool (the default maxSockets = 50,',
            '      as in shared/clients.ts, which the handlers use too)',
          ]
        : [],
    };
  } finally {
    sdkWarnings.stop();
    http.close();
  }
}

function countAnswers(decisions: Decision[]) {
  return {
    accepted: decisions.filter((decision) => decision.status === 'accepted').length,
    waitlisted: decisions.filter((decision) => decision.status === 'waitlisted').length,
    failed: decisions.filter((decision) => decision.failure !== undefined).length,
  };
}

/** The printed report: one column per run, then the ratio against the target, then the checks. */
export function formatRush(result: RushResult): string {
  const column = (run: PathRun) => {
    const answered = countAnswers(run.decisions);
    const latency = latencySummary(run.decisions);
    return [
      `${answered.accepted} / ${run.stored.accepted}`,
      `${answered.waitlisted} / ${run.stored.waitlisted}`,
      String(run.stored.duplicates),
      String(answered.failed),
      ms(latency.p50),
      ms(latency.p95),
      ms(latency.p99),
      ms(latency.max),
      ms(run.wallMs),
      perSecond(throughput(run)),
    ];
  };
  const labels = [
    'accepted (answered / stored)',
    'waitlisted (answered / stored)',
    'duplicates (people booked twice)',
    'errors (non-2xx / thrown)',
    'latency p50',
    'latency p95',
    'latency p99',
    'latency max',
    'wall time, first call to last answer',
    'throughput (decisions/s)',
  ];
  const columns = result.runs.map(({ run }) => column(run));
  const { people, capacity } = result.options;
  const warmup =
    result.warmupRates.length > 0
      ? `warm-up: 200 confirmations over HTTP, then ${result.warmupRates.length} bare rush(es) at ` +
        `${result.warmupRates.map((rate) => rate.toFixed(0)).join(' → ')} decisions/s`
      : 'no warm-up (--warmup 0): the first run pays for cold code';
  const lines = [
    `RSVP rush: N = ${people} people confirm at once on one activity of capacity C = ${capacity}`,
    warmup,
    '',
    table(
      ['', ...result.runs.map(({ name }) => name)],
      labels.map((label, row) => [label, ...columns.map((cells) => cells[row] ?? '')]),
    ),
    '',
    `full path: POST /api/rsvps/confirm over HTTP (gateway, handler, DynamoDB Local, bus);`,
    `bare: the booking transaction(s) alone (book() from activity-store) against the same DynamoDB Local.`,
    '',
    `full path / bare throughput (mean of before and after): ${(result.ratio * 100).toFixed(0)}%  ` +
      `(target ≥ ${(ratioTarget * 100).toFixed(0)}%: ${result.ratio >= ratioTarget ? 'met' : 'NOT met'})`,
    `the same with the outbox relay held during the rush (consumers after it, not beside it): ` +
      `${(result.heldRatio * 100).toFixed(0)}%`,
    `bus drained after the full path in ${
      result.busDrainMs === undefined
        ? `> ${busDrainLimitMs / 1000} s (still busy)`
        : `${(result.busDrainMs / 1000).toFixed(1)} s`
    } (RSVP e-mails, counters)`,
  ];
  const cpuColumns = [
    ...result.runs.map(({ name, run }) => ({ name, cpu: run.cpu, decisions: run.decisions.length })),
    { name: 'bus drain', cpu: result.drainCpu, decisions: people },
  ];
  if (cpuColumns.every((column) => column.cpu)) {
    const processes = [
      ...new Set(cpuColumns.flatMap((column) => [...(column.cpu?.seconds.keys() ?? [])])),
    ].sort();
    const cell = (column: (typeof cpuColumns)[number], seconds: number | undefined) =>
      seconds === undefined || !column.cpu || column.cpu.wallSeconds < 0.1
        ? '-'
        : `${((seconds * 1000) / column.decisions).toFixed(1)} ms (${((seconds / column.cpu.wallSeconds) * 100).toFixed(0)}%)`;
    const total = (cpu: CpuUse | undefined) => [...(cpu?.seconds.values() ?? [])].reduce((a, b) => a + b, 0);
    lines.push(
      '',
      `CPU time per decision (and share of one core; this machine has ${availableParallelism()}, other work on it not shown):`,
      table(
        ['', ...cpuColumns.map((column) => column.name)],
        [
          ...processes.map((label) => [
            label,
            ...cpuColumns.map((column) => cell(column, column.cpu?.seconds.get(label))),
          ]),
          ['all of the above', ...cpuColumns.map((column) => cell(column, total(column.cpu)))],
        ],
      ),
    );
  }
  const byKind = new Map<string, number>();
  for (const { name, run } of result.runs) {
    for (const { failure } of run.decisions) {
      if (failure !== undefined)
        byKind.set(`${name}: ${failure}`, (byKind.get(`${name}: ${failure}`) ?? 0) + 1);
    }
  }
  if (result.notes.length > 0) lines.push('', ...result.notes);
  if (byKind.size > 0) {
    lines.push('', 'errors by kind:', ...[...byKind].map(([kind, count]) => `  ${count} × ${kind}`));
  }
  lines.push('', ...result.checks.map((check) => `${check.ok ? 'OK  ' : 'FAIL'}  ${check.what}`));
  return lines.join('\n');
}

export const rushPassed = (result: RushResult) => result.checks.every((check) => check.ok);
