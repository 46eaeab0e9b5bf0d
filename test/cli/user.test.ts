import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/fixtures.js';

function cli(env: Record<string, string>, ...args: string[]) {
  const clean = { ...process.env };
  for (const k of ['DATA_DIR', 'SQLITE_PATH', 'DB_HOST', 'ENVIRONMENT']) delete clean[k];
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...clean, FORCE_COLOR: '0', ...env },
  });
}

test('user/apikey commands name their database and never create ./data/sonoteca.db silently', () => {
  const r = cli({}, 'user', 'list');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /no database at .*data\/sonoteca\.db: set DATA_DIR/);
  assert.equal(existsSync(join(process.cwd(), 'data', 'sonoteca.db')), false);
  const k = cli({}, 'apikey', 'list');
  assert.equal(k.status, 2, k.stderr);

  const dataDir = tempDir('sonoteca-user-');
  const ok = cli({ DATA_DIR: dataDir }, 'user', 'list');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, new RegExp(`database: SQLite ${join(dataDir, 'sonoteca.db')}`));
});
