/**
 * `npm run bench`: starts the real local runtime on its own ports with an empty data folder, runs
 * the RSVP rush against it and prints the figures. Exits non-zero when a booking check fails
 * (oversold, lost or doubled bookings, errors); the throughput ratio is a figure, not a test.
 *
 *   npm run bench -- --n 500 --capacity 100 --warmup 8 --port-base 16000
 *
 * --n people confirm at once on one activity of --capacity places. --warmup: at most that many
 * full-size bare rushes to warm DynamoDB Local first (it stops when the rate settles; 0: none).
 * --port-base: the first of four ports to try (gateway, DynamoDB Local, SES, bus); the next free
 * base in steps of 10 is used. Each option can also come from the environment: BENCH_N,
 * BENCH_CAPACITY, BENCH_WARMUP, BENCH_PORT_BASE.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type LocalRuntime, startLocalRuntime } from './local-runtime';
import { formatRush, rsvpRush, rushPassed } from './rsvp-rush';

const usage = 'usage: npm run bench -- [--n 500] [--capacity 100] [--warmup 8] [--port-base 16000]';

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number) {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`✖ --${name} must be a whole number from ${min} to ${max}, not "${raw}".\n${usage}`);
    process.exit(2);
  }
  return value;
}

function readOptions() {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        n: { type: 'string' },
        capacity: { type: 'string' },
        warmup: { type: 'string' },
        'port-base': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`✖ ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const option = (name: string, envVar: string) =>
    typeof values[name] === 'string' ? (values[name] as string) : process.env[envVar];
  return {
    people: wholeNumber('n', option('n', 'BENCH_N'), 500, 1, 5000),
    capacity: wholeNumber('capacity', option('capacity', 'BENCH_CAPACITY'), 100, 1, 100_000),
    warmup: wholeNumber('warmup', option('warmup', 'BENCH_WARMUP'), 8, 0, 20),
    portBase: wholeNumber('port-base', option('port-base', 'BENCH_PORT_BASE'), 16000, 1024, 65000),
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
  console.log(`Local runtime up on ${runtime.baseUrl} (DynamoDB Local ${runtime.dynamoUrl}).`);
  // Everything (this client, the runtime, DynamoDB Local) shares these cores: a busy machine shows here.
  const load = loadavg().map((value) => value.toFixed(2));
  console.log(`Machine: ${availableParallelism()} cores, load average ${load.join(' ')}.\n`);
  const result = await rsvpRush(runtime, options);
  console.log(formatRush(result));
  const passed = rushPassed(result);
  const problems = summariseLog(runtime.stderrTail());
  if (problems.length > 0) console.log(`\nwhat the runtime logged to stderr:\n${problems.join('\n')}`);
  console.log(`\n${passed ? 'OK' : 'FAIL'}: finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await stopAndExit(passed ? 0 : 1);
} catch (error) {
  // After Ctrl-C the runtime is going away under the calls still out: that is not a failure to report.
  if (!stopping) console.error(`✖ bench failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAndExit(1);
}
