import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes, schedules, subscriptions } from '../../infra/catalogue';
import { bundleBudgetBytes, bundleOptions, repoRoot } from '../../infra/cdk/function';

/**
 * Handlers bundled with the options NodejsFunction uses (function.ts exports them), in one esbuild
 * run: what Lambda would load, without a synth. Two stand for the rest (bundling all 49 takes half a
 * minute on a busy machine; `npm run synth` prints every bundle's size and cold-import time, which is
 * not asserted here because it depends on the machine):
 * - an HTTP handler on the shared route wrapper, with zod, tokens, DynamoDB and the pages;
 * - the heaviest consumer: the mail-out dispatcher (SES, idempotency, markdown rendering).
 */
const httpHandler = 'functions/activities/confirm-rsvp.ts';
const heaviestConsumer = 'functions/mailouts/dispatch-mailout.ts';
const handlers = [httpHandler, heaviestConsumer];

interface BundledHandler {
  handler: string;
  bytes: number;
  inputs: string[];
}
let bundled: BundledHandler[] = [];

beforeAll(async () => {
  const result = await build({
    ...bundleOptions,
    banner: { js: bundleOptions.banner },
    mainFields: [...bundleOptions.mainFields],
    sourcemap: false,
    bundle: true,
    entryPoints: handlers,
    outdir: path.join(repoRoot, 'cdk.out', 'bundle-test'),
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: repoRoot,
  });
  bundled = Object.values((result.metafile as Metafile).outputs)
    .filter((output) => output.entryPoint)
    .map((output) => ({
      handler: output.entryPoint ?? '',
      bytes: output.bytes,
      inputs: Object.keys(output.inputs),
    }));
}, 60_000);

describe('function bundles', () => {
  it('both handlers are bundled, and they are catalogue handlers', () => {
    const catalogued = new Set([...routes, ...subscriptions, ...schedules].map((entry) => entry.handler));
    expect(bundled.map(({ handler }) => handler).sort()).toEqual([...handlers].sort());
    for (const handler of handlers) expect(catalogued.has(handler), handler).toBe(true);
  });

  it('no bundle carries a zod locale but English', () => {
    const foreign = bundled.flatMap(({ handler, inputs }) =>
      inputs
        .filter((input) => /node_modules\/zod\/.*locales\//.test(input) && !/locales\/en\.js$/.test(input))
        .map((input) => `${handler}: ${input}`),
    );
    expect(foreign).toEqual([]);
  });

  it('no bundle carries the SDK credential chain Lambda never uses (SSO, STS, shared ini files)', () => {
    const chain = bundled.flatMap(({ handler, inputs }) =>
      inputs
        .filter((input) =>
          /node_modules\/@aws-sdk\/(credential-provider-(node|ini|sso|web-identity|login|process)|nested-clients)\//.test(
            input,
          ),
        )
        .map((input) => `${handler}: ${input}`),
    );
    expect(chain.slice(0, 5)).toEqual([]);
  });

  it(`an HTTP handler's bundle is under ${bundleBudgetBytes / 1000} KB, with only the clients it uses`, () => {
    const http = bundled.find(({ handler }) => handler === httpHandler);
    expect(http?.bytes).toBeLessThan(bundleBudgetBytes);
    // It writes through the outbox (DynamoDB) and sends no mail itself: no SES or EventBridge client.
    expect(http?.inputs.filter((input) => /@aws-sdk\/client-(sesv2|eventbridge)\//.test(input))).toEqual([]);
  });
});
