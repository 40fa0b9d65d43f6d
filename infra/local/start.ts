/** `npm start`: the whole alliance backend on this machine. */
import { evidenceConfigProblems } from '../../functions/exports/domain/evidence';
import { config } from '../../shared/config';
import { defaultSesApiPort, startRuntime } from './runtime';
import { StartupError } from './services';

// The machines run Node.js 20 while Lambda runs 22; the SDK's reminder about that is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const fail = (message: string): never => {
  console.error(`✖ ${message}`);
  process.exit(1);
};

function portFrom(envVar: string, fallback: number): number {
  const raw = process.env[envVar];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return fail(`${envVar}=${raw} is not a port number (1-65535).`);
  return port;
}

const port = portFrom('PORT', 3000);
const dynamoPort = portFrom('DYNAMODB_PORT', 8000);
const sesPort = portFrom('SES_PORT', 8005);
const busPort = portFrom('BUS_PORT', 8010);
// Our SES endpoint (AWS_ENDPOINT_URL_SESV2) in front of the emulator: 8006 unless that is taken.
const sesApiPort = portFrom('SES_API_PORT', defaultSesApiPort({ port, dynamoPort, sesPort, busPort }));
const sesMaxSendRate = Number(process.env.SES_MAX_SEND_RATE || 14);
if (!Number.isFinite(sesMaxSendRate) || sesMaxSendRate <= 0) {
  fail(`SES_MAX_SEND_RATE=${process.env.SES_MAX_SEND_RATE} must be a number of e-mails per second above 0.`);
}
const busTimeScale = Number(process.env.BUS_TIME_SCALE || 1);
if (!Number.isFinite(busTimeScale) || busTimeScale <= 0 || busTimeScale > 10) {
  fail(
    `BUS_TIME_SCALE=${process.env.BUS_TIME_SCALE} must be a number above 0 and at most 10 (1 = as declared).`,
  );
}
const busModeWords = (process.env.BUS_MODE ?? '')
  .split(',')
  .map((word) => word.trim())
  .filter(Boolean);
const unknownMode = busModeWords.filter((word) => !['normal', 'duplicate', 'shuffle'].includes(word));
if (unknownMode.length > 0)
  fail(`BUS_MODE=${process.env.BUS_MODE}: use "duplicate", "shuffle" or "duplicate,shuffle".`);
const quiet = process.env.QUIET === '1';
const evidenceProblems = evidenceConfigProblems(
  config.evidence,
  config.externalMetrics.map((metric) => metric.id),
);
if (evidenceProblems.length > 0) fail(`alliance.config.json:\n  ${evidenceProblems.join('\n  ')}`);

const started = Date.now();
console.log(`Starting the ${config.alliance.name} backend...`);

let shuttingDown = false;
try {
  const runtime = await startRuntime({
    port,
    dynamoPort,
    sesPort,
    sesApiPort,
    sesMaxSendRate,
    busPort,
    busTimeScale,
    busMode: { duplicate: busModeWords.includes('duplicate'), shuffle: busModeWords.includes('shuffle') },
    logRequests: quiet ? undefined : (line) => console.log(`  ${line}`),
    onChildExit: (what, code) => {
      if (shuttingDown) return;
      console.error(
        `✖ ${what} stopped unexpectedly (exit code ${code}); shutting down. Run npm start again.`,
      );
      void runtime.stop().finally(() => process.exit(1));
    },
  });
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`\n${signal}: stopping...`);
    void runtime.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('Ctrl-C'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const mode =
    [runtime.bus.mode.duplicate && 'duplicate', runtime.bus.mode.shuffle && 'shuffle']
      .filter(Boolean)
      .join(', ') || 'normal';
  const relayTables = runtime.relay
    .state()
    .tables.map((table) => table.table)
    .join(' + ');
  console.log(`
The ${config.alliance.name} backend is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  Site and API     http://localhost:${port}            registration form at /, API under /api
  Console          http://localhost:${port}/console/    staff and analysts: sign in locally as either group
  Mail viewer      http://localhost:${sesPort}            every e-mail the system sends
  SES API          http://localhost:${runtime.sesApiPort}            AWS_ENDPOINT_URL_SESV2: sends to the viewer, SES's events to the bus (max ${sesMaxSendRate}/s)
  DynamoDB Local   http://localhost:${dynamoPort}            data kept in ${process.env.DATA_DIR ?? '.data'}/
  Local bus        http://localhost:${busPort}            delivery mode: ${mode}${busTimeScale === 1 ? '' : `, visibility timeouts ×${busTimeScale}`}
  Outbox relay     ${relayTables} streams → local bus
  Local controls   http://localhost:${port}/_local            SES faults and events: /_local/ses/faults, /_local/ses/events

  Staff token:     npm run --silent token -- --group staff
  Press Ctrl-C to stop.
`);
} catch (error) {
  if (error instanceof StartupError) fail(error.message);
  fail(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
}
