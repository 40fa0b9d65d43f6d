import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the local runtime keeps its state between runs (`DATA_DIR`, default `.data/`). */
export function dataDir(): string {
  const dir = path.resolve(repoRoot, process.env.DATA_DIR ?? '.data');
  mkdirSync(dir, { recursive: true });
  return dir;
}
