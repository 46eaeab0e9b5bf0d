/** Initial schema: users, api_keys, batches, tasks, results, audit_log, maxxi_deliveries, jobs. */
import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

// Migrations must not depend on today's table types, so they use Kysely<unknown>-style `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

function isPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export const migration001: Migration = {
  async up(db: AnyDb): Promise<void> {
    const pg = isPostgres(db);
    // Auto-increment differs: SQLite's INTEGER PRIMARY KEY AUTOINCREMENT vs PostgreSQL's BIGSERIAL.
    const serialType = pg ? 'bigserial' : 'integer';

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) =>
        c.notNull().check(sqlIn('role', ['admin', 'archivist', 'viewer'], db)),
      )
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) =>
        c.notNull().check(sqlIn('role', ['admin', 'archivist', 'viewer'], db)),
      )
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('api_keys_prefix').on('api_keys').column('prefix').execute();

    await db.schema
      .createTable('batches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('submitted_by', 'text')
      .addColumn('processing_type', 'text')
      .addColumn('task_count', 'integer', (c) => c.notNull())
      .addColumn('label', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('results')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('processing_type', 'text', (c) => c.notNull())
      .addColumn('analyzers_key', 'text', (c) => c.notNull())
      .addColumn('schema_version', 'text', (c) => c.notNull())
      .addColumn('report', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('results_content_key', ['sha256', 'processing_type', 'analyzers_key'])
      .execute();

    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('batch_id', 'text', (c) => c.references('batches.id').onDelete('set null'))
      .addColumn('status', 'text', (c) =>
        c
          .notNull()
          .check(sqlIn('status', ['queued', 'processing', 'completed', 'failed', 'cancelled'], db)),
      )
      .addColumn('processing_type', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('progress', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('source_path', 'text', (c) => c.notNull())
      .addColumn('original_name', 'text')
      .addColumn('size_bytes', 'bigint')
      .addColumn('sha256', 'text')
      .addColumn('mime', 'text')
      .addColumn('submitted_by', 'text')
      .addColumn('result_id', 'text', (c) => c.references('results.id').onDelete('set null'))
      .addColumn('cached_from_task_id', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('external_ids', 'text')
      .addColumn('options', 'text')
      .addColumn('duration_sec', 'double precision')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('completed_at', 'text')
      .addColumn('processing_time_sec', 'double precision')
      .execute();
    await db.schema
      .createIndex('tasks_created')
      .on('tasks')
      .columns(['created_at', 'id'])
      .execute();
    await db.schema.createIndex('tasks_status').on('tasks').column('status').execute();
    await db.schema.createIndex('tasks_batch').on('tasks').column('batch_id').execute();
    await db.schema.createIndex('tasks_sha256').on('tasks').column('sha256').execute();
    await db.schema.createIndex('tasks_submitted_by').on('tasks').column('submitted_by').execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', serialType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) =>
        c.notNull().check(sqlIn('actor_kind', ['user', 'api_key', 'system'], db)),
      )
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('details', 'text')
      .addColumn('ip', 'text')
      .execute();
    await db.schema
      .createIndex('audit_target')
      .on('audit_log')
      .columns(['target_type', 'target_id'])
      .execute();

    await db.schema
      .createTable('maxxi_deliveries')
      .addColumn('task_id', 'text', (c) =>
        c.primaryKey().references('tasks.id').onDelete('cascade'),
      )
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('external_state', 'text')
      .addColumn('delivered_at', 'text')
      .addColumn('webhook_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('jobs')
      .addColumn('seq', serialType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('task_id', 'text', (c) => c.notNull().unique())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) =>
        c.notNull().check(sqlIn('state', ['waiting', 'active', 'completed', 'failed'], db)),
      )
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('run_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_token', 'text')
      .addColumn('lease_expires_ms', 'bigint')
      .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('progress', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error_code', 'text')
      .addColumn('last_error_message', 'text')
      .addColumn('created_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_ms', 'bigint', (c) => c.notNull())
      .addColumn('finished_ms', 'bigint')
      .execute();
    await db.schema
      .createIndex('jobs_claim')
      .on('jobs')
      .columns(['state', 'priority', 'seq'])
      .execute();
  },

  async down(db: AnyDb): Promise<void> {
    for (const t of [
      'jobs',
      'maxxi_deliveries',
      'audit_log',
      'tasks',
      'results',
      'batches',
      'api_keys',
      'users',
    ]) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};

/** `column IN ('a', 'b')` for CHECK constraints (values are constants of this file). */
function sqlIn(column: string, values: readonly string[], db: AnyDb) {
  void db;
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);
}
