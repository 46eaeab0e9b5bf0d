/** What only the local (database) queue has: retention of finished jobs. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { it } from 'node:test';
import { createQueue } from '../../src/jobs/create-queue.js';
import { createDatabase } from '../../src/store/database.js';
import { tempDir } from '../helpers/fixtures.js';

it('local queue: finished jobs past the retention are pruned when a worker starts', async () => {
  const dir = tempDir('sono-local-queue-');
  const store = await createDatabase({ kind: 'sqlite', file: join(dir, 'q.db') });
  const queue = await createQueue({
    kind: 'local',
    store,
    timing: { pollIntervalMs: 10, finishedRetentionMs: 1500 },
  });
  try {
    const done: string[] = [];
    const w1 = queue.startWorker(async (j) => void done.push(j.taskId), { concurrency: 1 });
    await queue.enqueue({ taskId: 'old' });
    while (done.length < 1) await new Promise((r) => setTimeout(r, 10));
    await w1.close({ graceful: true });
    assert.equal((await queue.counts()).completed, 1);
    // Still within the retention: kept.
    const w2 = queue.startWorker(async () => undefined, { concurrency: 1 });
    await w2.close({ graceful: true });
    assert.equal((await queue.counts()).completed, 1);
    await new Promise((r) => setTimeout(r, 1600));
    const w3 = queue.startWorker(async () => undefined, { concurrency: 1 });
    await new Promise((r) => setTimeout(r, 50));
    await w3.close({ graceful: true });
    assert.equal((await queue.counts()).completed, 0);
    const rows = await store.db.selectFrom('jobs').select('task_id').execute();
    assert.deepEqual(rows, []);
  } finally {
    await queue.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('local queue: a job whose last attempt stalled fails with SONO_ERR_TIMEOUT instead of looping', async () => {
  const dir = tempDir('sono-local-queue-');
  const store = await createDatabase({ kind: 'sqlite', file: join(dir, 'q.db') });
  const queue = await createQueue({ kind: 'local', store, timing: { pollIntervalMs: 10 } });
  try {
    await queue.enqueue({ taskId: 'doomed', maxAttempts: 2 });
    // As left by a worker that died during attempt 2 of 2: active, lease expired.
    await store.db
      .updateTable('jobs')
      .set({
        state: 'active',
        attempts: 2,
        lease_owner: 'dead-worker',
        lease_token: 'dead-token',
        lease_expires_ms: Date.now() - 1,
      })
      .where('task_id', '=', 'doomed')
      .execute();
    const failed: { code: string; attempt: number }[] = [];
    queue.on('failed', (e) => failed.push({ code: e.error.code, attempt: e.attempt }));
    let ran = 0;
    const w = queue.startWorker(async () => void ran++, { concurrency: 1 });
    while (failed.length === 0) await new Promise((r) => setTimeout(r, 10));
    await w.close({ graceful: true });
    assert.deepEqual(failed, [{ code: 'SONO_ERR_TIMEOUT', attempt: 3 }]);
    assert.equal(ran, 0);
    assert.equal((await queue.counts()).failed, 1);
  } finally {
    await queue.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
