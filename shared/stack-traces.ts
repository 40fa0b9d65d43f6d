/**
 * Stack traces in the logs that point at the TypeScript, without Node's `--enable-source-maps`: that
 * flag reads and parses the bundle's source map at every cold start (~9 ms of it), to map stacks that
 * are hardly ever logged. Here the map is read only when an error is logged, once per process, and
 * only positions in this bundle are mapped. Outside a bundle (tsx, tests) there is no such position
 * and stacks are left as they are.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** In a Lambda bundle this module is part of the bundle, so this is the bundle's own URL. */
const bundleUrl = import.meta.url;
const positionInBundle = new RegExp(`${bundleUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`, 'g');

let sourceMap: SourceMap | null | undefined;

function bundleSourceMap(): SourceMap | null {
  if (sourceMap === undefined) {
    try {
      sourceMap = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(bundleUrl)}.map`, 'utf8')));
    } catch {
      sourceMap = null; // no map beside the bundle: stacks stay as they are
    }
  }
  return sourceMap;
}

/** The text with every `<bundle>:line:column` replaced by the source file's line and column. */
export function withSourcePositions(text: string): string {
  if (!text.includes(bundleUrl)) return text;
  const map = bundleSourceMap();
  if (!map) return text;
  return text.replace(positionInBundle, (position, line: string, column: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!('originalSource' in entry)) return position;
    // Sources are relative to where the bundle was built; from the repository's top folder is enough.
    const source =
      /(?:^|\/)((?:functions|shared|infra|node_modules)\/.*)$/.exec(entry.originalSource)?.[1] ??
      entry.originalSource;
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/**
 * Gives an error about to be logged (and its causes) stacks in source positions, so that the
 * logger's `location` (taken from the stack's first frame) names the source file too.
 */
export function mapErrorStack(error: Error): Error {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (typeof current.stack === 'string') current.stack = withSourcePositions(current.stack);
    current = current.cause;
  }
  return error;
}
