/**
 * The job queue contract. Two backends implement it with the same semantics and pass the same
 * conformance suite (`test/jobs/queue-conformance.test.ts`):
 * - `local/local-queue.ts`: durable, on the database's `jobs` table (SQLite by default; several
 *   processes may share one file);
 * - `bullmq/bullmq-queue.ts`: BullMQ on Redis (when `REDIS_HOST` is set).
 *
 * A job is identified by its task id (enqueue is idempotent). Semantics:
 * - higher `priority` runs first, FIFO within a priority;
 * - a handler throwing a `SonoError` with `retryable: false` fails the job at once; any other
 *   error is retried with exponential backoff (`backoffBaseMs * 2^(attempt-1)`) up to
 *   `maxAttempts` attempts;
 * - a running job holds a lease renewed by heartbeats; a job whose lease expired (worker killed,
 *   frozen or partitioned) is reclaimed by any worker; a worker that lost its lease cannot complete
 *   the job (exactly-once completion) and its handler's signal is aborted;
 * - `cancel` removes a queued job, or aborts the running handler's signal (the job then fails with
 *   `SONO_ERR_CANCELLED`, no retry).
 * See docs/QUEUE.md.
 */
import type { ComponentHealth, Store } from '../store/types.js';

export interface EnqueueOptions {
  readonly taskId: string;
  /** Higher runs first. Integer in [-1_000_000, 1_000_000]. @defaultValue 0 */
  readonly priority?: number;
  /** Total attempts including the first. @defaultValue the queue's `defaultMaxAttempts` (3) */
  readonly maxAttempts?: number;
}

export interface JobInfo {
  readonly taskId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Total attempts allowed: `attempt === maxAttempts` is the last chance. */
  readonly maxAttempts: number;
}

/** Why a handler's signal was aborted (`signal.reason` is a `JobAbortError`). */
export type JobAbortKind =
  /** `cancel(taskId)`: the job fails with SONO_ERR_CANCELLED, no retry. */
  | 'cancelled'
  /** The worker is closing: the job goes back to the queue (the attempt does not count). */
  | 'requeued'
  /** The lease expired and another worker may own the job: touch nothing of it. */
  | 'lease_lost';

export class JobAbortError extends Error {
  readonly kind: JobAbortKind;
  constructor(kind: JobAbortKind) {
    super(`job aborted: ${kind}`);
    this.name = 'JobAbortError';
    this.kind = kind;
  }
}

/** The abort kind of a handler's signal, or undefined while it is not aborted. */
export function abortKindOf(signal: AbortSignal): JobAbortKind | undefined {
  if (!signal.aborted) return undefined;
  const r: unknown = signal.reason;
  return r instanceof JobAbortError ? r.kind : 'cancelled';
}

export interface JobContext {
  /** Aborted on cancel, lost lease, or non-graceful worker close. */
  readonly signal: AbortSignal;
  /** Reports progress (0..1); emits a `progress` event. */
  progress(fraction: number): Promise<void>;
}

export type JobHandler = (job: JobInfo, ctx: JobContext) => Promise<void>;

export interface WorkerOptions {
  /** Jobs run at once by this worker. */
  readonly concurrency: number;
  /** Name in leases and logs. @defaultValue `<hostname>:<pid>:<random>` */
  readonly workerId?: string;
}

/** Events of the jobs this worker ran (process-local for both backends). */
export interface WorkerEventMap {
  /** This worker's completion was recorded (exactly once per job across all workers). */
  completed: { readonly taskId: string; readonly attempt: number };
  failed: {
    readonly taskId: string;
    readonly attempt: number;
    readonly error: JobErrorInfo;
    readonly willRetry: boolean;
  };
  /** The handler finished but the lease had been lost: its outcome was discarded. */
  lost: { readonly taskId: string; readonly attempt: number };
}

