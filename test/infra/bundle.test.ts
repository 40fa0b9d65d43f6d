import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes, schedules, subscriptions } from '../../infra/catalogue';
import {
  bundleAliases,
  bundleBudgetBytes,
  bundleDefines,
  repoRoot,
  standInFiles,
} from '../../infra/cdk/function';
import { config } from '../../shared/config';
import { bundleProbe, lambdaBundling, lambdaEnvironment } from './lambda-bundles';

/**
 * Handlers bundled with the options and library stand-ins a function's bundling uses (function.ts
 * and bundle-handler.mjs export them), in one esbuild run: what Lambda would load, without a synth.
 * Four stand for the rest (bundling all 64 takes most of a minute on a busy machine; `npm run synth`
 * prints every bundle's size and cold-import time, which is not asserted here because it depends on
 * the machine):
 * - an HTTP handler on the shared route wrapper, with zod, tokens, DynamoDB and the pages;
 * - an e-mail sender: an idempotent consumer with SES and the e-mails;
 * - the heaviest bundle: the booking e-mails, which add calendar invites (ical-generator);
 * - the mail-out dispatcher (SES, idempotency, pacing, the stored body put into the layout).
 */
const httpHandler = 'functions/activities/confirm-rsvp.ts';
const emailSender = 'functions/members/send-registration-email.ts';
const heaviestBundle = 'functions/activities/send-rsvp-email.ts';
const dispatcher = 'functions/mailouts/dispatch-mailout.ts';
const handlers = [httpHandler, emailSender, heaviestBundle, dispatcher];

/** Each stand-in (infra/cdk/shims/) and the only modules allowed to import it: the callers its proof covers. */
const shimImporters: Record<string, RegExp> = {
  '@aws-lambda-powertools/jmespath': /@aws-lambda-powertools\/idempotency\/lib\/esm\//,
  entities: /markdown-it\/lib\//,
  '@smithy/core/event-streams': /@smithy\/core\/dist-es\/submodules\/protocols\/HttpProtocol\.js$/,
};

interface BundledHandler {
  handler: string;
  bytes: number;
  inputs: string[];
}
let bundled: BundledHandler[] = [];
let metafile: Metafile;

beforeAll(async () => {
  const result = await build(
    lambdaBundling({
      entryPoints: handlers,
      outdir: path.join(repoRoot, 'cdk.out', 'bundle-test'),
      outExtension: { '.js': '.mjs' },
      metafile: true,
    }),
  );
  metafile = result.metafile as Metafile;
  bundled = Object.values(metafile.outputs)
    .filter((output) => output.entryPoint)
    .map((output) => ({
      handler: output.entryPoint ?? '',
      bytes: output.bytes,
      inputs: Object.keys(output.inputs),
    }));
}, 60_000);

