/** Several processes starting at once on a fresh database must all come up (migration race). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { createDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import type { DatabaseConfig, Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/fixtures.js';
import { dropSchema, pgConfig } from './store-backends.js';

const TABLES = [
  'api_keys',
  'audit_log',
  'batches',
  'jobs',
  'maxxi_deliveries',
  'results',
  'tasks',
  'users',
];

async function concurrentStart(config: DatabaseConfig): Promise<void> {
  const stores = await Promise.allSettled([1, 2, 3].map(() => createDatabase(config)));
  const ok = stores.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    assert.deepEqual(
      stores.map((s) => (s.status === 'fulfilled' ? 'ok' : String(s.reason))),
      ['ok', 'ok', 'ok'],
    );
    const store = ok[0] as Store;
    const tables = (await store.db.introspection.getTables())
      .map((t) => t.name)
      .filter((n) => !n.startsWith('kysely_'))
      .sort();
    assert.deepEqual(tables, TABLES);
    const applied = await store.db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute();
    assert.deepEqual(
      applied.map((r) => (r as { name: string }).name),
      Object.keys(MIGRATIONS),
    );
  } finally {
    await Promise.all(ok.map((s) => s.close()));
  }
}

it('three processes migrating a fresh SQLite file at once all start', async () => {
  const dir = tempDir('sono-migrate-');
  try {
    await concurrentStart({ kind: 'sqlite', file: join(dir, 'fresh.db') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('three processes migrating a fresh PostgreSQL schema at once all start', async () => {
  const schema = `sonotest_m${randomBytes(6).toString('hex')}`;
  try {
    await concurrentStart(pgConfig(schema));
  } finally {
    await dropSchema(schema);
  }
});