export interface QueueWorker {
  readonly workerId: string;
  on<E extends keyof WorkerEventMap>(
    event: E,
    listener: (payload: WorkerEventMap[E]) => void,
  ): this;
  /**
   * Stops taking jobs. `graceful: true` waits for in-flight jobs to finish (at most `timeoutMs`,
   * then they are requeued as with `graceful: false`); `graceful: false` aborts in-flight handlers
   * and puts their jobs back in the queue at once (the interrupted attempt does not count).
   */
  close(opts: { readonly graceful: boolean; readonly timeoutMs?: number }): Promise<void>;
}

export interface QueueCounts {
  /** Ready to run now. */
  readonly waiting: number;
  readonly active: number;
  readonly completed: number;
  readonly failed: number;
  /** Waiting for a retry backoff to pass. */
  readonly delayed: number;
}

export interface JobErrorInfo {
  readonly code: string;
  readonly message: string;
}

export interface QueueEventMap {
  progress: { readonly taskId: string; readonly fraction: number };
  completed: { readonly taskId: string; readonly attempt: number };
  /** Final failure (no more attempts, non-retryable, or cancelled). */
  failed: { readonly taskId: string; readonly attempt: number; readonly error: JobErrorInfo };
  /** An attempt failed and the job will run again after `delayMs`. */
  retrying: {
    readonly taskId: string;
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: JobErrorInfo;
  };
  /** The backend (database, Redis) failed an internal operation; the queue keeps retrying. */
  backendError: JobErrorInfo;
}

export type QueueEventName = keyof QueueEventMap;

/**
 * Where events are seen: BullMQ emits them in every process attached to the queue (QueueEvents);
 * the local queue emits them in the process whose worker ran the job.
 */
export interface JobQueue {
  readonly backend: 'local' | 'bullmq';
  /** Idempotent: a task already queued or running is left as it is. */
  enqueue(opts: EnqueueOptions): Promise<void>;
  startWorker(handler: JobHandler, opts: WorkerOptions): QueueWorker;
  /** true if a queued job was removed or a running job was signalled. */
  cancel(taskId: string): Promise<boolean>;
  counts(): Promise<QueueCounts>;
  /** Never throws. */
  ping(): Promise<ComponentHealth>;
  /** Closes workers (non-graceful unless they were closed before) and connections. */
  close(): Promise<void>;
  on<E extends QueueEventName>(event: E, listener: (payload: QueueEventMap[E]) => void): this;
  off<E extends QueueEventName>(event: E, listener: (payload: QueueEventMap[E]) => void): this;
}

/** Timing knobs shared by both backends (tests use small values). */
export interface QueueTiming {
  /** First retry delay; doubles each attempt. @defaultValue 2000 */
  readonly backoffBaseMs?: number;
  /** @defaultValue 3 */
  readonly defaultMaxAttempts?: number;
  /** How long a claim is valid without a heartbeat. @defaultValue 30000 */
  readonly leaseMs?: number;
  /** Heartbeat period. @defaultValue leaseMs / 3 */
  readonly heartbeatMs?: number;
  /** Local queue: idle poll period. @defaultValue 250 */
  readonly pollIntervalMs?: number;
  /**
   * Local queue: finished (completed/failed) jobs older than this are deleted, when a worker starts
   * and every 10 minutes (the task rows keep the history). BullMQ keeps the last 10 000 of each.
   * @defaultValue 7 days
   */
  readonly finishedRetentionMs?: number;
}

export type QueueConfig =
  | {
      readonly kind: 'local';
      /** The store whose `jobs` table holds the queue. */
      readonly store: Store;
      readonly timing?: QueueTiming;
    }
  | {
      readonly kind: 'bullmq';
      readonly redis: {
        readonly host: string;
        readonly port: number;
        readonly password?: string;
        readonly db?: number;
      };
      /** Redis key prefix (tests use a unique one per run). @defaultValue 'sonoteca' */
      readonly prefix?: string;
      /** @defaultValue 'analysis' */
      readonly queueName?: string;
      readonly timing?: QueueTiming;
    };
