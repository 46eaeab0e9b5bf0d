/**
 * The one conformance suite every queue backend must pass (local database queue, BullMQ on
 * Redis). Timing knobs are small (lease 1.5 s, backoff base 40 ms) so crash recovery is quick;
 * nothing here asserts speed — waits only bound how long we are willing to wait for an event.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { SonoError } from '../../src/errors.js';
import {
  abortKindOf,
  type JobQueue,
  type QueueEventMap,
  type WorkerEventMap,
} from '../../src/jobs/queue.js';
import {
  freshSpec,
  openQueue,
  type BackendName,
  type OpenedQueue,
  type QueueSpec,
} from './queue-backends.js';

// The local queue runs on SQLite by default and on PostgreSQL when DB_HOST is set without Redis.
const BACKENDS = ['local-sqlite', 'local-postgres', 'bullmq'] as const;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves when `pred()` holds; fails after `timeoutMs`. */
async function waitFor(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function collect<E extends keyof QueueEventMap>(q: JobQueue, event: E): QueueEventMap[E][] {
  const out: QueueEventMap[E][] = [];
  q.on(event, (p) => out.push(p));
  return out;
}

async function withQueue(
  backend: BackendName,
  fn: (q: JobQueue, spec: QueueSpec, opened: OpenedQueue) => Promise<void>,
): Promise<void> {
  const { spec, cleanup } = freshSpec(backend);
  const opened = await openQueue(spec);
  try {
    await fn(opened.queue, spec, opened);
  } finally {
    await opened.close();
    await cleanup();
  }
}

interface Child {
  readonly proc: ChildProcess;
  readonly lines: Record<string, unknown>[];
}

function spawnWorker(spec: QueueSpec, holdMs: number): Child {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/jobs/fixtures/queue-worker.ts', JSON.stringify(spec)],
    { env: { ...process.env, HOLD_MS: String(holdMs) }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not ours
    }
  });
  return { proc, lines };
}

const has = (c: Child, event: string, taskId?: string) =>
  c.lines.some((l) => l['event'] === event && (taskId === undefined || l['taskId'] === taskId));

