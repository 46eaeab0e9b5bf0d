/** Several processes starting at once on a fresh database must all come up (migration race). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import pg from 'pg';
import { createDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import type { DatabaseConfig, Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/fixtures.js';
import { dropSchema, pgConfig, pgUrl } from './store-backends.js';

const TABLES = [
  'api_keys',
  'audit_log',
  'batches',
  'corrections', // 003-reviews
  'fingerprint_postings',
  'fingerprints',
  'jobs',
  'maxxi_deliveries',
  'results',
  'task_reviews', // 003-reviews
  'tasks',
  'users',
  'voice_name_rejections', // 005
  'voices',
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
      // PostgreSQL lists every schema's tables: keep ours.
      .filter((t) => config.kind === 'sqlite' || t.schema === config.schema)
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
  // Another schema that already has Kysely's migration tables (another run, another app) must not
  // make the migrator believe ours exist.
  const decoy = `${schema}_decoy`;
  const admin = new pg.Client({ connectionString: pgUrl() });
  await admin.connect();
  try {
    await admin.query(
      `create schema ${decoy}; create table ${decoy}.kysely_migration_lock (id text primary key, is_locked integer); create table ${decoy}.kysely_migration (name text primary key, timestamp text)`,
    );
    await concurrentStart(pgConfig(schema));
  } finally {
    await admin.end();
    await dropSchema(schema);
    await dropSchema(decoy);
  }
});
