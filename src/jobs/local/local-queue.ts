/**
 * The embedded durable queue: jobs live in the database's `jobs` table (SQLite by default; it
 * runs on PostgreSQL too). Several processes may share one SQLite file: a claim is one atomic
 * `UPDATE … WHERE seq = (SELECT … LIMIT 1) RETURNING *` (SQLite serialises writers; on PostgreSQL
 * the subquery takes `FOR UPDATE SKIP LOCKED`). Each claim gets a fresh lease token; heartbeats
 * extend the lease; every later write is conditional on the token, so a worker that lost its lease
 * can neither complete nor fail the job (exactly-once completion).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ExpressionBuilder, Selectable } from 'kysely';
import { SonoError } from '../../errors.js';
import type { DatabaseSchema, JobsTable, Store } from '../../store/types.js';
import {
  backoffDelayMs,
  checkConcurrency,
  checkMaxAttempts,
  checkPriority,
  defaultWorkerId,
  isRetryable,
  resolveTiming,
  sleep,
  toErrorInfo,
  workerStoppedResponding,
  type ResolvedTiming,
} from '../common.js';
import {
  JobAbortError,
  abortKindOf,
  type EnqueueOptions,
  type JobErrorInfo,
  type JobHandler,
  type JobQueue,
  type QueueConfig,
  type QueueCounts,
  type QueueEventMap,
  type QueueEventName,
  type QueueWorker,
  type WorkerEventMap,
  type WorkerOptions,
} from '../queue.js';

type JobRow = Selectable<JobsTable>;

const PRUNE_PERIOD_MS = 10 * 60 * 1000;
type LocalConfig = Extract<QueueConfig, { kind: 'local' }>;

/** Database outages surface from the queue as queue outages. */
function asQueueError(e: unknown): unknown {
  if (e instanceof SonoError && e.code === 'SONO_ERR_DB_UNAVAILABLE') {
    return new SonoError('SONO_ERR_QUEUE_UNAVAILABLE', { detail: e.message }, { cause: e });
  }
  return e;
}

async function queueOp<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asQueueError(e);
  }
}

function claimable(now: number) {
  return (eb: ExpressionBuilder<DatabaseSchema, 'jobs'>) =>
    eb.or([
      eb.and([eb('state', '=', 'waiting'), eb('run_at_ms', '<=', now)]),
      eb.and([eb('state', '=', 'active'), eb('lease_expires_ms', '<', now)]),
    ]);
}

/** Final write of one attempt. */
type Outcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'failed'; readonly error: JobErrorInfo }
  | { readonly kind: 'retry'; readonly error: JobErrorInfo; readonly delayMs: number }
  | { readonly kind: 'requeue' }
  | { readonly kind: 'lost' };

interface Inflight {
  readonly row: JobRow;
  readonly ac: AbortController;
  done: Promise<void>;
}

class LocalQueue extends EventEmitter implements JobQueue {
  readonly backend = 'local' as const;
  private readonly store: Store;
  private readonly timing: ResolvedTiming;
  private readonly isPg: boolean;
  private readonly workers = new Set<LocalWorker>();
  /** In-process wake-ups (enqueue, a slot freed) so idle workers need not wait a poll period. */
  readonly wake = new EventEmitter();

  constructor(config: LocalConfig) {
    super();
    this.store = config.store;
    this.timing = resolveTiming(config.timing);
    this.isPg = config.store.kind === 'postgres';
    this.wake.setMaxListeners(0);
  }

  get db() {
    return this.store.db;
  }

  get settings(): ResolvedTiming {
    return this.timing;
  }

  async enqueue(opts: EnqueueOptions): Promise<void> {
    const priority = checkPriority(opts.priority);
    const maxAttempts = checkMaxAttempts(opts.maxAttempts, this.timing.defaultMaxAttempts);
    const now = Date.now();
    await queueOp(() =>
      this.db
        .insertInto('jobs')
        .values({
          task_id: opts.taskId,
          priority,
          state: 'waiting',
          attempts: 0,
          max_attempts: maxAttempts,
          run_at_ms: now,
          lease_owner: null,
          lease_token: null,
          lease_expires_ms: null,
          cancel_requested: 0,
          progress: 0,
          last_error_code: null,
          last_error_message: null,
          created_ms: now,
          updated_ms: now,
          finished_ms: null,
        })
        // Idempotent while queued or running; a finished job (completed/failed) starts afresh at
        // the end of its priority's line.
        .onConflict((oc) =>
          oc
            .column('task_id')
            .doUpdateSet({
              state: 'waiting',
              priority,
              attempts: 0,
              max_attempts: maxAttempts,
              run_at_ms: now,
              lease_owner: null,
              lease_token: null,
              lease_expires_ms: null,
              cancel_requested: 0,
              progress: 0,
              last_error_code: null,
              last_error_message: null,
              updated_ms: now,
              finished_ms: null,
            })
            .where('jobs.state', 'in', ['completed', 'failed']),
        )
        .execute(),
    );
    this.wake.emit('wake');
  }

