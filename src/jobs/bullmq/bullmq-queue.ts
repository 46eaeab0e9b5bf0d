/**
 * The Redis backend: BullMQ does the scheduling — its priorities (1 = highest, so ours are
 * mapped), attempts with exponential backoff, `UnrecoverableError` for non-retryable failures,
 * lock renewal and stalled-job checks (our lease and heartbeat), `QueueEvents` for progress,
 * completion and failure seen by every process. Job id = task id (idempotent enqueue).
 *
 * Cancelling a running job sets a cancel flag key that every worker polls for its active jobs at
 * each heartbeat; the owner aborts the handler through `Worker.cancelJob`.
 */
import { EventEmitter, once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import {
  Queue,
  QueueEvents,
  UnrecoverableError,
  WaitingError,
  Worker,
  type ConnectionOptions,
  type Job,
} from 'bullmq';
import { SonoError } from '../../errors.js';
import type { ComponentHealth } from '../../store/types.js';
import {
  checkConcurrency,
  checkMaxAttempts,
  checkPriority,
  defaultWorkerId,
  isRetryable,
  PRIORITY_MAX,
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
  type QueueEventName,
  type QueueEventMap,
  type QueueWorker,
  type WorkerEventMap,
  type WorkerOptions,
} from '../queue.js';

type BullConfig = Extract<QueueConfig, { kind: 'bullmq' }>;

/** Ours: higher first, ±1e6. BullMQ: 1 is the highest, 0 means "no priority", max 2^21. */
export function toBullPriority(priority: number): number {
  return PRIORITY_MAX + 1 - priority;
}

/** Operations that must fail fast (HTTP requests) rather than queue up while Redis is away. */
const OP_TIMEOUT_MS = 5000;

async function queueOp<T>(fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer from Redis within ${OP_TIMEOUT_MS} ms`)),
          OP_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (e) {
    if (e instanceof SonoError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new SonoError('SONO_ERR_QUEUE_UNAVAILABLE', { detail }, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** How long an operation waits for a (re)connection in progress before failing. */
const CONNECT_GRACE_MS = 1000;

/** Closing while Redis is away must not hang shutdown. */
const CLOSE_TIMEOUT_MS = 3000;

async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  await Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    sleep(ms),
  ]);
}

/** Failure reasons travel through Redis as text: `[CODE] message`. */
function encodeReason(e: JobErrorInfo): string {
  return `[${e.code}] ${e.message}`;
}

function decodeReason(reason: string, leaseMs: number): JobErrorInfo {
  // BullMQ's own verdict on a job whose workers kept dying: the local queue's SONO_ERR_TIMEOUT.
  if (/stalled more than allowable limit/i.test(reason))
    return toErrorInfo(workerStoppedResponding(leaseMs));
  const m = /^\[([A-Z0-9_]+)\] ([\s\S]*)$/.exec(reason);
  return m
    ? { code: m[1] ?? 'SONO_ERR_INTERNAL', message: m[2] ?? '' }
    : { code: 'SONO_ERR_INTERNAL', message: reason };
}

interface ActiveJob {
  readonly taskId: string;
  readonly ac: AbortController;
}

class BullmqQueue extends EventEmitter implements JobQueue {
  readonly backend = 'bullmq' as const;
  readonly timing: ResolvedTiming;
  readonly name: string;
  readonly prefix: string;
  readonly connection: RedisOptions;
  readonly queue: Queue;
  /** Control connection: ping and cancel flags; fails fast while Redis is away. */
  readonly control: Redis;
  private readonly workers = new Set<BullmqWorker>();

  constructor(config: BullConfig) {
    super();
    this.timing = resolveTiming(config.timing);
    this.name = config.queueName ?? 'analysis';
    this.prefix = config.prefix ?? 'sonoteca';
    this.connection = {
      host: config.redis.host,
      port: config.redis.port,
      password: config.redis.password,
      db: config.redis.db,
      connectTimeout: 3000,
    };
    this.control = new Redis({
      ...this.connection,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    this.control.on('error', () => undefined); // state is reported by ping()
    this.queue = new Queue(this.name, {
      connection: { ...this.connection } as ConnectionOptions,
      prefix: this.prefix,
    });
    this.queue.on('error', (e: Error) =>
      this.emitEvent('backendError', toErrorInfo(asUnavailable(e))),
    );
    // BullMQ's Worker and QueueEvents cannot be closed while they have never reached Redis (their
    // close waits for the first connection), so they are created once Redis has answered.
    this.firstConnect = new Promise<void>((resolve) => {
      if (this.control.status === 'ready') resolve();
      else this.control.once('ready', () => resolve());
    });
    void this.whenConnected().then((up) => {
      if (up) this.startEvents();
    });
  }

  private readonly firstConnect: Promise<void>;
  private closed = false;
  private readonly closedSignal = new AbortController();
  private events: QueueEvents | undefined;

  /** Resolves true once Redis has been reached, false if the queue was closed first. */
  async whenConnected(): Promise<boolean> {
    await Promise.race([
      this.firstConnect,
      new Promise<void>((r) => this.closedSignal.signal.addEventListener('abort', () => r())),
    ]);
    return !this.closed;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Fails fast while Redis is away, so requests do not hang and no command is left in a client's
   * offline queue to be applied later. A PING on the control connection (no offline queue) tells;
   * a reconnect in progress gets a short grace.
   */
  async checkConnected(): Promise<void> {
    try {
      await this.control.ping();
      return;
    } catch {
      await new Promise<void>((resolve) => {
        // Until connected, or the next connection attempt failed.
        const done = (): void => {
          clearTimeout(t);
          this.control.off('ready', done);
          this.control.off('error', done);
          resolve();
        };
        const t = setTimeout(done, CONNECT_GRACE_MS);
        this.control.once('ready', done);
        this.control.once('error', done);
      });
    }
    try {
      await this.control.ping();
    } catch (e) {
      throw new SonoError(
        'SONO_ERR_QUEUE_UNAVAILABLE',
        {
          detail: `Redis ${this.connection.host}:${this.connection.port} is not reachable (${this.control.status})`,
        },
        { cause: e },
      );
    }
  }

  private startEvents(): void {
    const events = new QueueEvents(this.name, {
      connection: { ...this.connection } as ConnectionOptions,
      prefix: this.prefix,
    });
    this.events = events;
    events.on('error', (e: Error) => this.emitEvent('backendError', toErrorInfo(asUnavailable(e))));
    events.on('progress', ({ jobId, data }) => {
      if (typeof data === 'number') this.emitEvent('progress', { taskId: jobId, fraction: data });
    });
    events.on('completed', ({ jobId, returnvalue }) => {
      this.emitEvent('completed', { taskId: jobId, attempt: attemptOf(returnvalue) });
    });
    events.on('failed', ({ jobId, failedReason }) => {
      void this.attemptsMade(jobId).then((attempt) =>
        this.emitEvent('failed', {
          taskId: jobId,
          attempt,
          error: decodeReason(failedReason, this.timing.leaseMs),
        }),
      );
    });
  }

  cancelKey(taskId: string): string {
    return `${this.prefix}:${this.name}:sono-cancel:${taskId}`;
  }

  private async attemptsMade(jobId: string): Promise<number> {
    try {
      const job = await this.queue.getJob(jobId);
      return job ? Math.max(1, runsSoFar(job)) : 0;
    } catch {
      return 0;
    }
  }

  emitEvent<E extends QueueEventName>(event: E, payload: QueueEventMap[E]): void {
    this.emit(event, payload);
  }

  async enqueue(opts: EnqueueOptions): Promise<void> {
    const priority = checkPriority(opts.priority);
    const attempts = checkMaxAttempts(opts.maxAttempts, this.timing.defaultMaxAttempts);
    if (opts.taskId.includes(':') || /^\d+$/.test(opts.taskId)) {
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: 'taskId',
        detail: `${opts.taskId} (BullMQ job ids may not contain ':' or be plain integers)`,
      });
    }
    await queueOp(async () => {
      await this.checkConnected();
      const state = await this.queue.getJobState(opts.taskId);
      if (state === 'completed' || state === 'failed') {
        await this.queue.remove(opts.taskId); // a finished task runs again when re-enqueued
      } else if (state !== 'unknown') {
        return; // already queued or running
      }
      await this.control.del(this.cancelKey(opts.taskId));
      await this.queue.add(
        'analyze',
        { taskId: opts.taskId },
        {
          jobId: opts.taskId,
          priority: toBullPriority(priority),
          attempts,
          backoff: { type: 'exponential', delay: this.timing.backoffBaseMs },
          removeOnComplete: { count: 10_000 },
          removeOnFail: { count: 10_000 },
        },
      );
    });
  }

  startWorker(handler: JobHandler, opts: WorkerOptions): QueueWorker {
    const w = new BullmqWorker(this, handler, {
      concurrency: checkConcurrency(opts.concurrency),
      workerId: opts.workerId ?? defaultWorkerId(),
    });
    this.workers.add(w);
    w.onClosed = () => this.workers.delete(w);
    return w;
  }

  async cancel(taskId: string): Promise<boolean> {
    return queueOp(async () => {
      await this.checkConnected();
      const state = await this.queue.getJobState(taskId);
      if (state === 'unknown' || state === 'completed' || state === 'failed') return false;
      if (state !== 'active' && (await this.queue.remove(taskId)) === 1) return true;
      // Running (or it just got locked by a worker): flag it; its worker aborts the handler.
      await this.control.set(this.cancelKey(taskId), '1', 'EX', 86_400);
      for (const w of this.workers) w.abortLocal(taskId);
      return true;
    });
  }

  async counts(): Promise<QueueCounts> {
    return queueOp(async () => {
      await this.checkConnected();
      const c = await this.queue.getJobCounts(
        'waiting',
        'prioritized',
        'active',
        'completed',
        'failed',
        'delayed',
      );
      return {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        completed: c.completed ?? 0,
        failed: c.failed ?? 0,
        delayed: c.delayed ?? 0,
      };
    });
  }

  async ping(): Promise<ComponentHealth> {
    const t0 = performance.now();
    try {
      await queueOp(() => this.control.ping());
      return { ok: true, latencyMs: performance.now() - t0 };
    } catch (e) {
      const err = toErrorInfo(e);
      return { ok: false, latencyMs: performance.now() - t0, error: err };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closedSignal.abort();
    await Promise.all([...this.workers].map((w) => w.close({ graceful: false })));
    await bounded(Promise.allSettled([this.events?.close(), this.queue.close()]), CLOSE_TIMEOUT_MS);
    this.control.disconnect();
    this.removeAllListeners();
  }
}

function asUnavailable(e: unknown): SonoError {
  if (e instanceof SonoError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new SonoError('SONO_ERR_QUEUE_UNAVAILABLE', { detail }, { cause: e });
}

/**
 * Runs of `job` so far: its failed attempts (`attemptsMade`) plus the runs that ended with its
 * worker gone (killed, frozen past its lock), which BullMQ counts apart (`stalledCounter`). The
 * local queue counts every claim, so this numbers attempts the same way on both backends.
 */
function runsSoFar(job: Job): number {
  return job.attemptsMade + (job.stalledCounter ?? 0);
}

function attemptOf(returnvalue: unknown): number {
  const v: unknown = typeof returnvalue === 'string' ? safeParse(returnvalue) : returnvalue;
  if (typeof v === 'object' && v !== null && 'attempt' in v) {
    const a = (v as { attempt: unknown }).attempt;
    if (typeof a === 'number') return a;
  }
  return 0;
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

class BullmqWorker extends EventEmitter implements QueueWorker {
  readonly workerId: string;
  private worker: Worker | undefined;
  private readonly started: Promise<void>;
  private readonly active = new Map<string, ActiveJob>();
  private readonly cancelPoll: NodeJS.Timeout;
  private closing: Promise<void> | undefined;
  onClosed: () => void = () => undefined;

  constructor(
    private readonly q: BullmqQueue,
    private readonly handler: JobHandler,
    opts: { concurrency: number; workerId: string },
  ) {
    super();
    this.workerId = opts.workerId;
    this.started = q.whenConnected().then((up) => {
      if (up && !this.closing) this.worker = this.createWorker(opts);
    });
    this.cancelPoll = setInterval(() => void this.pollCancelFlags(), q.timing.heartbeatMs);
    this.cancelPoll.unref();
  }

  private createWorker(opts: { concurrency: number; workerId: string }): Worker {
    const q = this.q;
    const t = q.timing;
    const worker = new Worker(
      this.q.name,
      (job, token, signal) => this.process(job, token, signal),
      {
        connection: { ...q.connection, maxRetriesPerRequest: null } as ConnectionOptions,
        prefix: q.prefix,
        name: opts.workerId,
        concurrency: opts.concurrency,
        lockDuration: t.leaseMs,
        lockRenewTime: t.heartbeatMs,
        stalledInterval: t.leaseMs,
        maxStalledCount: Math.max(1, t.defaultMaxAttempts - 1),
        drainDelay: Math.max(1, Math.ceil(t.pollIntervalMs / 1000)),
      },
    );
    worker.on('error', (e: Error) => {
      const lost = /Missing lock for job ([^\s.]+)/.exec(e.message);
      if (lost?.[1]) this.emitW('lost', { taskId: lost[1], attempt: 0 });
      else q.emitEvent('backendError', toErrorInfo(asUnavailable(e)));
    });
    worker.on('lockRenewalFailed', (jobIds: string[]) => {
      for (const id of jobIds) this.active.get(id)?.ac.abort(new JobAbortError('lease_lost'));
    });
    worker.on('completed', (job: Job, result: unknown) => {
      this.emitW('completed', { taskId: String(job.id), attempt: attemptOf(result) });
    });
    worker.on('failed', (job: Job | undefined, err: Error) => {
      if (!job) return;
      const attempt = runsSoFar(job);
      const max = job.opts.attempts ?? 1;
      const error = decodeReason(err.message, t.leaseMs);
      const willRetry = !(err instanceof UnrecoverableError) && attempt < max;
      this.emitW('failed', { taskId: String(job.id), attempt, error, willRetry });
      if (willRetry) {
        q.emitEvent('retrying', {
          taskId: String(job.id),
          attempt,
          delayMs: t.backoffBaseMs * 2 ** Math.max(0, attempt - 1),
          error,
        });
      }
    });
    return worker;
  }

  private emitW<E extends keyof WorkerEventMap>(event: E, payload: WorkerEventMap[E]): void {
    this.emit(event, payload);
  }

  private async pollCancelFlags(): Promise<void> {
    if (this.active.size === 0) return;
    const ids = [...this.active.keys()];
    try {
      const flags = await this.q.control.mget(...ids.map((id) => this.q.cancelKey(id)));
      ids.forEach((id, i) => {
        if (flags[i]) this.abortLocal(id);
      });
    } catch {
      // Redis away: the next tick tries again.
    }
  }

  abortLocal(taskId: string): void {
    this.active.get(taskId)?.ac.abort(new JobAbortError('cancelled'));
  }

  private async process(
    job: Job,
    token: string | undefined,
    bullSignal?: AbortSignal,
  ): Promise<unknown> {
    const taskId = String(job.id);
    const attempt = runsSoFar(job) + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    const ac = new AbortController();
    this.active.set(taskId, { taskId, ac });
    const onBullAbort = (): void => {
      if (!ac.signal.aborted) ac.abort(new JobAbortError('cancelled'));
    };
    bullSignal?.addEventListener('abort', onBullAbort, { once: true });
    const requeue = async (): Promise<never> => {
      await job.moveToWait(token);
      throw new WaitingError();
    };
    try {
      if (await this.q.control.get(this.q.cancelKey(taskId)).catch(() => null)) {
        throw new JobAbortError('cancelled');
      }
      // Recovered after its last attempt stalled: give up, as the local queue does.
      if (attempt > maxAttempts) throw workerStoppedResponding(this.q.timing.leaseMs);
      await this.handler(
        { taskId, attempt, maxAttempts },
        {
          signal: ac.signal,
          progress: async (f) => {
            const p = Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0;
            await job.updateProgress(p);
          },
        },
      );
      if (abortKindOf(ac.signal) === 'requeued') return await requeue();
      return { attempt };
    } catch (e) {
      if (e instanceof WaitingError) throw e;
      const kind = e instanceof JobAbortError ? e.kind : abortKindOf(ac.signal);
      if (kind === 'requeued') return await requeue();
      if (kind === 'cancelled') {
        const c = new SonoError('SONO_ERR_CANCELLED', { detail: 'cancelled by request' });
        throw new UnrecoverableError(encodeReason(toErrorInfo(c)));
      }
      // lease_lost: BullMQ refuses our outcome anyway (the lock is gone).
      const info = toErrorInfo(e);
      // Stalled runs count as attempts (as on the local queue): none is left after the last.
      throw isRetryable(e) && attempt < maxAttempts
        ? new Error(encodeReason(info))
        : new UnrecoverableError(encodeReason(info));
    } finally {
      bullSignal?.removeEventListener('abort', onBullAbort);
      this.active.delete(taskId);
    }
  }

  close(opts: { graceful: boolean; timeoutMs?: number }): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.cancelPoll);
      await bounded(this.started, 0); // a worker still waiting for Redis is simply not created
      const worker = this.worker;
      if (worker) {
        const stopping = worker.close(); // stops fetching, waits for active jobs
        if (!opts.graceful) {
          for (const a of this.active.values()) a.ac.abort(new JobAbortError('requeued'));
        } else if (opts.timeoutMs !== undefined) {
          await Promise.race([stopping, sleep(opts.timeoutMs)]);
          for (const a of this.active.values()) a.ac.abort(new JobAbortError('requeued'));
        }
        if (opts.graceful && opts.timeoutMs === undefined) await stopping;
        else await bounded(stopping, Math.min(5000, this.q.timing.leaseMs) + CLOSE_TIMEOUT_MS);
        // A handler that ignores its signal, or Redis away: let go (the lock expires and the job
        // is reclaimed by another worker).
        await bounded(worker.close(true), CLOSE_TIMEOUT_MS);
      }
      this.onClosed();
    })();
    return this.closing;
  }
}

/** Waits briefly for the first connection; a Redis that is down is reported by ping(), not thrown. */
export async function createBullmqQueue(config: BullConfig): Promise<JobQueue> {
  const q = new BullmqQueue(config);
  await bounded(Promise.race([q.whenConnected(), once(q.control, 'error')]), 3000);
  return q;
}
