/** Pieces both queue backends share, so their semantics cannot drift apart. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SonoError, toSonoError } from '../errors.js';
import type { JobErrorInfo, QueueTiming } from './queue.js';

export interface ResolvedTiming {
  readonly backoffBaseMs: number;
  readonly defaultMaxAttempts: number;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly pollIntervalMs: number;
  readonly finishedRetentionMs: number;
}

export function resolveTiming(t: QueueTiming = {}): ResolvedTiming {
  const leaseMs = t.leaseMs ?? 30_000;
  const r: ResolvedTiming = {
    backoffBaseMs: t.backoffBaseMs ?? 2000,
    defaultMaxAttempts: t.defaultMaxAttempts ?? 3,
    leaseMs,
    heartbeatMs: t.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 3)),
    pollIntervalMs: t.pollIntervalMs ?? 250,
    finishedRetentionMs: t.finishedRetentionMs ?? 7 * 24 * 3600 * 1000,
  };
  for (const [name, v] of Object.entries(r)) {
    if (!Number.isFinite(v) || v < 1) {
      throw new SonoError('SONO_ERR_INVALID_CONFIG', { name, detail: `${v} must be >= 1` });
    }
  }
  if (r.heartbeatMs >= r.leaseMs) {
    throw new SonoError('SONO_ERR_INVALID_CONFIG', {
      name: 'heartbeatMs',
      detail: `${r.heartbeatMs} must be below leaseMs ${r.leaseMs}`,
    });
  }
  return Object.freeze(r);
}

/** Delay before attempt `attempt + 1`, after attempt `attempt` (1-based) failed. */
export function backoffDelayMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}

export const PRIORITY_MIN = -1_000_000;
export const PRIORITY_MAX = 1_000_000;

export function checkPriority(priority: number | undefined): number {
  const p = priority ?? 0;
  if (!Number.isInteger(p) || p < PRIORITY_MIN || p > PRIORITY_MAX) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'priority',
      detail: `${p} is not an integer in ${PRIORITY_MIN}..${PRIORITY_MAX}`,
    });
  }
  return p;
}

export function checkMaxAttempts(n: number | undefined, fallback: number): number {
  const m = n ?? fallback;
  if (!Number.isInteger(m) || m < 1 || m > 100) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'maxAttempts',
      detail: `${m} is not an integer in 1..100`,
    });
  }
  return m;
}

export function checkConcurrency(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'concurrency',
      detail: `${n} is not an integer in 1..256`,
    });
  }
  return n;
}

/** Unknown errors are retryable (they may be transient); SonoErrors say it themselves. */
export function isRetryable(e: unknown): boolean {
  return e instanceof SonoError ? e.retryable : true;
}

export function toErrorInfo(e: unknown): JobErrorInfo {
  const s = toSonoError(e);
  return { code: s.code, message: s.message };
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The failure of a job whose last attempt stalled (its worker died or froze past the lease). */
export function workerStoppedResponding(leaseMs: number): SonoError {
  return new SonoError('SONO_ERR_TIMEOUT', {
    seconds: leaseMs / 1000,
    detail: 'the worker running the job stopped responding',
  });
}
