import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleProbe, lambdaEnvironment } from './lambda-bundles';

/**
 * A function bundled as Lambda gets it (minified, its source map beside it) and run the way Lambda runs
 * it, without `--enable-source-maps`: when it logs an error, the line must still say where in the
 * TypeScript the error came from, mapped by the logger from the bundle's map.
 */
const probeSource = [
  "import { logger } from './shared/logger';",
  'function failDeepInside(): never {',
  "  throw new Error('the probe failed');",
  '}',
  'export function run() {',
  '  try {',
  '    failDeepInside();',
  '  } catch (error) {',
  "    logger.error('probe', error as Error);",
  '  }',
  '}',
].join('\n');

function runProbe(bundleFile: string): { location: string; stack: string } {
  const script = `const { run } = await import(${JSON.stringify(pathToFileURL(bundleFile).href)}); run();`;
  const result = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
    env: lambdaEnvironment({ POWERTOOLS_SERVICE_NAME: 'stack-probe' }),
    encoding: 'utf8',
  });
  // Powertools writes error lines to stderr.
  const line = `${result.stdout}\n${result.stderr}`.split('\n').find((text) => text.includes('"probe"'));
  if (!line) throw new Error(`the probe logged nothing: ${result.stderr}`);
  const { error } = JSON.parse(line) as { error: { location: string; stack: string } };
  return error;
}

describe('stack traces in the logs of a bundled function', () => {
  it('name the TypeScript file and line an error came from, with no source-map flag at start', async () => {
    const bundleFile = await bundleProbe(probeSource, {
      sourcefile: 'functions/stack-probe.ts',
      sourcemap: true,
    });
    expect(readFileSync(`${bundleFile}.map`, 'utf8')).toContain('stack-probe.ts');
    const error = runProbe(bundleFile);
    expect(error.location).toBe('functions/stack-probe.ts:3');
    expect(error.stack).toContain('functions/stack-probe.ts:3:');
    expect(error.stack).toContain('functions/stack-probe.ts:7:');
    expect(error.stack).not.toContain('index.mjs:');
  }, 30_000);

  it('are left as the bundle positions when there is no map beside the bundle', async () => {
    const error = runProbe(await bundleProbe(probeSource, { sourcefile: 'functions/stack-probe.ts' }));
    expect(error.location).toMatch(/index\.mjs:\d+$/);
    expect(error.stack).not.toContain('stack-probe.ts');
  }, 30_000);
});
