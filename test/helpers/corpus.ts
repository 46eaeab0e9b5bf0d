/**
 * Access to the shared corpus (../shared/corpus or $SONOTECA_CORPUS). Tests that need it call
 * `corpusOrSkip(t)`: under CI=true a missing corpus is a failure, otherwise the test is skipped
 * with a loud message.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';

export function corpusDir(): string {
  return resolve(process.env['SONOTECA_CORPUS'] ?? '../shared/corpus');
}

/** Returns the corpus dir, or skips the test (fails under CI) when it is missing. */
export function corpusOrSkip(t: TestContext): string | undefined {
  const dir = corpusDir();
  if (existsSync(join(dir, 'README.md'))) return dir;
  if (process.env['CI'] === 'true')
    throw new Error(`corpus missing at ${dir} (CI=true): set SONOTECA_CORPUS`);
  console.warn(`\n*** SKIPPING corpus test: no corpus at ${dir} (set SONOTECA_CORPUS) ***\n`);
  t.skip(`corpus missing at ${dir}`);
  return undefined;
}

const AUDIO_EXT = /\.(wav|flac|mp3|ogg|opus|m4a|aiff?)$/i;

/** All audio files of the corpus (or of one of its sub-folders), sorted. */
export function corpusAudioFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (AUDIO_EXT.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}
