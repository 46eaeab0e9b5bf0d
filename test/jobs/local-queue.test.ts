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
