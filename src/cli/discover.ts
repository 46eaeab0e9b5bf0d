/**
 * Finds the audio files named by `analyze`'s arguments: files as given, folders recursively by
 * audio extension (hidden entries skipped), sorted. A missing path or a folder without audio is
 * reported per argument; the other arguments still run.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SonoError } from '../errors.js';

/** Extensions `analyze` picks up inside folders (files named explicitly are always taken). */
export const AUDIO_EXTENSIONS: readonly string[] = [
  'wav',
  'bwf',
  'rf64',
  'w64',
  'flac',
  'mp3',
  'mp2',
  'ogg',
  'oga',
  'opus',
  'aif',
  'aiff',
  'aifc',
  'm4a',
  'aac',
  'wma',
];

const AUDIO_RE = new RegExp(`\\.(${AUDIO_EXTENSIONS.join('|')})$`, 'i');

export interface ArgumentProblem {
  readonly argument: string;
  readonly error: SonoError;
}

export interface Discovery {
  /** Absolute paths, sorted, without duplicates. */
  readonly files: readonly string[];
  readonly problems: readonly ArgumentProblem[];
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue; // dangling symlink
    }
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile() && AUDIO_RE.test(name)) out.push(p);
  }
}

export function discoverAudioFiles(args: readonly string[]): Discovery {
  const files = new Set<string>();
  const problems: ArgumentProblem[] = [];
  for (const arg of args) {
    const abs = resolve(arg);
    let st;
    try {
      st = statSync(abs);
    } catch {
      problems.push({
        argument: arg,
        error: new SonoError('SONO_ERR_PATH_NOT_FOUND', { path: arg }),
      });
      continue;
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      walk(abs, found);
      if (found.length === 0) {
        problems.push({
          argument: arg,
          error: new SonoError('SONO_ERR_NO_AUDIO_FILES', { path: arg }),
        });
      }
      for (const f of found) files.add(f);
    } else files.add(abs);
  }
  return { files: [...files].sort(), problems };
}

/** The deepest folder containing every file (their reports mirror the tree below it). */
export function commonBaseDir(files: readonly string[]): string {
  if (files.length === 0) return process.cwd();
  let base = dirname(files[0]!);
  for (const f of files) {
    while (relative(base, f).startsWith('..') || relative(base, f).startsWith(sep)) {
      const up = dirname(base);
      if (up === base) break;
      base = up;
    }
  }
  return base;
}
