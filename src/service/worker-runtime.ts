/**
 * The queue worker of a process: a worker-thread pool running the pipeline, the job processor
 * (H6a's `createTaskProcessor`) with the service's completion hook (metrics, MAXXI package and
 * webhook), and start-up repairs (re-enqueue orphaned queued tasks, resume MAXXI deliveries).
 * Imported dynamically by `runtime.ts` so API-only processes never load the analysis code.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { toSonoError } from '../errors.js';
import { createTaskProcessor, syncTaskFailures } from '../jobs/processor.js';
import type { JobQueue, QueueWorker } from '../jobs/queue.js';
import type { MaxxiIntegration } from '../maxxi/integration.js';
import { WorkerPool } from '../pipeline/worker-pool.js';
import type { Store } from '../store/types.js';
import { initWorkerSeries, recordCompletedJob, type ServiceMetrics } from './metrics.js';
import { workerConcurrency } from './runtime-config.js';
import { requeueOrphans } from './submissions.js';

export interface LocalWorker {
  readonly pool: WorkerPool;
  readonly worker: QueueWorker;
}

export async function startLocalWorker(deps: {
  readonly config: Config;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly metrics: ServiceMetrics;
  readonly maxxi: MaxxiIntegration;
  readonly logger: Logger;
}): Promise<LocalWorker> {
  const { config, store, queue, metrics, maxxi, logger } = deps;
  const concurrency = workerConcurrency(config);
  const pool = new WorkerPool({ size: concurrency });
  const jobLog = logger.child({ component: 'worker' });
  const handler = createTaskProcessor({
    store,
    pool,
    logger: jobLog,
    // Uploads are ours; by-reference files must still lie inside the MAXXI roots when opened.
    sourceRoots: [config.uploadDir, ...config.maxxi.allowedRoots],
    hooks: {
      afterComplete: async (task, report) => {
        recordCompletedJob(metrics, task.processingType, report);
        try {
          await maxxi.onTaskCompleted(task, report);
        } catch (e) {
          // The analysis succeeded; a package failure is logged and counted, not a job failure.
          const err = toSonoError(e);
          metrics.errors.inc({ code: err.code, source: 'maxxi' });
          jobLog.error({ taskId: task.id, err }, 'MAXXI package failed');
        }
      },
    },
  });
  syncTaskFailures(queue, store, jobLog);
  const worker = queue.startWorker(handler, { concurrency });
  // Worker events are process-local (queue events may repeat in every process on BullMQ), so
  // summing these counters over all scraped processes counts each attempt once.
  worker
    .on('completed', () => metrics.jobAttempts.inc({ outcome: 'completed' }))
    .on('failed', (e) => {
      metrics.jobAttempts.inc({ outcome: e.willRetry ? 'retrying' : 'failed' });
      if (!e.willRetry) metrics.errors.inc({ code: e.error.code, source: 'job' });
    })
    .on('lost', () => metrics.jobAttempts.inc({ outcome: 'lost' }));
  metrics.workerConcurrency.set(concurrency);
  initWorkerSeries(metrics);
  const healed = await requeueOrphans(store, queue, jobLog).catch(() => 0);
  const resumed = await maxxi.resumePending().catch(() => 0);
  jobLog.info(
    { concurrency, backend: queue.backend, healed, resumedDeliveries: resumed },
    'worker started',
  );
  return { pool, worker };
}