  /** Deletes finished jobs past the retention. */
  async prune(): Promise<number> {
    const r = await this.db
      .deleteFrom('jobs')
      .where('state', 'in', ['completed', 'failed'])
      .where('finished_ms', '<', Date.now() - this.timing.finishedRetentionMs)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Atomically claims the next runnable job (highest priority, then FIFO), or undefined. */
  async claim(workerId: string): Promise<JobRow | undefined> {
    const now = Date.now();
    let next = this.db
      .selectFrom('jobs')
      .select('seq')
      .where(claimable(now))
      .orderBy('priority', 'desc')
      .orderBy('seq', 'asc')
      .limit(1);
    if (this.isPg) next = next.forUpdate().skipLocked();
    return this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'active',
        attempts: eb('attempts', '+', 1),
        lease_owner: workerId,
        lease_token: randomUUID(),
        lease_expires_ms: now + this.timing.leaseMs,
        progress: 0,
        updated_ms: now,
      }))
      .where('seq', '=', next)
      .where(claimable(now))
      .returningAll()
      .executeTakeFirst();
  }

  /** Extends a lease. Returns false when the lease was lost; `cancel` when a cancel was requested. */
  async heartbeat(row: JobRow): Promise<'ok' | 'lost' | 'cancel'> {
    const now = Date.now();
    const r = await this.db
      .updateTable('jobs')
      .set({ lease_expires_ms: now + this.timing.leaseMs, updated_ms: now })
      .where('seq', '=', row.seq)
      .where('state', '=', 'active')
      .where('lease_token', '=', row.lease_token)
      .returning('cancel_requested')
      .executeTakeFirst();
    if (!r) return 'lost';
    return r.cancel_requested ? 'cancel' : 'ok';
  }

  async setProgress(row: JobRow, fraction: number): Promise<void> {
    const p = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
    await this.db
      .updateTable('jobs')
      .set({ progress: p, updated_ms: Date.now() })
      .where('seq', '=', row.seq)
      .where('lease_token', '=', row.lease_token)
      .execute();
    this.emit('progress', { taskId: row.task_id, fraction: p });
  }

  /** Writes the outcome of an attempt if the lease is still ours. Returns false if it was not. */
  async finalize(row: JobRow, outcome: Outcome): Promise<boolean> {
    if (outcome.kind === 'lost') return false;
    const now = Date.now();
    const base = { lease_owner: null, lease_token: null, lease_expires_ms: null, updated_ms: now };
    const q = this.db.updateTable('jobs');
    const set =
      outcome.kind === 'completed'
        ? q.set({ ...base, state: 'completed', progress: 1, finished_ms: now })
        : outcome.kind === 'failed'
          ? q.set({
              ...base,
              state: 'failed',
              finished_ms: now,
              last_error_code: outcome.error.code,
              last_error_message: outcome.error.message,
            })
          : outcome.kind === 'retry'
            ? q.set({
                ...base,
                state: 'waiting',
                run_at_ms: now + outcome.delayMs,
                last_error_code: outcome.error.code,
                last_error_message: outcome.error.message,
              })
            : // requeue: the interrupted attempt does not count
              q.set((eb) => ({
                ...base,
                state: 'waiting',
                run_at_ms: now,
                attempts: eb('attempts', '-', 1),
              }));
    const r = await set
      .where('seq', '=', row.seq)
      .where('state', '=', 'active')
      .where('lease_token', '=', row.lease_token)
      .executeTakeFirst();
    const ok = Number(r.numUpdatedRows) > 0;
    if (ok && (outcome.kind === 'requeue' || outcome.kind === 'retry')) this.wake.emit('wake');
    return ok;
  }

  startWorker(handler: JobHandler, opts: WorkerOptions): QueueWorker {
    const w = new LocalWorker(this, handler, {
      concurrency: checkConcurrency(opts.concurrency),
      workerId: opts.workerId ?? defaultWorkerId(),
    });
    this.workers.add(w);
    w.onClosed = () => this.workers.delete(w);
    w.start();
    return w;
  }

  async cancel(taskId: string): Promise<boolean> {
    return queueOp(async () => {
      const removed = await this.db
        .deleteFrom('jobs')
        .where('task_id', '=', taskId)
        .where('state', '=', 'waiting')
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) > 0) return true;
      const flagged = await this.db
        .updateTable('jobs')
        .set({ cancel_requested: 1, updated_ms: Date.now() })
        .where('task_id', '=', taskId)
        .where('state', '=', 'active')
        .executeTakeFirst();
      // The worker holding it (in this or another process) sees the flag at its next heartbeat;
      // one in this process is told at once.
      for (const w of this.workers) w.abortLocal(taskId, 'cancelled');
      return Number(flagged.numUpdatedRows) > 0;
    });
  }

  async counts(): Promise<QueueCounts> {
    return queueOp(async () => {
      const now = Date.now();
      const rows = await this.db
        .selectFrom('jobs')
        .select((eb) => [
          'state',
          eb.fn.countAll<number>().as('n'),
          eb.fn
            .sum<number>(eb.case().when('run_at_ms', '>', now).then(1).else(0).end())
            .as('later'),
        ])
        .groupBy('state')
        .execute();
      const c = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 };
      for (const r of rows) {
        const n = Number(r.n);
        if (r.state === 'waiting') {
          c.delayed += Number(r.later);
          c.waiting += n - Number(r.later);
        } else {
          c[r.state] += n;
        }
      }
      return c;
    });
  }

  async ping() {
    const h = await this.store.ping();
    if (h.ok || !h.error) return h;
    return {
      ...h,
      error: {
        code: 'SONO_ERR_QUEUE_UNAVAILABLE',
        message: `Job queue unavailable: ${h.error.message}`,
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close({ graceful: false })));
    this.removeAllListeners();
  }

  emitEvent<E extends QueueEventName>(event: E, payload: QueueEventMap[E]): void {
    this.emit(event, payload);
  }
}

