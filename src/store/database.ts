/**
 * `createDatabase(config)`: the one entry point to storage. SQLite (a file, the embedded default)
 * or PostgreSQL (`DB_HOST` set), same migrations, same repositories, same error behaviour:
 * while the database is unreachable every operation throws `SONO_ERR_DB_UNAVAILABLE`
 * (retryable) and `ping()` reports it; the PostgreSQL pool reconnects by itself when it returns.
 *
 * @example
 * const store = await createDatabase({ kind: 'sqlite', file: 'data/sonoteca.db' });
 * const task = await store.tasks.create({ processingType: 'comprehensive', sourcePath: p });
 */
import { Kysely, sql } from 'kysely';
import { toSonoError } from '../errors.js';
import { guardDialect, isStaleConnectionError } from './guard.js';
import { migrateToLatest } from './migrations/index.js';
import {
  checkSchemaName,
  createPostgresDialect,
  DEFAULT_POOL_MAX,
} from './postgres/postgres-dialect.js';
import { createApiKeysRepository } from './repositories/api-keys.js';
import { createAuditRepository } from './repositories/audit.js';
import { createBatchesRepository } from './repositories/batches.js';
import { createFingerprintsRepository } from './repositories/fingerprints.js';
import { createMaxxiRepository } from './repositories/maxxi.js';
import { createResultsRepository } from './repositories/results.js';
import { createReviewsRepository } from './repositories/reviews.js';
import { createTasksRepository } from './repositories/tasks.js';
import { createUsersRepository } from './repositories/users.js';
import { createVoicesRepository } from './repositories/voices.js';
import { createSqliteDialect } from './sqlite/sqlite-dialect.js';
import type { ComponentHealth, DatabaseConfig, DatabaseSchema, Store } from './types.js';

export type { DatabaseConfig, Store } from './types.js';

export interface CreateDatabaseOptions {
  /** Apply pending migrations before returning. @defaultValue true */
  readonly migrate?: boolean;
  /** Errors of idle PostgreSQL connections (logged by the caller; the pool recovers). */
  readonly onPoolError?: (err: Error) => void;
}

export async function createDatabase(
  config: DatabaseConfig,
  opts: CreateDatabaseOptions = {},
): Promise<Store> {
  const frozen = Object.freeze({ ...config });
  let db: Kysely<DatabaseSchema>;
  if (frozen.kind === 'sqlite') {
    const { dialect } = createSqliteDialect({
      file: frozen.file,
      ...(frozen.busyTimeoutMs !== undefined ? { busyTimeoutMs: frozen.busyTimeoutMs } : {}),
    });
    db = new Kysely<DatabaseSchema>({ dialect: guardDialect(dialect) });
  } else {
    const { dialect } = createPostgresDialect({ ...frozen, onPoolError: opts.onPoolError });
    db = new Kysely<DatabaseSchema>({ dialect: guardDialect(dialect) });
  }

  let migrated: Promise<void> | undefined;
  const migrate = (): Promise<void> => {
    // Processes starting together on a fresh database race (SQLite has no migration lock, and
    // `create schema if not exists` is not atomic in PostgreSQL): the loser fails once the winner
    // committed, so a failure is retried — the next run finds nothing to do.
    const once = async (): Promise<void> => {
      if (frozen.kind === 'postgres' && frozen.schema) {
        const schema = sql.id(checkSchemaName(frozen.schema));
        await sql`create schema if not exists ${schema}`.execute(db);
      }
      await migrateToLatest(
        db,
        frozen.kind === 'postgres' ? { schema: frozen.schema ?? 'public' } : {},
      );
    };
    migrated ??= (async () => {
      for (let i = 1; ; i++) {
        try {
          return await once();
        } catch (e) {
          if (i >= 3) throw e;
          await new Promise((r) => setTimeout(r, 100 * i));
        }
      }
    })().catch((e: unknown) => {
      migrated = undefined; // allow a later retry (e.g. the database was down at start-up)
      throw e;
    });
    return migrated;
  };

  const store: Store = {
    kind: frozen.kind,
    db,
    tasks: createTasksRepository(db),
    results: createResultsRepository(db),
    users: createUsersRepository(db),
    apiKeys: createApiKeysRepository(db),
    audit: createAuditRepository(db),
    batches: createBatchesRepository(db),
    maxxi: createMaxxiRepository(db),
    fingerprints: createFingerprintsRepository(db),
    reviews: createReviewsRepository(db),
    voices: createVoicesRepository(db),
    migrate,
    async ping(): Promise<ComponentHealth> {
      const t0 = performance.now();
      // A pooled connection the server has just terminated fails once before the pool discards it;
      // such stale connections (one per pool slot at most) must not make the health probe report
      // the database down, so that failure alone is retried on the next connection. A database
      // that cannot be reached (refused, timed out) fails at once, without retries.
      const tries = frozen.kind === 'postgres' ? (frozen.poolMax ?? DEFAULT_POOL_MAX) + 1 : 1;
      for (let i = 1; ; i++) {
        try {
          await sql`select 1`.execute(db);
          return { ok: true, latencyMs: performance.now() - t0 };
        } catch (e) {
          const err = toSonoError(e);
          if (i < tries && isStaleConnectionError(e)) {
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          return {
            ok: false,
            latencyMs: performance.now() - t0,
            error: { code: err.code, message: err.message },
          };
        }
      }
    },
    close: () => db.destroy(),
  };
  if (opts.migrate ?? true) {
    try {
      await migrate();
    } catch (e) {
      await db.destroy().catch(() => undefined);
      throw e;
    }
  }
  return Object.freeze(store);
}
