/** Opens a fresh store of either dialect: a temp SQLite file, or a unique PostgreSQL schema. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase } from '../../src/store/database.js';
import type { DatabaseConfig, Store } from '../../src/store/types.js';

export function pgUrl(): string {
  return process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export function pgConfig(schema?: string): Extract<DatabaseConfig, { kind: 'postgres' }> {
  const u = new URL(pgUrl());
  return {
    kind: 'postgres',
    host: u.hostname,
    port: Number(u.port || 5432),
    database: u.pathname.replace(/^\//, '') || 'postgres',
    user: decodeURIComponent(u.username || 'postgres'),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(schema ? { schema } : {}),
  };
}

export interface FreshStore {
  readonly store: Store;
  readonly config: DatabaseConfig;
  cleanup(): Promise<void>;
}

export async function freshStore(kind: 'sqlite' | 'postgres'): Promise<FreshStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sono-store-'));
    const config: DatabaseConfig = { kind, file: join(dir, 'sonoteca.db') };
    const store = await createDatabase(config);
    return {
      store,
      config,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `sonotest_${randomBytes(6).toString('hex')}`;
  const config = pgConfig(schema);
  const store = await createDatabase(config);
  return {
    store,
    config,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl() });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}
