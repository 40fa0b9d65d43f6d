/**
 * After `cdk synth`: one line per stack with what it holds, so `npm run synth` shows what would be
 * deployed, then every function's bundle: its size and how long a fresh `node` takes to import it
 * (the module-scope work of a cold start, without Lambda's own init). Offline: nothing is deployed
 * or called, the import only builds clients.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleBudgetBytes } from './function';

/** Cold import under this (ms, median of a few fresh processes) is the target on these machines. */
const coldImportBudgetMs = 70;
const coldImportRuns = 3;

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

const out = path.resolve('cdk.out');
const templates = readdirSync(out).filter((file) => file.endsWith('.template.json'));
const friendly: Record<string, string> = {
  'AWS::Lambda::Function': 'functions',
  'AWS::DynamoDB::Table': 'tables',
  'AWS::ApiGatewayV2::Route': 'API routes',
  'AWS::Events::Rule': 'bus rules and schedules',
  'AWS::SQS::Queue': 'queues (subscription and dead-letter)',
  'AWS::Lambda::EventSourceMapping': 'queue-to-function mappings',
  'AWS::Pipes::Pipe': 'outbox pipes',
  'AWS::Cognito::UserPoolGroup': 'user groups',
  'AWS::CloudFront::Distribution': 'CloudFront distributions',
  'AWS::WAFv2::WebACL': 'WAF web ACLs',
  'AWS::SES::ConfigurationSet': 'SES configuration sets',
};

interface Bundle {
  name: string;
  file: string;
  environment: Record<string, string>;
}
const bundles = new Map<string, Bundle>();

for (const file of templates) {
  const template = JSON.parse(readFileSync(path.join(out, file), 'utf8')) as {
    Resources?: Record<string, TemplateResource>;
  };
  const resources = Object.values(template.Resources ?? {});
  const counts = Object.entries(friendly)
    .map(([type, label]) => [label, resources.filter((resource) => resource.Type === type).length] as const)
    .filter(([, count]) => count > 0)
    .map(([label, count]) => `${count} ${label}`);
  console.log(
    `${file.replace('.template.json', '')}: ${resources.length} resources (${counts.join(', ') || 'none of note'})`,
  );
  for (const resource of resources) {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || typeof assetPath !== 'string') continue;
    const bundleFile = path.join(out, assetPath, 'index.mjs');
    if (!existsSync(bundleFile) || bundles.has(bundleFile)) continue;
    const description = resource.Properties?.Description;
    const variables =
      (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {};
    bundles.set(bundleFile, {
      name: typeof description === 'string' ? description.replace(/^[^:]*:\s*/, '') : assetPath,
      file: bundleFile,
      // References (table names, ARNs) are placeholders here: importing builds clients, calls nothing.
      environment: Object.fromEntries(
        Object.entries(variables).map(([key, value]) => [
          key,
          typeof value === 'string' ? value : `synth-${key}`,
        ]),
      ),
    });
  }
}

/**
 * Milliseconds a fresh `node` spends importing the bundle, with the environment Lambda gives it, or
 * why the import failed (a function that cannot be imported fails every cold start in Lambda too).
 */
function coldImportMs(bundle: Bundle): number | Error {
  const script = `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle.file).href)}); process.stdout.write(String(performance.now() - started));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'synth',
      AWS_SECRET_ACCESS_KEY: 'synth',
      // Lambda runs Node.js 22, where the SDK has no such warning to print.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...bundle.environment,
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    const reason = /^\w*Error: .*$/m.exec(result.stderr)?.[0] ?? result.stderr.trim().split('\n')[0];
    return new Error(reason ?? 'the import failed');
  }
  return Number(result.stdout);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

if (bundles.size > 0) {
  const measured = [...bundles.values()]
    .map((bundle) => {
      const runs = Array.from({ length: coldImportRuns }, () => coldImportMs(bundle));
      const failure = runs.find((run): run is Error => run instanceof Error);
      return {
        name: bundle.name,
        bytes: statSync(bundle.file).size,
        coldMs: failure ? Number.NaN : median(runs as number[]),
        failure,
      };
    })
    .sort((a, b) => b.bytes - a.bytes);
  const width = Math.max(...measured.map(({ name }) => name.length));
  console.log(
    `\nFunction bundles (index.mjs; cold import = median of ${coldImportRuns} fresh \`node\` processes importing it):`,
  );
  for (const { name, bytes, coldMs, failure } of measured) {
    const flags = [
      bytes > bundleBudgetBytes ? `over ${bundleBudgetBytes / 1000} KB` : '',
      coldMs > coldImportBudgetMs ? `over ${coldImportBudgetMs} ms` : '',
      failure ? `IMPORT FAILS: ${failure.message}` : '',
    ].filter(Boolean);
    const time = failure ? '   — ' : `${coldMs.toFixed(0).padStart(4)} ms`;
    console.log(
      `  ${name.padEnd(width)}  ${(bytes / 1000).toFixed(0).padStart(5)} KB  ${time}${flags.length ? `  (${flags.join(', ')})` : ''}`,
    );
  }
  const timed = measured.filter(({ failure }) => !failure);
  const overSize = measured.filter(({ bytes }) => bytes > bundleBudgetBytes).length;
  const overTime = timed.filter(({ coldMs }) => coldMs > coldImportBudgetMs).length;
  const failing = measured.filter(({ failure }) => failure);
  console.log(
    `  ${measured.length} bundles: largest ${((measured[0]?.bytes ?? 0) / 1000).toFixed(0)} KB, ` +
      `slowest cold import ${Math.max(...timed.map(({ coldMs }) => coldMs)).toFixed(0)} ms; ` +
      `${overSize} over ${bundleBudgetBytes / 1000} KB, ${overTime} over ${coldImportBudgetMs} ms`,
  );
  for (const { name } of measured.filter(({ bytes }) => bytes > bundleBudgetBytes)) {
    console.log(
      `  ${name} is over ${bundleBudgetBytes / 1000} KB: a regression to look into (the README says what keeps bundles small)`,
    );
  }
  if (failing.length > 0) {
    console.error(
      `${failing.length} bundle(s) fail to import, as they would on every cold start: ${failing.map(({ name }) => name).join(', ')}`,
    );
    process.exitCode = 1;
  }
}
console.log(
  `CloudFormation templates and bundled functions are in ${path.relative(process.cwd(), out)}/; deploy with: npx cdk deploy --all`,
);
