/**
 * `npm run bench [-- <scenario>]`: starts the real local runtime on its own ports with an empty data
 * folder, runs one scenario against it and prints the figures.
 *
 *   npm run bench                                  the RSVP rush (the default scenario)
 *   npm run bench -- rush --n 500 --capacity 100 --warmup 8
 *   npm run bench -- dispatch --members 10000 --rate 167
 *   npm run bench -- exports --events 2000 --repeats 7
 *
 * rush: --n people confirm at once on one activity of --capacity places. --warmup: at most that many
 * full-size bare rushes to warm DynamoDB Local first (it stops when the rate settles; 0: none).
 * Exits non-zero when a booking check fails (oversold, lost or doubled bookings, errors); the
 * throughput ratio is a figure, not a test.
 *
 * dispatch: --members confirmed newsletter members get one mail-out, paced to --rate R sends/s (the
 * local SES MaxSendRate is set to R / (1 − mail.sendRateHeadroom)), with --throttle of the sends
 * answered 429 by the local SES fault mode and --confirmations registrations during the run.
 * --enforce-rate: the local SES endpoint also throttles every send over MaxSendRate, as SES does.
 * Exits non-zero when a recipient is lost or mailed twice (or the mail-out does not finish), never
 * on the rate.
 *
 * exports: a year of activity as --events raw events put straight onto the local bus, then as ten
 * times as many; the evidence report and a monthly export are timed after each (median of
 * --repeats). Prints both times and their ratio (target ≤ 1.2: reports read counters, not events).
 * Exits non-zero when the report's figures differ from what was sent, never on the times.
 *
 * --port-base: the first of five ports to try (gateway, DynamoDB Local, SES emulator, bus, local SES
 * endpoint); the next free base in steps of 10 is used. Each option can also come from the
 * environment: BENCH_N, BENCH_CAPACITY, BENCH_WARMUP, BENCH_MEMBERS, BENCH_RATE, BENCH_PORT_BASE.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultDispatchRate, dispatchBench, dispatchPassed, formatDispatch } from './dispatch';
import { exportsBench, exportsPassed, formatExports } from './exports';
import { type LocalRuntime, startLocalRuntime } from './local-runtime';
import { formatRush, rsvpRush, rushPassed } from './rsvp-rush';

const scenarios = ['rush', 'dispatch', 'exports'] as const;
type Scenario = (typeof scenarios)[number];

const usage = `usage: npm run bench -- [scenario] [options]

scenarios:
  rush       (default) the RSVP rush: N people confirm at once on one activity of C places
             [--n 500] [--capacity 100] [--warmup 8]
  dispatch   a mail-out to M members paced to R e-mails/s, 5% of SES sends throttled,
             with registrations (confirmation e-mails) during it
             [--members 10000] [--rate ${defaultDispatchRate}] [--throttle 0.05] [--confirmations 5] [--enforce-rate]
  exports    a year recorded as N raw events, then 10N: the evidence report and a monthly export
             timed after each, and the ratio of the times
             [--events 2000] [--repeats 7]

any:        [--port-base 16000] [--help]`;

const optionsOf: Record<Scenario, string[]> = {
  rush: ['n', 'capacity', 'warmup'],
  dispatch: ['members', 'rate', 'throttle', 'confirmations', 'enforce-rate'],
  exports: ['events', 'repeats'],
};

const fail = (message: string): never => {
  console.error(`✖ ${message}\n${usage}`);
  process.exit(2);
};

function number(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
  kind: 'whole' | 'any' = 'whole',
) {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || (kind === 'whole' && !Number.isInteger(value)) || value < min || value > max)
    fail(
      `--${name} must be a ${kind === 'whole' ? 'whole ' : ''}number from ${min} to ${max}, not "${raw}".`,
    );
  return value;
}

function readOptions() {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      options: {
        n: { type: 'string' },
        capacity: { type: 'string' },
        warmup: { type: 'string' },
        members: { type: 'string' },
        rate: { type: 'string' },
        throttle: { type: 'string' },
        confirmations: { type: 'string' },
        'enforce-rate': { type: 'boolean' },
        events: { type: 'string' },
        repeats: { type: 'string' },
        'port-base': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (positionals.length > 1) fail(`one scenario at a time, not "${positionals.join(' ')}".`);
  const named = positionals[0] ?? 'rush';
  if (!scenarios.includes(named as Scenario))
    fail(`unknown scenario "${named}": choose ${scenarios.join(' or ')}.`);
  const scenario = named as Scenario;
  for (const [other, names] of Object.entries(optionsOf)) {
    if (other === scenario) continue;
    const misplaced = names.filter((name) => values[name] !== undefined);
    if (misplaced.length > 0)
      fail(
        `${misplaced.map((name) => `--${name}`).join(', ')}: only for the ${other} scenario, not ${scenario}.`,
      );
  }
  const option = (name: string, envVar: string) =>
    typeof values[name] === 'string' ? (values[name] as string) : process.env[envVar];
  return {
    scenario,
    portBase: number('port-base', option('port-base', 'BENCH_PORT_BASE'), 16000, 1024, 65000),
    rush: {
      people: number('n', option('n', 'BENCH_N'), 500, 1, 5000),
      capacity: number('capacity', option('capacity', 'BENCH_CAPACITY'), 100, 1, 100_000),
      warmup: number('warmup', option('warmup', 'BENCH_WARMUP'), 8, 0, 20),
    },
    dispatch: {
      members: number('members', option('members', 'BENCH_MEMBERS'), 10_000, 1, 200_000),
      rate: number('rate', option('rate', 'BENCH_RATE'), defaultDispatchRate, 0.5, 5000, 'any'),
      throttleShare: number('throttle', option('throttle', 'BENCH_THROTTLE'), 0.05, 0, 0.9, 'any'),
      confirmations: number('confirmations', option('confirmations', 'BENCH_CONFIRMATIONS'), 5, 0, 50),
      enforceRate: values['enforce-rate'] === true,
    },
    exports: {
      events: number('events', option('events', 'BENCH_EVENTS'), 2000, 100, 100_000),
      repeats: number('repeats', option('repeats', 'BENCH_REPEATS'), 7, 1, 50),
    },
  };
}

const options = readOptions();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let runtime: LocalRuntime | undefined;
let stopping = false;
const stopAndExit = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await runtime?.stop();
  process.exit(code);
};
process.on('SIGINT', () => {
  console.error('\nInterrupted: stopping the local runtime...');
  void stopAndExit(130);
});
process.on('SIGTERM', () => void stopAndExit(143));

/** The runtime's stderr (JSON log lines and plain lines) as "count × kind", most frequent first. */
function summariseLog(text: string): string[] {
  const kinds = new Map<string, number>();
  for (const line of text.split('\n').filter((line) => line.trim())) {
    let kind = line.slice(0, 160);
    try {
      const entry = JSON.parse(line) as {
        level?: string;
        message?: string;
        consumer?: string;
        route?: string;
        error?: { name?: string };
      };
      kind = [entry.level, entry.consumer ?? entry.route, entry.message, entry.error?.name]
        .filter(Boolean)
        .join(' · ');
    } catch {
      // a plain line: keep its start
    }
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds]
    .sort((left, right) => right[1] - left[1])
    .slice(0, 8)
    .map(([kind, count]) => `  ${count} × ${kind}`);
}

