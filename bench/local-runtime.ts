/**
 * The real local runtime for a benchmark: started as a child process with its own ports and an empty
 * data folder, exactly as test/integration/global-setup.ts starts it, and stopped (its whole process
 * group: gateway, bus, DynamoDB Local, SES emulator, local SES endpoint) when the benchmark ends,
 * fails or is interrupted. Every port it listens on is moved with the base, so a bench never meets a
 * developer's `npm start` (3000, 8000, 8005, 8006, 8010) or the test runtimes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface LocalRuntime {
  baseUrl: string;
  dynamoUrl: string;
  /** The SES emulator (`aws-ses-v2-local`): its mail viewer and `GET /store`. */
  sesUrl: string;
  /** The local SES endpoint in front of it (AWS_ENDPOINT_URL_SESV2 of the handlers). */
  sesApiUrl: string;
  dataDir: string;
  portBase: number;
  /** The runtime's own process (its services run under it). */
  pid: number | undefined;
  /** The last lines the runtime wrote to stderr (handler errors, bus delivery failures). */
  stderrTail: () => string;
  stop: () => Promise<void>;
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/** The runtime's ports, from a base: gateway, DynamoDB Local, SES emulator, bus, local SES endpoint. */
const portsFrom = (base: number) => ({
  PORT: base,
  DYNAMODB_PORT: base + 1,
  SES_PORT: base + 2,
  BUS_PORT: base + 3,
  SES_API_PORT: base + 4,
});

/** The first base from `from` (in steps of 10) whose five ports are all free. */
async function freePortBase(from: number): Promise<number> {
  for (let base = from; base < from + 200; base += 10) {
    const free = await Promise.all(Object.values(portsFrom(base)).map(portIsFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no five free ports found between ${from} and ${from + 200}`);
}

export async function startLocalRuntime(options: {
  portBase: number;
  startTimeoutMs?: number;
  /** More environment for the runtime (e.g. SES_MAX_SEND_RATE). */
  env?: Record<string, string>;
}) {
  const base = await freePortBase(options.portBase);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'alliance-bench-'));
  const ports = portsFrom(base);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      DATA_DIR: dataDir,
      QUIET: '1',
      BUS_MODE: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stopping it stops DynamoDB Local and the SES emulator too.
    detached: true,
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 8000))]);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group has exited
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  let output = '';
  let stderr = '';
  const onStdout = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', onStdout);
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (output.length < 100_000) output += text;
    stderr = (stderr + text).slice(-4_000_000);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`local runtime did not start in time:\n${output}`)),
        options.startTimeoutMs ?? 90_000,
      );
      const poll = setInterval(() => {
        if (!output.includes('backend is running')) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }, 50);
      child.once('exit', (code) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`local runtime exited (${code}) during start-up:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  // Keep draining its output: a full pipe would block it.
  child.stdout?.off('data', onStdout);
  child.stdout?.resume();
  return {
    baseUrl: `http://127.0.0.1:${ports.PORT}`,
    dynamoUrl: `http://127.0.0.1:${ports.DYNAMODB_PORT}`,
    sesUrl: `http://127.0.0.1:${ports.SES_PORT}`,
    sesApiUrl: `http://127.0.0.1:${ports.SES_API_PORT}`,
    dataDir,
    portBase: base,
    pid: child.pid,
    stderrTail: () => stderr,
    stop,
  } satisfies LocalRuntime;
}
