/**
 * `npm run openapi`: regenerates functions/site/openapi.json from the catalogue and the handlers'
 * schemas (infra/openapi.ts). `--check` only says whether the file is current (exit 1 when stale).
 * `npm start` and `npm run synth` run it first, so what runs and what deploys is documented.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

// Importing the handlers constructs their SDK clients: no Node-version notice in the middle of a build.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { generateOpenApiDocument, openApiFile, repoRoot } = await import('./openapi');
const relativeFile = path.relative(repoRoot, openApiFile);
const check = process.argv.includes('--check');

// The serving handler bundles the file, and the generator imports every handler: start from an
// empty document when there is none yet.
if (!existsSync(openApiFile)) writeFileSync(openApiFile, '{}\n');

const fresh: unknown = JSON.parse(JSON.stringify(await generateOpenApiDocument()));
const current: unknown = JSON.parse(readFileSync(openApiFile, 'utf8'));
if (isDeepStrictEqual(fresh, current)) {
  if (!process.argv.includes('--quiet')) console.log(`${relativeFile} is up to date`);
} else if (check) {
  console.error(`${relativeFile} is stale: run \`npm run openapi\` and keep the result`);
  process.exitCode = 1;
} else {
  writeFileSync(openApiFile, `${JSON.stringify(fresh, null, 2)}\n`);
  execFileSync(path.join(repoRoot, 'node_modules/.bin/biome'), ['format', '--write', openApiFile], {
    stdio: 'ignore',
  });
  console.log(`wrote ${relativeFile}`);
}