class LocalWorker extends EventEmitter implements QueueWorker {
  readonly workerId: string;
  private readonly concurrency: number;
  private readonly inflight = new Map<string, Inflight>();
  private closing = false;
  private readonly stop = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  onClosed: () => void = () => undefined;

  constructor(
    private readonly queue: LocalQueue,
    private readonly handler: JobHandler,
    opts: { concurrency: number; workerId: string },
  ) {
    super();
    this.workerId = opts.workerId;
    this.concurrency = opts.concurrency;
  }

  start(): void {
    this.loopDone = this.loop();
  }

  private emitW<E extends keyof WorkerEventMap>(event: E, payload: WorkerEventMap[E]): void {
    this.emit(event, payload);
  }

  /** Waits until woken (enqueue, slot freed, close) or `ms` passed. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.queue.wake.off('wake', done);
        this.stop.signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.queue.wake.on('wake', done);
      this.stop.signal.addEventListener('abort', done, { once: true });
    });
  }

  private async loop(): Promise<void> {
    const { pollIntervalMs } = this.queue.settings;
    let nextPrune = 0;
    while (!this.closing) {
      if (Date.now() >= nextPrune) {
        nextPrune = Date.now() + PRUNE_PERIOD_MS;
        await this.queue
          .prune()
          .catch((e: unknown) =>
            this.queue.emitEvent('backendError', toErrorInfo(asQueueError(e))),
          );
      }
      if (this.inflight.size >= this.concurrency) {
        await this.idle(pollIntervalMs);
        continue;
      }
      let row: JobRow | undefined;
      try {
        row = await this.queue.claim(this.workerId);
      } catch (e) {
        this.queue.emitEvent('backendError', toErrorInfo(asQueueError(e)));
        await sleep(pollIntervalMs * 4, this.stop.signal);
        continue;
      }
      if (!row) {
        await this.idle(pollIntervalMs);
        continue;
      }
      if (this.closing) {
        // Claimed during close: hand it straight back.
        await this.finalizeWithRetry(row, { kind: 'requeue' }).catch(() => undefined);
        break;
      }
      this.run(row);
    }
  }

  private run(row: JobRow): void {
    const ac = new AbortController();
    const entry: Inflight = { row, ac, done: Promise.resolve() };
    this.inflight.set(row.task_id, entry);
    entry.done = this.execute(entry).finally(() => {
      this.inflight.delete(row.task_id);
      this.queue.wake.emit('wake');
    });
  }

  private async execute({ row, ac }: Inflight): Promise<void> {
    const { heartbeatMs, backoffBaseMs } = this.queue.settings;
    const info = { taskId: row.task_id, attempt: row.attempts, maxAttempts: row.max_attempts };
    const hb = setInterval(() => {
      this.queue.heartbeat(row).then(
        (state) => {
          if (state === 'lost') ac.abort(new JobAbortError('lease_lost'));
          else if (state === 'cancel') ac.abort(new JobAbortError('cancelled'));
        },
        // A failed heartbeat (database briefly away) is retried at the next tick; if the lease
        // expires meanwhile the next heartbeat reports it lost.
        (e: unknown) => this.queue.emitEvent('backendError', toErrorInfo(asQueueError(e))),
      );
    }, heartbeatMs);
    hb.unref();

    let outcome: Outcome;
    try {
      if (row.cancel_requested) throw new JobAbortError('cancelled');
      if (row.attempts > row.max_attempts) {
        // Reclaimed after its last attempt stalled: give up instead of looping forever.
        throw workerStoppedResponding(this.queue.settings.leaseMs);
      }
      await this.handler(info, {
        signal: ac.signal,
        progress: (f) => this.queue.setProgress(row, f),
      });
      const kind = abortKindOf(ac.signal);
      outcome =
        kind === 'lease_lost'
          ? { kind: 'lost' }
          : kind === 'requeued'
            ? { kind: 'requeue' }
            : { kind: 'completed' };
    } catch (e) {
      const kind = e instanceof JobAbortError ? e.kind : abortKindOf(ac.signal);
      if (kind === 'lease_lost') outcome = { kind: 'lost' };
      else if (kind === 'requeued') outcome = { kind: 'requeue' };
      else if (kind === 'cancelled') {
        outcome = {
          kind: 'failed',
          error: toErrorInfo(
            new SonoError('SONO_ERR_CANCELLED', { detail: 'cancelled by request' }),
          ),
        };
      } else if (!isRetryable(e) || info.attempt >= info.maxAttempts) {
        outcome = { kind: 'failed', error: toErrorInfo(e) };
      } else {
        outcome = {
          kind: 'retry',
          error: toErrorInfo(e),
          delayMs: backoffDelayMs(backoffBaseMs, info.attempt),
        };
      }
    }

    let recorded: boolean;
    try {
      recorded = await this.finalizeWithRetry(row, outcome);
    } finally {
      clearInterval(hb);
    }
    if (!recorded) {
      if (outcome.kind !== 'requeue')
        this.emitW('lost', { taskId: info.taskId, attempt: info.attempt });
      return;
    }
    switch (outcome.kind) {
      case 'completed':
        this.emitW('completed', { taskId: info.taskId, attempt: info.attempt });
        this.queue.emitEvent('completed', { taskId: info.taskId, attempt: info.attempt });
        break;
      case 'failed':
        this.emitW('failed', { ...info, error: outcome.error, willRetry: false });
        this.queue.emitEvent('failed', {
          taskId: info.taskId,
          attempt: info.attempt,
          error: outcome.error,
        });
        break;
      case 'retry':
        this.emitW('failed', { ...info, error: outcome.error, willRetry: true });
        this.queue.emitEvent('retrying', {
          taskId: info.taskId,
          attempt: info.attempt,
          delayMs: outcome.delayMs,
          error: outcome.error,
        });
        break;
      default:
        break;
    }
  }

  /** The outcome must reach the database: retry through short outages while the lease may hold. */
  private async finalizeWithRetry(row: JobRow, outcome: Outcome): Promise<boolean> {
    const { leaseMs, pollIntervalMs } = this.queue.settings;
    const deadline = Date.now() + leaseMs;
    for (let i = 0; ; i++) {
      try {
        return await this.queue.finalize(row, outcome);
      } catch (e) {
        this.queue.emitEvent('backendError', toErrorInfo(asQueueError(e)));
        if (Date.now() > deadline) return false;
        await sleep(Math.min(pollIntervalMs * 2 ** i, 2000));
      }
    }
  }

