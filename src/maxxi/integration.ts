/**
 * What happens for MAXXI when a task completes (the job processor's `afterComplete` hook): the
 * package is written into MAXXI_OUTPUT_DIR, then — when MAXXI_CALLBACK_URL is set — a signed
 * webhook announces it, retried with backoff in the background. Every step is recorded in the
 * `maxxi_deliveries` table (`packaged` → `pending` → `delivered` | `retrying` | `failed`), and
 * deliveries left pending by a restart are resumed by `resumePending()`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MaxxiConfig } from '../config/config.js';
import { toSonoError } from '../errors.js';
import type { Report } from '../pipeline/report.js';
import type { Store, Task } from '../store/types.js';
import { packageRelativeDir, writeMaxxiPackage, type WrittenPackage } from './package-writer.js';
import { deliverWebhook, type WebhookOutcome } from './webhook.js';

export interface MaxxiLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface MaxxiIntegration {
  /** Writes the package and starts the webhook delivery (returns once the package is durable). */
  onTaskCompleted(task: Task, report: Report): Promise<WrittenPackage | undefined>;
  /** Restarts deliveries a previous process left pending. */
  resumePending(): Promise<number>;
  /** Waits for running deliveries (they are aborted after `timeoutMs`, staying pending). */
  close(timeoutMs?: number): Promise<void>;
  /** Settles when every delivery started so far has finished (tests). */
  idle(): Promise<void>;
}

export interface MaxxiIntegrationOptions {
  readonly config: MaxxiConfig;
  readonly store: Store;
  readonly logger: MaxxiLogger;
  /** Webhook retry timing (tests use small values). */
  readonly webhook?: { readonly baseDelayMs?: number; readonly timeoutMs?: number };
  /** Called after every webhook attempt with its outcome (metrics). */
  readonly onDeliveryAttempt?: (state: 'delivered' | 'retrying' | 'failed') => void;
}

export const WEBHOOK_EVENT = 'task.completed';

export function createMaxxiIntegration(opts: MaxxiIntegrationOptions): MaxxiIntegration {
  const { config, store, logger } = opts;
  const running = new Set<Promise<unknown>>();
  const abort = new AbortController();

  function payloadOf(task: Task, relativeDir: string, manifestFiles: unknown): object {
    return {
      event: WEBHOOK_EVENT,
      task_id: task.id,
      status: 'completed',
      completed_at: task.completedAt,
      maxxi_identifiers: task.externalIds ?? {},
      package: {
        path: relativeDir,
        absolute_path: join(config.outputDir, relativeDir),
        files: manifestFiles,
      },
      links: {
        results: `/api/v1/results/${task.id}`,
        metadata: `/api/maxxi/metadata/${task.id}`,
        status: `/api/v1/status/${task.id}`,
      },
    };
  }

  function startDelivery(taskId: string, payload: object, previousAttempts: number): void {
    const url = config.callbackUrl;
    if (url === undefined) return;
    let attempts = previousAttempts;
    const p: Promise<WebhookOutcome | undefined> = deliverWebhook({
      url,
      secret: config.callbackSecret,
      deliveryId: taskId,
      event: WEBHOOK_EVENT,
      payload,
      maxAttempts: Math.max(1, config.callbackMaxAttempts - previousAttempts),
      baseDelayMs: opts.webhook?.baseDelayMs,
      timeoutMs: opts.webhook?.timeoutMs,
      signal: abort.signal,
      onAttempt: async (a) => {
        attempts++;
        const state = a.ok ? 'delivered' : a.nextAttemptAt !== null ? 'retrying' : 'failed';
        opts.onDeliveryAttempt?.(state);
        const log = a.ok ? logger.info : state === 'failed' ? logger.error : logger.warn;
        log.call(
          logger,
          { taskId, attempt: attempts, statusCode: a.statusCode, error: a.error, state },
          `MAXXI webhook ${state}`,
        );
        await store.maxxi
          .upsert(taskId, {
            state,
            webhookAttempts: attempts,
            lastError: a.error,
            ...(a.ok ? { deliveredAt: new Date().toISOString() } : {}),
          })
          .catch((e: unknown) =>
            logger.warn({ taskId, err: toSonoError(e).message }, 'could not record webhook state'),
          );
      },
    }).catch((e: unknown) => {
      // Aborted by close(): the row stays pending/retrying and resumePending() picks it up.
      logger.info({ taskId, err: toSonoError(e).message }, 'MAXXI webhook interrupted');
      return undefined;
    });
    running.add(p);
    void p.finally(() => running.delete(p));
  }

  return {
    async onTaskCompleted(task, report) {
      if (!config.compatibilityMode) return undefined;
      const completedAt = task.completedAt !== null ? new Date(task.completedAt) : new Date();
      // A cached result carries the id of the task that produced it: this package is this task's.
      const own: Report = { ...report, task_id: task.id };
      const written = await writeMaxxiPackage({
        outputDir: config.outputDir,
        taskId: task.id,
        report: own,
        completedAt,
        identifiers: task.externalIds ?? undefined,
      });
      const pending = config.callbackUrl !== undefined;
      await store.maxxi.upsert(task.id, {
        state: pending ? 'pending' : 'packaged',
        webhookAttempts: 0,
        lastError: null,
      });
      logger.info({ taskId: task.id, dir: written.dir }, 'MAXXI package written');
      startDelivery(
        task.id,
        payloadOf(
          { ...task, completedAt: completedAt.toISOString() },
          written.relativeDir,
          written.manifest.files,
        ),
        0,
      );
      return written;
    },

    async resumePending() {
      if (config.callbackUrl === undefined) return 0;
      let n = 0;
      for (const state of ['pending', 'retrying']) {
        for (const d of await store.maxxi.list({ state, limit: 1000 })) {
          const task = await store.tasks.get(d.taskId);
          if (task === undefined || task.completedAt === null) continue;
          const rel = packageRelativeDir(task.id, new Date(task.completedAt));
          const files = await readFile(join(config.outputDir, rel, 'manifest.json'), 'utf8')
            .then((t) => (JSON.parse(t) as { files?: unknown }).files)
            .catch(() => undefined);
          startDelivery(task.id, payloadOf(task, rel, files), d.webhookAttempts);
          n++;
        }
      }
      return n;
    },

    async close(timeoutMs = 5000) {
      const all = Promise.allSettled([...running]);
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      await all;
      clearTimeout(timer);
      abort.abort();
    },

    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
