// Runs every test/**/*.test.ts with Node's own test runner (Node 20 has no --test globs).
// Usage: node scripts/run-tests.mjs [path-filter ...]
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = walk('test')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const runDir = mkdtempSync(join(tmpdir(), 'sonoteca-test-run-'));
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  // One folder per run, shared by the test processes (e.g. the one corpus analysis they all read).
  { stdio: 'inherit', env: { ...process.env, SONOTECA_TEST_RUN_DIR: runDir } },
);
rmSync(runDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
