/**
 * Builds the console's browser code: each page script under web/console/src/pages/ becomes one
 * self-contained module in web/console/js/ (the OpenID Connect client and the chart library bundled
 * in, so the site serves everything itself and no third-party CDN is reached at run time). The local
 * runtime builds before it serves, and the CDK site builds before it deploys web/, so both serve the
 * same files. web/console/js/ is generated and not committed.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const consoleSourceDir = path.join(repoRoot, 'web', 'console', 'src');
export const consoleOutputDir = path.join(repoRoot, 'web', 'console', 'js');

/** What of web/ is not deployed: the console's TypeScript sources and their compiler settings. */
export const consoleSourcesExcluded = ['console/src', 'console/tsconfig.json'];

/** Bundles every page script; throws with esbuild's messages when the code does not build. */
export function buildConsole(): { pages: string[] } {
  const pagesDir = path.join(consoleSourceDir, 'pages');
  const pages = readdirSync(pagesDir)
    .filter((file) => file.endsWith('.ts'))
    .sort();
  buildSync({
    entryPoints: pages.map((file) => path.join(pagesDir, file)),
    outdir: consoleOutputDir,
    bundle: true,
    // What every page shares (the OIDC client, the shell) is one cached chunk, not a copy per page.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    logLevel: 'silent',
  });
  return { pages: pages.map((file) => file.replace(/\.ts$/, '')) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { pages } = buildConsole();
  console.log(
    `console: ${pages.length} page scripts built into ${path.relative(repoRoot, consoleOutputDir)}/`,
  );
}
