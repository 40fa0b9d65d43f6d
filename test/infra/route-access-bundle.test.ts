import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { routes } from '../../infra/catalogue';
import { bundleDefinesFor, repoRoot } from '../../infra/cdk/function';
import { lambdaBundling, lambdaEnvironment } from './lambda-bundles';

/**
 * A route's bundle does not carry the catalogue: it gets its access rule at bundling, as CDK bundles it
 * (`bundleDefinesFor`). Run in a fresh `node`, as Lambda would, a staff route's bundle must refuse a
 * caller without the group, and a bundle built without that rule must not quietly let anyone in.
 */
const staffRoute = routes.find((route) => route.method === 'GET' && route.path === '/api/mailouts');

async function bundleOf(define: Record<string, string>): Promise<string> {
  if (!staffRoute) throw new Error('GET /api/mailouts is not in the catalogue');
  const result = await build(
    lambdaBundling({
      define,
      entryPoints: [path.join(repoRoot, staffRoute.handler)],
      metafile: true,
      outfile: 'index.mjs',
    }),
  );
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((input) => input.startsWith('infra/catalogue'))).toEqual([]);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'alliance-route-probe-')), 'index.mjs');
  writeFileSync(file, result.outputFiles[0]?.contents ?? '');
  return file;
}

function call(bundleFile: string, groups: string[] | undefined): number {
  const event = {
    version: '2.0',
    routeKey: 'GET /api/mailouts',
    rawPath: '/api/mailouts',
    rawQueryString: '',
    headers: {},
    requestContext: {
      http: { method: 'GET', path: '/api/mailouts', sourceIp: '192.0.2.1' },
      requestId: 'r1',
      ...(groups
        ? { authorizer: { jwt: { claims: { sub: 'u1', 'cognito:groups': groups }, scopes: [] } } }
        : {}),
    },
    isBase64Encoded: false,
  };
  const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(bundleFile).href)});
    const answer = await handler(${JSON.stringify(event)}, { awsRequestId: 'r1', functionName: 'probe', getRemainingTimeInMillis: () => 10000 });
    process.stdout.write(String(answer.statusCode));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
    env: lambdaEnvironment({
      // Nothing answers here: a caller let through fails on its first DynamoDB call instead.
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
      TABLE_MAILOUTS: 'mailouts',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    }),
    encoding: 'utf8',
  });
  return Number(result.stdout);
}

describe('a bundled staff route', () => {
  it('refuses callers outside staff with the rule it got at bundling, without carrying the catalogue', async () => {
    if (!staffRoute) throw new Error('GET /api/mailouts is not in the catalogue');
    const bundle = await bundleOf(bundleDefinesFor(staffRoute));
    expect(call(bundle, undefined)).toBe(401);
    expect(call(bundle, ['analyst'])).toBe(403);
    expect(call(bundle, ['partners,staff'])).toBe(403);
    // Staff get past the check (and then fail on the DynamoDB that is not there).
    expect(call(bundle, ['staff'])).not.toBe(403);
  }, 60_000);

  it('lets nobody in when bundled without its rule', async () => {
    if (!staffRoute) throw new Error('GET /api/mailouts is not in the catalogue');
    const { __ROUTE_ACCESS__: _rule, ...withoutRule } = bundleDefinesFor(staffRoute);
    const bundle = await bundleOf(withoutRule);
    expect(call(bundle, ['staff'])).toBe(500);
  }, 60_000);
});
