/**
 * Submitting work: commit the task row, then the queue entry, before anyone is told "queued".
 * Enqueueing is idempotent, so `requeueOrphans` (run when a worker starts) repairs the one gap a
 * crash between the two commits could leave: a queued task without a queue entry.
 */
import type { FastifyBaseLogger } from 'fastify';
import { SonoError, toSonoError } from '../errors.js';
import type { JobQueue } from '../jobs/queue.js';
import type { JsonObject, Store, Task } from '../store/types.js';

/** Priorities accepted from clients (the queue's range). */
export const MIN_PRIORITY = -1_000_000;
export const MAX_PRIORITY = 1_000_000;

export interface Submission {
  readonly id?: string;
  readonly batchId?: string | null;
  readonly processingType: string;
  readonly priority: number;
  readonly sourcePath: string;
  readonly originalName?: string | null;
  readonly sizeBytes?: number | null;
  readonly sha256?: string | null;
  readonly mime?: string | null;
  readonly submittedBy: string;
  readonly externalIds?: Readonly<Record<string, string>> | null;
  readonly options?: JsonObject | null;
}

/**
 * Creates the task and its queue entry. If the queue refuses, the task row is removed again (a
 * refused submission leaves no task behind: the client was told 503, not "accepted") and the
 * error is rethrown (503).
 */
export async function submitTask(store: Store, queue: JobQueue, s: Submission): Promise<Task> {
  const task = await store.tasks.create({
    id: s.id,
    batchId: s.batchId ?? null,
    processingType: s.processingType,
    priority: s.priority,
    sourcePath: s.sourcePath,
    originalName: s.originalName ?? null,
    sizeBytes: s.sizeBytes ?? null,
    sha256: s.sha256 ?? null,
    mime: s.mime ?? null,
    submittedBy: s.submittedBy,
    externalIds: s.externalIds ?? null,
    options: s.options ?? null,
  });
  try {
    await queue.enqueue({ taskId: task.id, priority: s.priority });
  } catch (e) {
    const err =
      e instanceof SonoError && e.code !== 'SONO_ERR_INTERNAL'
        ? e
        : new SonoError(
            'SONO_ERR_QUEUE_UNAVAILABLE',
            { detail: toSonoError(e).message },
            { cause: e },
          );
    // Should the enqueue have reached the queue after all, its job finds no task and is skipped.
    await store.tasks.delete(task.id).catch(() => undefined);
    throw err;
  }
  return task;
}

/**
 * Takes back the tasks of a batch refused part-way (all-or-nothing): their queue entries, their
 * rows and the batch row. Never throws; a queue entry that cannot be removed (queue down) finds
 * no task when it runs and is skipped.
 */
export async function withdrawBatch(
  store: Store,
  queue: JobQueue,
  batchId: string,
  tasks: readonly Task[],
): Promise<void> {
  for (const t of tasks) {
    await queue.cancel(t.id).catch(() => false);
    await store.tasks.delete(t.id).catch(() => false);
  }
  await store.batches.delete(batchId).catch(() => false);
}

/** Re-enqueues every queued task (idempotent): heals a crash between row and queue commits. */
export async function requeueOrphans(
  store: Store,
  queue: JobQueue,
  log: FastifyBaseLogger | { warn: (o: object, m: string) => void },
): Promise<number> {
  let cursor: string | undefined;
  let n = 0;
  do {
    const page = await store.tasks.list({ status: 'queued', limit: 500, cursor });
    for (const t of page.items) {
      try {
        await queue.enqueue({ taskId: t.id, priority: t.priority });
        n++;
      } catch (e) {
        log.warn({ err: e, taskId: t.id }, 'could not re-enqueue queued task');
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return n;
}
