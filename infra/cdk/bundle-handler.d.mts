import type { BuildOptions, BuildResult, Plugin } from 'esbuild';

/** Stand-in files by the path inside node_modules they replace (see bundle-handler.mjs). */
export type StandIns = Readonly<Record<string, string>>;

export function libraryStandIns(standIns: StandIns): Plugin;

export function bundleHandler(request: {
  options: BuildOptions;
  standIns: StandIns;
  entry: string;
  outfile: string;
  write?: boolean;
}): Promise<BuildResult>;