const started = Date.now();
try {
  console.log(`Starting the local runtime (ports from ${options.portBase}, empty data folder)...`);
  runtime = await startLocalRuntime({ portBase: options.portBase });
  console.log(
    `Local runtime up on ${runtime.baseUrl} (DynamoDB Local ${runtime.dynamoUrl}, SES emulator ${runtime.sesUrl}, ` +
      `SES endpoint ${runtime.sesApiUrl}).`,
  );
  // Everything (this client, the runtime, DynamoDB Local) shares these cores: a busy machine shows here.
  const load = loadavg().map((value) => value.toFixed(2));
  console.log(`Machine: ${availableParallelism()} cores, load average ${load.join(' ')}.\n`);
  let passed: boolean;
  if (options.scenario === 'exports') {
    const result = await exportsBench(runtime, options.exports);
    console.log(`\n${formatExports(result)}`);
    passed = exportsPassed(result);
  } else if (options.scenario === 'dispatch') {
    const result = await dispatchBench(runtime, options.dispatch);
    console.log(`\n${formatDispatch(result)}`);
    passed = dispatchPassed(result);
  } else {
    const result = await rsvpRush(runtime, options.rush);
    console.log(formatRush(result));
    passed = rushPassed(result);
  }
  const problems = summariseLog(runtime.stderrTail());
  if (problems.length > 0) console.log(`\nwhat the runtime logged to stderr:\n${problems.join('\n')}`);
  console.log(`\n${passed ? 'OK' : 'FAIL'}: finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await stopAndExit(passed ? 0 : 1);
} catch (error) {
  // After Ctrl-C the runtime is going away under the calls still out: that is not a failure to report.
  if (!stopping) {
    console.error(`✖ bench failed: ${error instanceof Error ? error.message : String(error)}`);
    const problems = runtime ? summariseLog(runtime.stderrTail()) : [];
    if (problems.length > 0) console.error(`\nwhat the runtime logged to stderr:\n${problems.join('\n')}`);
  }
  await stopAndExit(1);
}
