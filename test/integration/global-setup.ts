/**
 * Starts the real local runtime (DynamoDB Local, SES emulator, local bus, outbox relay, gateway) as a
 * child process with its own ports and an empty data folder, exactly as `npm start` does, with the
 * bus's visibility timeouts scaled down so redeliveries happen within a test's patience.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    sesUrl: string;
    dynamoUrl: string;
    dataDir: string;
    busMode: string;
  }
}

let child: ChildProcess | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Each project's settings come from its own `test.env` (the main process's env is shared by all).
  const settings = project.config.env ?? {};
  const base = Number(settings.RUNTIME_PORT_BASE ?? 13000);
  const busMode = String(settings.RUNTIME_BUS_MODE ?? 'normal');
  dataDir = mkdtempSync(path.join(tmpdir(), 'alliance-it-'));
  const ports = { PORT: base, DYNAMODB_PORT: base + 1, SES_PORT: base + 2, BUS_PORT: base + 3 };
  child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      DATA_DIR: dataDir,
      QUIET: '1',
      BUS_MODE: busMode === 'normal' ? '' : busMode,
      // Visibility timeouts ×0.02: a failed record of a 10 s function comes back after 1.2 s, not 60 s.
      BUS_TIME_SCALE: '0.02',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`local runtime did not start in 90 s:\n${output}`)),
      90_000,
    );
    child?.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('backend is running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child?.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child?.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local runtime exited (${code}) during start-up:\n${output}`));
    });
  });
  // What the runtime logs while the tests run (its handlers' warnings and errors) is kept, so that a
  // 5xx a test sees can be traced to its cause; run-suites.mjs prints the errors when a run fails.
  mkdirSync('test-output', { recursive: true });
  const log = createWriteStream(path.join('test-output', `runtime-${project.name}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  project.provide('baseUrl', `http://127.0.0.1:${ports.PORT}`);
  project.provide('sesUrl', `http://127.0.0.1:${ports.SES_PORT}`);
  project.provide('dynamoUrl', `http://127.0.0.1:${ports.DYNAMODB_PORT}`);
  project.provide('dataDir', dataDir);
  project.provide('busMode', busMode);
}

export async function teardown(): Promise<void> {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 8000))]);
    if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
