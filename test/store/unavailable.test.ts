/**
 * The database going away, without disturbing the shared servers other tests use: an unreachable
 * port (127.0.0.1:1), and this test's own PostgreSQL connections terminated with
 * pg_terminate_backend. Operations must fail with SONO_ERR_DB_UNAVAILABLE (retryable), ping()
 * must say so, nothing may crash, and the pool must serve queries again afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { tempDir } from '../helpers/fixtures.js';
import { SonoError } from '../../src/errors.js';
import { createQueue } from '../../src/jobs/create-queue.js';
import { createDatabase } from '../../src/store/database.js';
import { dropSchema, pgConfig, pgUrl } from './store-backends.js';

const unreachable = { ...pgConfig(), host: '127.0.0.1', port: 1 };

function isCode(code: string) {
  return (e: unknown) => e instanceof SonoError && e.code === code && e.retryable;
}

describe('database unavailable', () => {
  it('SQLite locked by another process beyond the busy timeout: coded error, then writes work', async () => {
    const dir = tempDir('sono-sqlite-busy-');
    const file = join(dir, 'db.sqlite');
    const store = await createDatabase({ kind: 'sqlite', file, busyTimeoutMs: 100 });
    const other = new BetterSqlite3(file);
    try {
      other.exec('BEGIN EXCLUSIVE');
      other.prepare("insert into batches (id, task_count, created_at) values ('b', 0, 'x')").run();
      await assert.rejects(
        store.tasks.create({ processingType: 'technical', sourcePath: '/a.wav' }),
        isCode('SONO_ERR_DB_UNAVAILABLE'),
      );
      other.exec('ROLLBACK');
      const t = await store.tasks.create({ processingType: 'technical', sourcePath: '/a.wav' });
      assert.equal((await store.tasks.get(t.id))?.status, 'queued');
    } finally {
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unreachable PostgreSQL: coded errors, ping down, no crash', async () => {
    await assert.rejects(createDatabase(unreachable), isCode('SONO_ERR_DB_UNAVAILABLE'));
    const store = await createDatabase(unreachable, { migrate: false });
    try {
      const h = await store.ping();
      assert.equal(h.ok, false);
      assert.equal(h.error?.code, 'SONO_ERR_DB_UNAVAILABLE');
      await assert.rejects(store.tasks.get('x'), isCode('SONO_ERR_DB_UNAVAILABLE'));
      await assert.rejects(
        store.tasks.create({ processingType: 'technical', sourcePath: '/a.wav' }),
        isCode('SONO_ERR_DB_UNAVAILABLE'),
      );
      await assert.rejects(store.migrate(), isCode('SONO_ERR_DB_UNAVAILABLE'));
    } finally {
      await store.close();
    }
  });

  it('the local queue on an unreachable database: queue errors, ping down, worker survives', async () => {
    const store = await createDatabase(unreachable, { migrate: false });
    const queue = await createQueue({
      kind: 'local',
      store,
      timing: { pollIntervalMs: 20, leaseMs: 600 },
    });
    try {
      const h = await queue.ping();
      assert.equal(h.ok, false);
      assert.equal(h.error?.code, 'SONO_ERR_QUEUE_UNAVAILABLE');
      await assert.rejects(queue.enqueue({ taskId: 't1' }), isCode('SONO_ERR_QUEUE_UNAVAILABLE'));
      await assert.rejects(queue.counts(), isCode('SONO_ERR_QUEUE_UNAVAILABLE'));
      await assert.rejects(queue.cancel('t1'), isCode('SONO_ERR_QUEUE_UNAVAILABLE'));
      const errors: string[] = [];
      queue.on('backendError', (e) => errors.push(e.code));
      let ran = 0;
      const w = queue.startWorker(async () => void ran++, { concurrency: 1 });
      while (errors.length < 2) await new Promise((r) => setTimeout(r, 20));
      await w.close({ graceful: true });
      assert.equal(ran, 0);
      assert.ok(errors.every((c) => c === 'SONO_ERR_QUEUE_UNAVAILABLE'));
    } finally {
      await queue.close();
      await store.close();
    }
  });

  it('PostgreSQL connections terminated under the pool: coded error, then the pool recovers', async () => {
    const schema = `sonotest_${randomBytes(6).toString('hex')}`;
    const appName = `sonotest-${randomBytes(4).toString('hex')}`;
    const store = await createDatabase({
      ...pgConfig(schema),
      applicationName: appName,
      poolMax: 3,
    });
    const admin = new pg.Client({ connectionString: pgUrl() });
    await admin.connect();
    const terminate = async (): Promise<number> => {
      const r = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        [appName],
      );
      return r.rowCount ?? 0;
    };
    try {
      const t = await store.tasks.create({ processingType: 'technical', sourcePath: '/a.wav' });
      // A query in flight when its backend is terminated fails with a coded, retryable error.
      const slow = sql`select pg_sleep(10)`.execute(store.db).then(
        () => undefined,
        (e: unknown) => e,
      );
      let killed = 0;
      while (killed === 0) {
        await new Promise((r) => setTimeout(r, 50));
        killed = await terminate();
      }
      const slowError = await slow;
      assert.ok(isCode('SONO_ERR_DB_UNAVAILABLE')(slowError), `got ${String(slowError)}`);
      // Idle pooled connections are terminated too; the pool discards them and reconnects.
      await terminate();
      let ok = false;
      for (let i = 0; i < 10 && !ok; i++) {
        try {
          ok = (await store.tasks.get(t.id))?.id === t.id;
        } catch (e) {
          assert.ok(isCode('SONO_ERR_DB_UNAVAILABLE')(e), `unexpected ${String(e)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.ok(ok, 'queries work again after the connections were terminated');
      // Terminations racing with queries (checked-out clients included) never crash the process:
      // every failure is coded, and the pool keeps serving.
      for (let round = 0; round < 20; round++) {
        const gets = Array.from({ length: 4 }, () =>
          store.tasks.get(t.id).then(
            () => undefined,
            (e: unknown) => {
              assert.ok(isCode('SONO_ERR_DB_UNAVAILABLE')(e), `unexpected ${String(e)}`);
            },
          ),
        );
        await Promise.all([...gets, terminate()]);
      }
      // The health probe right after every pooled connection was terminated: the stale
      // connections are skipped, the database is reported up.
      await terminate();
      const h = await store.ping();
      assert.equal(h.ok, true, `ping after termination: ${JSON.stringify(h.error)}`);
    } finally {
      await admin.end();
      await store.close();
      await dropSchema(schema);
    }
  });
});
