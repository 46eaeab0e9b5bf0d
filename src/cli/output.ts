/**
 * Where and how the CLI writes: `<out>/<path relative to the inputs' common folder><suffix>`, so the
 * output tree mirrors the input tree and same-named files in different folders never collide; every
 * file written atomically (temporary file + rename), so a crash never leaves half a report.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export function outputBase(outDir: string, baseDir: string, file: string): string {
  return join(outDir, relative(baseDir, file));
}

export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