describe('function bundles', () => {
  it('the chosen handlers are bundled, and they are catalogue handlers', () => {
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

  it(`every bundle is under ${bundleBudgetBytes / 1000} KB`, () => {
    const sizes = Object.fromEntries(bundled.map(({ handler, bytes }) => [handler, bytes]));
    for (const handler of handlers) expect(sizes[handler], handler).toBeLessThan(bundleBudgetBytes);
  });

  it('no bundle carries the library files the stand-ins replace, only the stand-ins', () => {
    const replaced = Object.keys(standInFiles);
    const carried = bundled.flatMap(({ handler }) => {
      const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint === handler);
      return Object.entries(output?.inputs ?? {})
        .filter(([input]) => replaced.some((suffix) => input.endsWith(`node_modules/${suffix}`)))
        .map(([input, { bytesInOutput }]) => ({ input, bytesInOutput }));
    });
    // Every handler carries X-Ray's index and zod's schemas, so some replaced files are always there...
    expect(carried.length).toBeGreaterThan(handlers.length);
    // ...as stand-ins of a few hundred bytes, not the 1–9 KB originals.
    expect(carried.filter(({ bytesInOutput }) => bytesInOutput > 1200)).toEqual([]);
  });

  it('no bundle carries what the stand-ins replace, and each stand-in is imported only by the callers its proof covers', () => {
    const replacedModules = [
      /node_modules\/semver\//,
      /node_modules\/@aws-lambda-powertools\/jmespath\//,
      /node_modules\/entities\/lib\/esm\/(index\.js|encode\.js|generated\/encode-html\.js)$/,
      /node_modules\/@smithy\/core\/dist-es\/submodules\/event-streams\//,
    ];
    const replaced = bundled.flatMap(({ handler, inputs }) =>
      inputs
        .filter((input) => replacedModules.some((module) => module.test(input)))
        .map((input) => `${handler}: ${input}`),
    );
    expect(replaced).toEqual([]);
    const unexpected = Object.entries(metafile.inputs).flatMap(([importer, input]) =>
      input.imports.flatMap(({ path: imported }) => {
        const shim = Object.entries(bundleAliases).find(
          ([name, file]) => name in shimImporters && path.relative(repoRoot, file) === imported,
        );
        return shim && !shimImporters[shim[0]]?.test(importer) ? [`${importer} imports ${shim[0]}`] : [];
      }),
    );
    expect(unexpected).toEqual([]);
  });

  it('a bundle carries the alliance config parsed at bundling, not alliance.config.json to parse at every cold start', () => {
    for (const { handler, inputs } of bundled) expect(inputs, handler).not.toContain('alliance.config.json');
    // What the bundle gets is exactly what shared/config.ts gives the code unbundled.
    expect(JSON.parse(bundleDefines.__ALLIANCE_CONFIG__ ?? 'null')).toStrictEqual(config);
  });

  it(`an HTTP handler's bundle is under ${bundleBudgetBytes / 1000} KB, with only the clients it uses`, () => {
    const http = bundled.find(({ handler }) => handler === httpHandler);
    expect(http?.bytes).toBeLessThan(bundleBudgetBytes);
    // It writes through the outbox (DynamoDB) and sends no mail itself: no SES or EventBridge client.
    expect(http?.inputs.filter((input) => /@aws-sdk\/client-(sesv2|eventbridge)\//.test(input))).toEqual([]);
  });
});

/**
 * The stand-ins are never called on the code paths the functions use, shown by running them: a consumer
 * bundled exactly as Lambda gets it, in a fresh `node` with Lambda's environment and tracing on, handles
 * one event (parsed by zod, the JSON Schema stand-in) through Powertools Idempotency (the JMESPath
 * stand-in) with a traced DynamoDB client (the event-stream stand-in; Tracer's SDK v3 capture in
 * X-Ray's Lambda mode, beside the stand-ins for its samplers, plugins and SDK v2 patcher). DynamoDB is a
 * local stub that accepts every call; X-Ray is a local UDP socket, as the daemon's is in Lambda. A
 * stand-in called would throw, the record would fail, and no DynamoDB subsegment would be sent.
 */
describe('a bundled consumer in a Lambda-like process', () => {
  const probe = `
    import { consumer } from './shared/consumer';
    export const handler = consumer('bundle-probe', ['MemberErased'], async () => {});
  `;

  it('handles an event through idempotency, and every DynamoDB call it makes is an X-Ray subsegment', async () => {
    const bundleFile = await bundleProbe(probe, { sourcefile: 'bundle-probe.ts' });
    const directory = path.dirname(bundleFile);

    const dynamoCalls: string[] = [];
    const dynamo = createServer((request, response) => {
      dynamoCalls.push(String(request.headers['x-amz-target']));
      request.resume().on('end', () => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
    const daemon = createSocket('udp4');
    const segments: Array<{ name?: string; namespace?: string; aws?: { operation?: string } }> = [];
    daemon.on('message', (message) => {
      const document = message.toString().split('\n')[1];
      if (document) segments.push(JSON.parse(document));
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));

    try {
      const event = {
        Records: [
          {
            messageId: 'm1',
            body: JSON.stringify({
              id: 'e1',
              'detail-type': 'MemberErased',
              source: 'alliance.members',
              time: '2026-11-27T10:00:00Z',
              detail: {
                eventId: '0b7e3c1e-8d4f-4c6e-9a53-2f1d8c0b6a41',
                occurredAt: '2026-11-27T10:00:00Z',
                memberId: '5f0c8a52-3b7d-4c1e-8f2a-6d9e0b1c2a34',
                organisationType: 'university',
              },
            }),
          },
        ],
      };
      const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(bundleFile).href)});
        const context = { awsRequestId: 'r1', functionName: 'bundle-probe', getRemainingTimeInMillis: () => 10000 };
        process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, context)));`;
      const output = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '--eval', script], {
          env: lambdaEnvironment({
            AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
            AWS_LAMBDA_FUNCTION_NAME: 'bundle-probe',
            LAMBDA_TASK_ROOT: directory,
            _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
            AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
            AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
            TABLE_IDEMPOTENCY: 'idempotency',
            POWERTOOLS_SERVICE_NAME: 'bundle-probe',
            POWERTOOLS_METRICS_DISABLED: 'true',
            POWERTOOLS_LOG_LEVEL: 'ERROR',
          }),
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
        });
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(output.stderr).not.toMatch(/NotBundled/);
      expect({ code: output.code, answer: output.stdout }).toEqual({
        code: 0,
        answer: JSON.stringify({ batchItemFailures: [] }),
      });
      expect(dynamoCalls).toEqual(['DynamoDB_20120810.PutItem', 'DynamoDB_20120810.UpdateItem']);
      const deadline = Date.now() + 2000;
      while (segments.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(
        segments
          .filter((segment) => segment.namespace === 'aws')
          .map((segment) => `${segment.name} ${segment.aws?.operation}`),
      ).toEqual(['DynamoDB PutItem', 'DynamoDB UpdateItem']);
    } finally {
      dynamo.close();
      daemon.close();
    }
  }, 30_000);
});

describe('a bundled mail-out renderer', () => {
  it('renders markdown with HTML entities exactly as the unbundled code does (the entities stand-in decodes the same)', async () => {
    const bundleFile = await bundleProbe(
      "export { renderMarkdown } from './functions/mailouts/domain/render-markdown';",
      { sourcefile: 'renderer-probe.ts' },
    );
    const bundled = (await import(
      pathToFileURL(bundleFile).href
    )) as typeof import('../../functions/mailouts/domain/render-markdown');
    const unbundled = await import('../../functions/mailouts/domain/render-markdown');
    const source =
      'Fish &amp; chips &copy; 2027, &#x41;&#66; &nbsp;&unknown; &ampx [a &lt;b&gt;](https://example.org/?q=1&amp;r=2 "&quot;t&quot;")';
    expect(bundled.renderMarkdown(source)).toEqual(unbundled.renderMarkdown(source));
    expect(bundled.renderMarkdown(source).html).toContain('Fish &amp; chips © 2027, AB');
  });
});

/**
 * The senders put the body rendered when the draft was saved into the layout; they never parse
 * Markdown, so their bundles carry no parser (markdown-it, its link finder and HTML entity tables: about
 * 130 KB). The handler that sends a mail-out (rendering one saved before bodies were stored) does,
 * which shows the check would see it.
 */
describe('the mail-out senders bundle no Markdown parser', () => {
  const senders = ['functions/mailouts/dispatch-mailout.ts', 'functions/mailouts/send-test-mailout.ts'];
  const renderer = 'functions/mailouts/send-mailout.ts';
  const markdownParts =
    /node_modules\/(markdown-it|linkify-it|entities|mdurl|uc\.micro|punycode\.js)\/|infra\/cdk\/shims\/entities\.ts$/;

  it('dispatch-mailout and send-test-mailout import nothing of markdown-it, linkify-it or entities', async () => {
    const result = await build(
      lambdaBundling({
        entryPoints: [...senders, renderer],
        outdir: path.join(repoRoot, 'cdk.out', 'bundle-test-senders'),
        outExtension: { '.js': '.mjs' },
        metafile: true,
      }),
    );
    const inputsOf = (entry: string) =>
      Object.keys(
        Object.values(result.metafile.outputs).find((output) => output.entryPoint === entry)?.inputs ?? {},
      );
    for (const sender of senders) {
      expect(inputsOf(sender).length, sender).toBeGreaterThan(0);
      expect(
        inputsOf(sender).filter((input) => markdownParts.test(input)),
        sender,
      ).toEqual([]);
    }
    expect(inputsOf(renderer).some((input) => /node_modules\/markdown-it\//.test(input))).toBe(true);
  }, 60_000);
});