  abortLocal(taskId: string, kind: 'cancelled'): void {
    this.inflight.get(taskId)?.ac.abort(new JobAbortError(kind));
  }

  async close(opts: { graceful: boolean; timeoutMs?: number }): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.stop.abort();
    }
    await this.loopDone;
    const pending = [...this.inflight.values()];
    if (opts.graceful && pending.length > 0) {
      const all = Promise.all(pending.map((p) => p.done));
      if (opts.timeoutMs === undefined) await all;
      else await Promise.race([all, sleep(opts.timeoutMs)]);
    }
    // Whatever still runs goes back to the queue once its handler has reacted to the abort.
    const rest = [...this.inflight.values()];
    for (const p of rest) p.ac.abort(new JobAbortError('requeued'));
    await Promise.race([
      Promise.all(rest.map((p) => p.done)),
      sleep(Math.min(5000, this.queue.settings.leaseMs)),
    ]);
    for (const p of this.inflight.values()) {
      // Handler ignored the abort: requeue now; its late outcome is discarded (token cleared).
      await this.finalizeWithRetry(p.row, { kind: 'requeue' }).catch(() => false);
    }
    this.onClosed();
  }
}

export async function createLocalQueue(config: LocalConfig): Promise<JobQueue> {
  return new LocalQueue(config);
}
