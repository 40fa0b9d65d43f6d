/**
 * The outbox survives a crash: a runtime killed between the transaction and publishing publishes
 * after a restart, once. The test starts runtimes of its own (normal bus mode, whatever the project's),
 * so it runs once, in the normal project (vitest.config.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { registration, uniqueEmail, waitFor } from './helpers';

/** Starts `npm start` as a separate process on ports of its own, on the given data folder. */
async function startOwnRuntime(portBase: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    env: {
      ...process.env,
      PORT: String(portBase),
      DYNAMODB_PORT: String(portBase + 1),
      SES_PORT: String(portBase + 2),
      BUS_PORT: String(portBase + 3),
      DATA_DIR: dataDir,
      QUIET: '1',
      BUS_TIME_SCALE: '0.02',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start:\n${output}`)), 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('backend is running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited (${code}):\n${output}`));
    });
  });
  child.stdout?.resume();
  return child;
}

/** Kills the whole process group at once (no clean shutdown): what a crash looks like. */
async function crash(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGKILL');
  await exited;
}

describe('a crash between the transaction and publishing', () => {
  it('after a restart the event is published and the e-mail goes out exactly once', async () => {
    const portBase = Number(new URL(inject('baseUrl')).port) + 50;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'alliance-crash-'));
    const local = (pathAndQuery: string, init?: RequestInit) =>
      fetch(`http://127.0.0.1:${portBase}${pathAndQuery}`, {
        ...init,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      });
    const mailTo = async (address: string) =>
      (
        (await (await fetch(`http://127.0.0.1:${portBase + 2}/store`)).json()) as {
          emails: Array<{ destination: { to: string[] }; subject: string }>;
        }
      ).emails.filter((mail) => mail.destination.to.includes(address));
    let runtime = await startOwnRuntime(portBase, dataDir);
    try {
      await local('/_local/relay', { method: 'POST', body: JSON.stringify({ paused: true }) });
      const body = registration({ email: uniqueEmail('crash') });
      expect((await local('/api/members', { method: 'POST', body: JSON.stringify(body) })).status).toBe(202);
      await crash(runtime);

      runtime = await startOwnRuntime(portBase, dataDir);

      // Two hops after a cold start (the request is settled, then the e-mail sent): allow for both.
      await waitFor(
        'the confirmation e-mail after the restart',
        async () => (await mailTo(body.email)).length > 0,
        50_000,
      );
      await local('/_local/bus/idle');
      expect((await mailTo(body.email)).map((mail) => mail.subject)).toHaveLength(1);
      // A second restart replays nothing already published.
      await crash(runtime);
      runtime = await startOwnRuntime(portBase, dataDir);
      await local('/_local/bus/idle');
      // The mail emulator starts empty with each run: nothing was sent again.
      expect(await mailTo(body.email)).toHaveLength(0);
    } finally {
      await crash(runtime);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
