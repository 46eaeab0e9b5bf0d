/** SQLite through better-sqlite3: WAL (several processes may share the file), busy timeout, foreign keys. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, type Dialect } from 'kysely';

export interface SqliteDialectOptions {
  readonly file: string;
  /** How long a writer waits for another process's lock before SQLITE_BUSY. @defaultValue 5000 */
  readonly busyTimeoutMs?: number;
}

export interface SqliteHandle {
  readonly dialect: Dialect;
  readonly native: BetterSqlite3.Database;
}

export function createSqliteDialect(opts: SqliteDialectOptions): SqliteHandle {
  if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
  const native = new BetterSqlite3(opts.file);
  native.pragma('journal_mode = WAL');
  native.pragma(`busy_timeout = ${Math.max(0, Math.round(opts.busyTimeoutMs ?? 5000))}`);
  native.pragma('foreign_keys = ON');
  // WAL + NORMAL is durable against process crashes (only a power loss may drop the last commits).
  native.pragma('synchronous = NORMAL');
  return { dialect: new SqliteDialect({ database: native }), native };
}
