/**
 * Access to the shared corpus (../shared/corpus or $SONOTECA_CORPUS). Tests that need it call
 * `corpusOrSkip(t)`: under CI=true a missing corpus is a failure, otherwise the test is skipped
 * with a loud message.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Result of the one comprehensive CLI run over the corpus that every corpus test shares. */
export interface CorpusRun {
  readonly corpus: string;
  readonly out: string;
  readonly files: readonly string[];
  readonly status: number | null;
  readonly log: string;
}

/** Creates `dir` (not recursively: atomic); false when another process already did. */
function takeLock(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `sonoteca analyze <corpus> --root <corpus> --jobs 2` (comprehensive) once per test run and
 * hands its output folder to every caller. The whole corpus takes minutes on 2 cores, so the test
 * files that read reports of it share one run: `scripts/run-tests.mjs` sets
 * SONOTECA_TEST_RUN_DIR to a fresh folder per `npm test`; the first process to take the lock
 * (an atomic mkdir) analyses, the others wait for its `done.json`. Without that variable (a test
 * file run on its own) the run is private to the process.
 */
export function analysedCorpus(corpus: string): CorpusRun {
  const shared = process.env['SONOTECA_TEST_RUN_DIR'];
  const root = shared
    ? join(shared, 'corpus-run')
    : mkdtempSync(join(tmpdir(), 'sonoteca-corpus-'));
  const out = join(root, 'out');
  const doneFile = join(root, 'done.json');
  const files = corpusAudioFiles(corpus);
  // A private folder is ours; in a shared one the process whose mkdir succeeds analyses.
  const owner = !shared || takeLock(root);
  if (owner) {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'analyze',
        corpus,
        '--out',
        out,
        '--root',
        corpus,
        '--jobs',
        '2',
        '--quiet',
      ],
      { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } },
    );
    writeFileSync(doneFile, JSON.stringify({ status: r.status, log: r.stdout + r.stderr }));
  } else {
    // Another test process is analysing: wait (bounded by the test runner's own timeout).
    const wait = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 60 * 60 * 1000;
    while (!existsSync(doneFile)) {
      if (Date.now() > deadline) throw new Error(`no corpus run finished in ${root} within 1 h`);
      Atomics.wait(wait, 0, 0, 500);
    }
  }
  const done = JSON.parse(readFileSync(doneFile, 'utf8')) as { status: number | null; log: string };
  return { corpus, out, files, status: done.status, log: done.log };
}
