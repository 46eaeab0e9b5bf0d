/**
 * Where and how the CLI writes: `<out>/<path relative to the root><suffix>` (the root is stated,
 * `--root`, default the working directory, so the layout is the same from run to run), so the
 * output tree mirrors the input tree and same-named files in different folders never collide; every
 * file written atomically (temporary file + rename), so a crash never leaves half a report.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** Folder under `--out` that mirrors inputs outside the root by their absolute path. */
export const OUTSIDE_ROOT_DIR = '_outside_root';

/** `<out>/<file relative to root>`; a file outside the root keeps its absolute path below `_outside_root`. */
export function outputBase(outDir: string, root: string, file: string): string {
  const abs = resolve(file);
  const r = relative(root, abs);
  if (r !== '' && !r.startsWith('..') && !isAbsolute(r)) return join(outDir, r);
  return join(outDir, OUTSIDE_ROOT_DIR, abs.replace(/^[A-Za-z]:/, '').replace(/^[\\/]+/, ''));
}

/** A run's id for file names: its start time, UTC, to the millisecond (`20261201T112233.456Z`). */
export function runStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '');
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
