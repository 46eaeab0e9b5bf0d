/**
 * The Debian `prometheus` package's binaries (`promtool`, `prometheus`), found on PATH or in
 * $PROMETHEUS_BIN_DIR. Under CI=true a missing binary is a failure (.ci/run installs the package);
 * otherwise the test is skipped with a loud message, like the corpus tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

function findBinary(name: string): string | undefined {
  const dir = process.env['PROMETHEUS_BIN_DIR'];
  if (dir !== undefined) return existsSync(join(dir, name)) ? join(dir, name) : undefined;
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

export function binaryOrSkip(t: TestContext, name: 'promtool' | 'prometheus'): string | undefined {
  const path = findBinary(name);
  if (path !== undefined) return path;
  const msg = `${name} not found (apt-get install prometheus, or set PROMETHEUS_BIN_DIR)`;
  if (process.env['CI'] === 'true') throw new Error(`${msg} (CI=true)`);
  console.warn(`\n*** SKIPPING: ${msg} ***\n`);
  t.skip(msg);
  return undefined;
}
