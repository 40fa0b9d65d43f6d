/**
 * Bundles one handler for Lambda with esbuild: the options of infra/cdk/function.ts (`bundleOptions`,
 * handed over whole as JSON by a function's local bundling step, so this file needs no TypeScript
 * loader), plus the library stand-ins, which esbuild's `alias` cannot express: they replace files
 * inside a package, not packages. The bundle tests call `bundleHandler` too, so what they check is
 * what Lambda runs.
 *
 *   node infra/cdk/bundle-handler.mjs '{"options":{…},"standIns":{…},"entry":"…","outfile":"…"}'
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * An esbuild plugin: each file inside node_modules whose path ends in one of `standIns`' keys
 * (`aws-xray-sdk-core/dist/lib/patchers/aws_p.js`) is bundled as the stand-in file that key names.
 */
export function libraryStandIns(standIns) {
  const entries = Object.entries(standIns);
  return {
    name: 'library-stand-ins',
    setup(bundler) {
      bundler.onLoad({ filter: /[\\/]node_modules[\\/]/ }, (args) => {
        const file = args.path.replaceAll('\\', '/');
        const standIn = entries.find(([suffix]) => file.endsWith(`/node_modules/${suffix}`));
        if (!standIn) return undefined;
        return {
          contents: readFileSync(standIn[1], 'utf8'),
          loader: 'js',
          resolveDir: path.dirname(args.path),
          watchFiles: [standIn[1]],
        };
      });
    },
  };
}

/** Bundles `entry` to `outfile` (and, with `options.sourcemap`, its map beside it). */
export function bundleHandler({ options, standIns, entry, outfile, write = true }) {
  return build({
    ...options,
    bundle: true,
    entryPoints: [entry],
    outfile,
    write,
    plugins: [libraryStandIns(standIns)],
    logLevel: options.logLevel ?? 'warning',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await bundleHandler(JSON.parse(process.argv[2] ?? '{}'));
}