// The backends run side by side (their tests mostly wait on leases); tests of one backend in turn.
describe('queue conformance', { concurrency: BACKENDS.length }, () => {
  for (const backend of BACKENDS) {
    describe(`queue conformance: ${backend}`, { concurrency: false }, () => {
      it('runs higher priority first, FIFO within a priority', async () => {
        await withQueue(backend, async (q) => {
          const plan: [string, number][] = [
            ['p0-a', 0],
            ['p5-a', 5],
            ['pm1', -1],
            ['p5-b', 5],
            ['p10', 10],
            ['p0-b', 0],
          ];
          for (const [taskId, priority] of plan) await q.enqueue({ taskId, priority });
          const order: string[] = [];
          const w = q.startWorker(
            async (job) => {
              order.push(job.taskId);
            },
            { concurrency: 1 },
          );
          await waitFor('all jobs', () => order.length === plan.length);
          await w.close({ graceful: true });
          assert.deepEqual(order, ['p10', 'p5-a', 'p5-b', 'p0-a', 'p0-b', 'pm1']);
          const c = await q.counts();
          assert.equal(c.completed, plan.length);
          assert.equal(c.waiting + c.active + c.delayed + c.failed, 0);
        });
      });

      it('refuses bad parameters with coded errors naming them', async () => {
        await withQueue(backend, async (q) => {
          const named = (name: string) => (e: unknown) =>
            e instanceof SonoError &&
            e.code === 'SONO_ERR_INVALID_PARAMETER' &&
            e.details['name'] === name;
          await assert.rejects(q.enqueue({ taskId: 'a', priority: 1.5 }), named('priority'));
          await assert.rejects(q.enqueue({ taskId: 'a', priority: 2_000_000 }), named('priority'));
          await assert.rejects(q.enqueue({ taskId: 'a', maxAttempts: 0 }), named('maxAttempts'));
          assert.throws(
            () => q.startWorker(async () => undefined, { concurrency: 0 }),
            named('concurrency'),
          );
          assert.equal((await q.counts()).waiting, 0);
        });
      });

      it('enqueue is idempotent while the job is queued', async () => {
        await withQueue(backend, async (q) => {
          await q.enqueue({ taskId: 'dup', priority: 1 });
          await q.enqueue({ taskId: 'dup', priority: 1 });
          assert.equal((await q.counts()).waiting, 1);
          const runs: string[] = [];
          const w = q.startWorker(async (j) => void runs.push(j.taskId), { concurrency: 2 });
          await waitFor('completion', async () => (await q.counts()).completed === 1);
          await sleep(100);
          await w.close({ graceful: true });
          assert.deepEqual(runs, ['dup']);
        });
      });

      it('retries transient failures with exponential backoff, then fails', async () => {
        await withQueue(backend, async (q) => {
          const failed = collect(q, 'failed');
          const retrying = collect(q, 'retrying');
          const calls: { attempt: number; max: number; at: number }[] = [];
          const w = q.startWorker(
            async (job) => {
              calls.push({ attempt: job.attempt, max: job.maxAttempts, at: Date.now() });
              throw new Error('flaky disk');
            },
            { concurrency: 1 },
          );
          await q.enqueue({ taskId: 'always-fails', maxAttempts: 3 });
          await waitFor('final failure', () => failed.length === 1);
          await w.close({ graceful: true });
          assert.deepEqual(
            calls.map((c) => [c.attempt, c.max]),
            [
              [1, 3],
              [2, 3],
              [3, 3],
            ],
          );
          // Backoff: the waits are at least base·2^(attempt-1) = 40 ms, 80 ms.
          assert.ok(calls[1]!.at - calls[0]!.at >= 40 - 5, 'first backoff >= 40 ms');
          assert.ok(calls[2]!.at - calls[1]!.at >= 80 - 5, 'second backoff >= 80 ms');
          assert.deepEqual(
            retrying.map((r) => [r.attempt, r.delayMs]),
            [
              [1, 40],
              [2, 80],
            ],
          );
          assert.equal(failed[0]!.taskId, 'always-fails');
          assert.equal(failed[0]!.error.code, 'SONO_ERR_INTERNAL');
          assert.match(failed[0]!.error.message, /flaky disk/);
          assert.equal((await q.counts()).failed, 1);
        });
      });

      it('a retry can succeed', async () => {
        await withQueue(backend, async (q) => {
          const completed = collect(q, 'completed');
          const w = q.startWorker(
            async (job) => {
              if (job.attempt === 1)
                throw new SonoError('SONO_ERR_READ_FAILED', { path: 'x', detail: 'EIO' });
            },
            { concurrency: 1 },
          );
          await q.enqueue({ taskId: 'second-time-lucky' });
          await waitFor('completion', () => completed.length === 1);
          await w.close({ graceful: true });
          assert.deepEqual(completed[0], { taskId: 'second-time-lucky', attempt: 2 });
        });
      });

      it('does not retry a non-retryable SonoError (corrupt audio)', async () => {
        await withQueue(backend, async (q) => {
          const failed = collect(q, 'failed');
          let calls = 0;
          const wEvents: WorkerEventMap['failed'][] = [];
          const w = q.startWorker(
            async () => {
              calls++;
              throw new SonoError('SONO_ERR_DECODE_FAILED', { detail: 'invalid data found' });
            },
            { concurrency: 1 },
          );
          w.on('failed', (e) => wEvents.push(e));
          await q.enqueue({ taskId: 'corrupt', maxAttempts: 5 });
          await waitFor('failure', () => failed.length === 1);
          await sleep(200); // a wrong retry would show up here
          await w.close({ graceful: true });
          assert.equal(calls, 1);
          assert.equal(failed[0]!.error.code, 'SONO_ERR_DECODE_FAILED');
          assert.equal(wEvents.length, 1);
          assert.equal(wEvents[0]!.willRetry, false);
        });
      });

      it('emits progress events', async () => {
        await withQueue(backend, async (q) => {
          const progress = collect(q, 'progress');
          const completed = collect(q, 'completed');
          const w = q.startWorker(
            async (_job, ctx) => {
              for (const f of [0.25, 0.5, 2]) {
                await ctx.progress(f);
                await sleep(30);
              }
            },
            { concurrency: 1 },
          );
          await q.enqueue({ taskId: 'progressing' });
          await waitFor('completion', () => completed.length === 1);
          await waitFor('progress events', () => progress.length >= 3);
          await w.close({ graceful: true });
          assert.deepEqual(
            progress.map((p) => [p.taskId, p.fraction]),
            [
              ['progressing', 0.25],
              ['progressing', 0.5],
              ['progressing', 1], // clamped
            ],
          );
        });
      });

      it('cancels a queued job (removed) and a running job (signal aborted)', async () => {
        await withQueue(backend, async (q) => {
          const failed = collect(q, 'failed');
          await q.enqueue({ taskId: 'queued-then-cancelled' });
          assert.equal(await q.cancel('queued-then-cancelled'), true);
          assert.equal(await q.cancel('no-such-task'), false);
          assert.equal((await q.counts()).waiting, 0);

          const ran: string[] = [];
          let abortKind: string | undefined;
          const w = q.startWorker(
            async (job, ctx) => {
              ran.push(job.taskId);
              await new Promise<void>((resolve) =>
                ctx.signal.addEventListener('abort', () => resolve()),
              );
              abortKind = abortKindOf(ctx.signal);
              throw new SonoError('SONO_ERR_CANCELLED', { detail: 'stopped' });
            },
            { concurrency: 1 },
          );
          await q.enqueue({ taskId: 'running-then-cancelled', maxAttempts: 3 });
          await waitFor('start', () => ran.length === 1);
          assert.equal(await q.cancel('running-then-cancelled'), true);
          await waitFor('failure', () => failed.length === 1);
          await sleep(150);
          await w.close({ graceful: true });
          assert.deepEqual(ran, ['running-then-cancelled']);
          assert.equal(abortKind, 'cancelled');
          assert.equal(failed[0]!.error.code, 'SONO_ERR_CANCELLED');
          assert.equal(await q.cancel('running-then-cancelled'), false);
        });
      });

      it('graceful close lets the running job finish; non-graceful close requeues it', async () => {
        await withQueue(backend, async (q) => {
          const completed = collect(q, 'completed');
          let started = 0;
          const w1 = q.startWorker(
            async () => {
              started++;
              await sleep(300);
            },
            { concurrency: 1 },
          );
          await q.enqueue({ taskId: 'finishes' });
          await waitFor('start', () => started === 1);
          await w1.close({ graceful: true });
          assert.deepEqual(completed, [{ taskId: 'finishes', attempt: 1 }]);

          const seen: { attempt: number; abort?: string }[] = [];
          const w2 = q.startWorker(
            async (job, ctx) => {
              seen.push({ attempt: job.attempt });
              await new Promise<void>((resolve) => {
                const t = setTimeout(resolve, 60_000);
                ctx.signal.addEventListener('abort', () => {
                  clearTimeout(t);
                  resolve();
                });
              });
              seen[seen.length - 1]!.abort = abortKindOf(ctx.signal);
            },
            { concurrency: 1 },
          );
          await q.enqueue({ taskId: 'requeued' });
          await waitFor('start', () => seen.length === 1);
          await w2.close({ graceful: false });
          assert.equal(seen[0]!.abort, 'requeued');
          const c = await q.counts();
          assert.equal(c.waiting, 1, 'the interrupted job is back in the queue');
          assert.equal(c.active, 0);

          const w3 = q.startWorker(async (job) => void seen.push({ attempt: job.attempt }), {
            concurrency: 1,
          });
          await waitFor('requeued completion', () => completed.length === 2);
          await w3.close({ graceful: true });
          assert.equal(completed[1]!.taskId, 'requeued');
          assert.equal(seen[1]!.attempt, 1, 'the interrupted attempt does not count');
        });
      });

      it('several workers share the work without running a job twice', async () => {
        await withQueue(backend, async (q) => {
          const n = 24;
          for (let i = 0; i < n; i++) await q.enqueue({ taskId: `share-${i}` });
          const runs = new Map<string, string[]>();
          const byWorker = new Map<string, number>();
          const workers = ['w1', 'w2', 'w3'].map((id) =>
            q.startWorker(
              async (job) => {
                runs.set(job.taskId, [...(runs.get(job.taskId) ?? []), id]);
                byWorker.set(id, (byWorker.get(id) ?? 0) + 1);
                await sleep(40);
              },
              { concurrency: 2, workerId: id },
            ),
          );
          await waitFor('all done', async () => (await q.counts()).completed === n);
          await Promise.all(workers.map((w) => w.close({ graceful: true })));
          assert.equal(runs.size, n);
          for (const [taskId, who] of runs)
            assert.equal(who.length, 1, `${taskId} ran ${who.length}×`);
          assert.ok(byWorker.size >= 2, `work was shared: ${JSON.stringify([...byWorker])}`);
        });
      });

      it('recovers a stalled job (frozen worker) and completes it exactly once', async () => {
        await withQueue(backend, async (q, spec) => {
          const child = spawnWorker(spec, 2500);
          try {
            await waitFor('child ready', () => has(child, 'ready'), 30_000);
            await q.enqueue({ taskId: 'frozen' });
            await waitFor('child started the job', () => has(child, 'started', 'frozen'));
            child.proc.kill('SIGSTOP'); // stops heartbeating, keeps its claim
            const mine: WorkerEventMap['completed'][] = [];
            const w = q.startWorker(async () => undefined, { concurrency: 1 });
            w.on('completed', (e) => mine.push(e));
            await waitFor('reclaimed completion', () => mine.length === 1);
            child.proc.kill('SIGCONT');
            // The thawed child finishes its handler late; its outcome must be refused.
            await waitFor('child handler returned', () => has(child, 'returned', 'frozen'));
            await sleep(500);
            await w.close({ graceful: true });
            assert.equal(has(child, 'completed', 'frozen'), false, 'child must not complete it');
            assert.equal(mine.length, 1);
            const c = await q.counts();
            assert.equal(c.completed, 1);
            assert.equal(c.active + c.waiting + c.delayed + c.failed, 0);
          } finally {
            child.proc.kill('SIGKILL');
          }
        });
      });

      it('a worker process killed with SIGKILL mid-job: the job still completes exactly once, as attempt 2', async () => {
        await withQueue(backend, async (q, spec) => {
          const child = spawnWorker(spec, 60_000);
          await waitFor('child ready', () => has(child, 'ready'), 30_000);
          await q.enqueue({ taskId: 'killed-mid-job' });
          await waitFor('child started the job', () => has(child, 'started', 'killed-mid-job'));
          assert.equal((await q.counts()).active, 1);
          const exited = once(child.proc, 'exit');
          child.proc.kill('SIGKILL');
          await exited;
          const mine: WorkerEventMap['completed'][] = [];
          const attempts: number[] = [];
          const w = q.startWorker(async (job) => void attempts.push(job.attempt), {
            concurrency: 1,
          });
          w.on('completed', (e) => mine.push(e));
          await waitFor('recovered completion', () => mine.length === 1);
          await sleep(300);
          await w.close({ graceful: true });
          assert.equal(mine.length, 1);
          assert.equal(attempts.length, 1, 'the surviving worker ran it once');
          // The killed run counts: attempt 2 on every backend.
          assert.deepEqual(attempts, [2]);
          assert.equal(mine[0]!.attempt, 2);
          assert.equal(has(child, 'completed'), false);
          const c = await q.counts();
          assert.equal(c.completed, 1);
          assert.equal(c.active + c.waiting + c.delayed + c.failed, 0);
        });
      });

      it('a job whose every worker is killed: each killed run is an attempt, then SONO_ERR_TIMEOUT', async () => {
        await withQueue(backend, async (q, spec) => {
          const failed = collect(q, 'failed');
          await q.enqueue({ taskId: 'always-killed', maxAttempts: 2 });
          const started: number[] = [];
          for (let run = 1; run <= 2; run++) {
            const child = spawnWorker(spec, 60_000);
            try {
              await waitFor(
                `run ${run} started`,
                () => has(child, 'started', 'always-killed'),
                30_000,
              );
              started.push(child.lines.find((l) => l['event'] === 'started')!['attempt'] as number);
            } finally {
              const exited = once(child.proc, 'exit');
              child.proc.kill('SIGKILL');
              await exited;
            }
          }
          assert.deepEqual(started, [1, 2], 'the killed runs are attempts 1 and 2');
          const ran: number[] = [];
          const w = q.startWorker(async (job) => void ran.push(job.attempt), { concurrency: 1 });
          try {
            await waitFor('gave up', () => failed.length === 1, 30_000);
          } finally {
            await w.close({ graceful: true });
          }
          assert.deepEqual(ran, [], 'no third run after the last attempt');
          assert.equal(failed[0]!.taskId, 'always-killed');
          assert.equal(failed[0]!.error.code, 'SONO_ERR_TIMEOUT');
          assert.equal((await q.counts()).failed, 1);
        });
      });
    });
  }
});
