import { defineConfig } from 'vitest/config';

/**
 * Projects:
 * - unit: pure domain functions and handlers with the SDK mocked at the seam;
 * - infra: the CDK app synthesised and asserted (no AWS account needed);
 * - integration: the real local runtime (DynamoDB Local, SES emulator, local bus and gateway) over HTTP;
 * - integration-chaos: the same integration tests with the bus delivering every event twice, shuffled;
 * - e2e: the hosted pages in headless Chromium (Debian's, driven by playwright-core) against a runtime of
 *   their own, with an axe-core scan of every page and state.
 */
/** Moves every runtime's ports (two checkouts testing side by side on one machine). */
const portOffset = Number(process.env.TEST_PORT_OFFSET ?? 0);

const integration = (name: string, portBase: number, busMode: string, exclude: string[] = []) => ({
  test: {
    name,
    include: ['test/integration/**/*.test.ts'],
    exclude,
    globalSetup: ['test/integration/global-setup.ts'],
    setupFiles: ['test/integration/no-dead-letters.ts'],
    testTimeout: 60_000,
    // One runtime per project; files share it, so they run one after another.
    fileParallelism: false,
    hookTimeout: 120_000,
    env: { RUNTIME_PORT_BASE: String(portBase + portOffset), RUNTIME_BUS_MODE: busMode },
  },
});

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/unit/setup-env.ts'] } },
      // One module registry for the infra files, so the app is synthesised once (test/infra/synth.ts).
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          isolate: false,
          fileParallelism: false,
        },
      },
      // The mail-out dispatch tests (a dispatcher killed mid-run, a self-pause over hundreds of sends)
      // are the slowest: they run once, in the harder of the two modes. The HTTP fuzzers probe what a
      // request gets back and what it stores, which the bus's delivery mode does not touch: they run
      // once, in the normal mode. So does the replay of the whole archive (itself a double delivery
      // of every event, and as long as the suite's history); the evidence tests replay their own
      // events in both modes.
      integration('integration', 13000, 'normal', ['test/integration/mailout-dispatch.test.ts']),
      // The crash-and-restart test starts runtimes of its own (in the normal mode): once is enough.
      integration('integration-chaos', 14000, 'duplicate,shuffle', [
        'test/integration/fuzz-*.test.ts',
        'test/integration/replay.test.ts',
        'test/integration/crash-restart.test.ts',
      ]),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          setupFiles: ['test/integration/no-dead-letters.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // A page reacts after a round trip through the runtime: give it time on a busy CI machine.
          expect: { poll: { timeout: 15_000 } },
          env: { RUNTIME_PORT_BASE: String(15000 + portOffset), RUNTIME_BUS_MODE: 'normal' },
        },
      },
    ],
  },
});
