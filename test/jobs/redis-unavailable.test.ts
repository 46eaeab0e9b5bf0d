/**
 * Redis going away, without touching the shared server: an unreachable port (127.0.0.1:1), and a
 * private `redis-server` child on a free port that this test kills and restarts (append-only file
 * in a temp dir, so queued jobs survive the restart like on a production Redis with AOF).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { SonoError } from '../../src/errors.js';
import { createQueue } from '../../src/jobs/create-queue.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import { TEST_TIMING } from './queue-backends.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isQueueDown(e: unknown): boolean {
  return e instanceof SonoError && e.code === 'SONO_ERR_QUEUE_UNAVAILABLE' && e.retryable;
}

async function waitFor(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

function redisServerOrSkip(t: TestContext): boolean {
  if (spawnSync('redis-server', ['--version']).status === 0) return true;
  if (process.env['CI'] === 'true') throw new Error('redis-server not installed (CI=true)');
  console.warn('\n*** SKIPPING: no redis-server binary to start a private server ***\n');
  t.skip('no redis-server');
  return false;
}

function startRedis(port: number, dir: string): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ],
    { stdio: 'ignore' },
  );
}

async function pingUntil(q: JobQueue, ok: boolean): Promise<void> {
  await waitFor(`ping ${ok ? 'up' : 'down'}`, async () => (await q.ping()).ok === ok);
}

describe('redis unavailable', () => {
  it('an unreachable Redis: ping down, coded errors, a worker that does not crash', async () => {
    const q = await createQueue({
      kind: 'bullmq',
      redis: { host: '127.0.0.1', port: 1 },
      prefix: 'sonotest-unreachable',
      timing: TEST_TIMING,
    });
    const errors: string[] = [];
    q.on('backendError', (e) => errors.push(e.code));
    try {
      const h = await q.ping();
      assert.equal(h.ok, false);
      assert.equal(h.error?.code, 'SONO_ERR_QUEUE_UNAVAILABLE');
      await assert.rejects(q.enqueue({ taskId: 'a' }), isQueueDown);
      await assert.rejects(q.counts(), isQueueDown);
      await assert.rejects(q.cancel('a'), isQueueDown);
      const w = q.startWorker(async () => undefined, { concurrency: 1 });
      await sleep(300);
      await w.close({ graceful: false });
      assert.ok(errors.every((c) => c === 'SONO_ERR_QUEUE_UNAVAILABLE'));
    } finally {
      await q.close();
    }
  });

  it('a Redis that goes away and comes back: errors while down, work resumes after', async (t) => {
    if (!redisServerOrSkip(t)) return;
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sono-redis-'));
    let server = startRedis(port, dir);
    const q = await createQueue({
      kind: 'bullmq',
      redis: { host: '127.0.0.1', port },
      prefix: 'sonotest-restart',
      timing: TEST_TIMING,
    });
    try {
      await pingUntil(q, true);
      const done: string[] = [];
      const w = q.startWorker(async (job) => void done.push(job.taskId), { concurrency: 1 });
      await q.enqueue({ taskId: 'before' });
      await waitFor('first job', () => done.includes('before'));

      await w.close({ graceful: true });
      await q.enqueue({ taskId: 'queued-across-outage' }); // no worker: it waits in Redis

      const exited = once(server, 'exit');
      server.kill('SIGKILL');
      await exited;
      await pingUntil(q, false);
      const down = await q.ping();
      assert.equal(down.error?.code, 'SONO_ERR_QUEUE_UNAVAILABLE');
      await assert.rejects(q.enqueue({ taskId: 'during' }), isQueueDown);
      await assert.rejects(q.counts(), isQueueDown);
      // A worker started while Redis is down waits for it instead of crashing.
      const w2 = q.startWorker(async (job) => void done.push(job.taskId), { concurrency: 1 });
      await sleep(300);

      server = startRedis(port, dir);
      await pingUntil(q, true);
      await q.enqueue({ taskId: 'after' });
      await waitFor(
        'jobs after the outage',
        () => done.includes('queued-across-outage') && done.includes('after'),
        30_000,
      );
      await w2.close({ graceful: true });
      assert.deepEqual(done.filter((d) => d === 'queued-across-outage').length, 1);
      assert.equal(done.includes('during'), false);
    } finally {
      await q.close();
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
