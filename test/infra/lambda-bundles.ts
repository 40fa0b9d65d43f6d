/**
 * Bundles for the infra tests, made exactly as a function's bundling makes them (the options of
 * infra/cdk/function.ts and the library stand-ins of bundle-handler.mjs), and the environment Lambda
 * gives a function, for running one in a fresh `node`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { libraryStandIns } from '../../infra/cdk/bundle-handler.mjs';
import { bundleOptions, repoRoot, standInFiles } from '../../infra/cdk/function';

/** esbuild options for Lambda bundles, in memory unless `write` says otherwise; `overrides` win. */
export const lambdaBundling = <Overrides extends BuildOptions>(overrides: Overrides) => ({
  ...bundleOptions,
  banner: { js: bundleOptions.banner },
  mainFields: [...bundleOptions.mainFields],
  sourcemap: false,
  plugins: [libraryStandIns(standInFiles)],
  bundle: true,
  write: false as const,
  logLevel: 'silent' as const,
  absWorkingDir: repoRoot,
  ...overrides,
});

/**
 * A probe (TypeScript source, importing from the repository root as `./shared/...`) bundled as Lambda
 * gets it into a fresh folder; the bundle's path (`index.mjs`, with `index.mjs.map` beside it when
 * `sourcemap` is on).
 */
export async function bundleProbe(
  contents: string,
  options: { sourcefile?: string; define?: Record<string, string>; sourcemap?: boolean } = {},
): Promise<string> {
  const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'alliance-probe-')), 'index.mjs');
  await build(
    lambdaBundling({
      stdin: { contents, resolveDir: repoRoot, sourcefile: options.sourcefile ?? 'probe.ts', loader: 'ts' },
      outfile,
      write: true,
      sourcemap: options.sourcemap ?? false,
      ...(options.define ? { define: options.define } : {}),
    }),
  );
  return outfile;
}

/** The environment Lambda gives a function (credentials, region), plus `extra`; nothing of this process's. */
export const lambdaEnvironment = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-2',
  AWS_ACCESS_KEY_ID: 'probe',
  AWS_SECRET_ACCESS_KEY: 'probe',
  // Lambda runs Node.js 22, where the SDK has no such warning to print.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...extra,
});
