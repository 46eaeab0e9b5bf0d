/**
 * Assembles the running service from the configuration: store, queue, optional in-process worker
 * (analysis in worker threads), MAXXI integration, the HTTP app, and an orderly shutdown. Used by
 * `sonoteca serve` (API, plus the worker unless `--no-worker`) and `sonoteca worker` (worker only).
 *
 * Shutdown order (SIGTERM/SIGINT): stop accepting HTTP and finish in-flight requests → close the
 * queue worker gracefully (in-flight jobs finish, or are requeued after the timeout) → let MAXXI
 * deliveries settle → close the worker threads, the queue and the database. Nothing accepted is
 * lost: a job not finished is back in the durable queue.
 */
import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { toSonoError } from '../errors.js';
import { createQueue } from '../jobs/create-queue.js';
import type { JobQueue, QueueTiming, QueueWorker } from '../jobs/queue.js';
import type { LocalWorker } from './worker-runtime.js';
import { listen } from './server.js';
import { createMaxxiIntegration, type MaxxiIntegration } from '../maxxi/integration.js';
import { createDatabase } from '../store/database.js';
import type { Store } from '../store/types.js';
import { buildApp, buildProbeApp } from './app.js';
import { ensureAdmin } from './bootstrap.js';
import { sweepIncoming } from './uploads.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';
import { createModelsCheck } from './readiness.js';
import { createLogger, queueConfigOf, storeConfigOf } from './runtime-config.js';

export interface RuntimeOptions {
  /** Serve HTTP. */
  readonly api: boolean;
  /** Run a queue worker in this process. */
  readonly worker: boolean;
  readonly logger?: Logger;
  /** Queue timing (tests use small values). */
  readonly queueTiming?: QueueTiming;
  /** Seconds a graceful stop waits for in-flight jobs before requeueing them. @defaultValue 30 */
  readonly shutdownTimeoutSec?: number;
  /** Called with the one-time admin password on first run (default: printed to stderr). */
  readonly onBootstrapPassword?: (username: string, password: string) => void;
  /** Worker processes: serve /health, /ready and /metrics on this port (no API). */
  readonly healthPort?: number;
  /** MAXXI webhook timing (tests). */
  readonly webhook?: { readonly baseDelayMs?: number; readonly timeoutMs?: number };
}

export interface Runtime {
  readonly config: Config;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  readonly app: FastifyInstance | undefined;
  readonly worker: QueueWorker | undefined;
  readonly maxxi: MaxxiIntegration;
  /**
   * Stops everything in order; idempotent. `timeoutSec` overrides how long in-flight jobs may
   * run before they are requeued.
   */
  stop(timeoutSec?: number): Promise<void>;
}

export async function startRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const logger = opts.logger ?? createLogger(config);
  for (const w of config.warnings) logger.warn(w);
  await mkdir(config.uploadDir, { recursive: true });
  const store = await createDatabase(storeConfigOf(config), {
    onPoolError: (err) => logger.warn({ err }, 'database connection error'),
  });
  let queue: JobQueue;
  try {
    queue = await createQueue(queueConfigOf(config, store, opts.queueTiming));
  } catch (e) {
    await store.close();
    throw e;
  }
  const metrics = createServiceMetrics({ store, queue, dataDir: config.dataDir });
  const maxxi = createMaxxiIntegration({
    config: config.maxxi,
    store,
    logger: logger.child({ component: 'maxxi' }),
    webhook: opts.webhook,
    onDeliveryAttempt: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
  });

  let local: LocalWorker | undefined;
  if (opts.worker) {
    // Loaded only where a worker runs: API-only processes never load the analysis code.
    const { startLocalWorker } = await import('./worker-runtime.js');
    local = await startLocalWorker({ config, store, queue, metrics, maxxi, logger });
  }
  const pool = local?.pool;
  const worker = local?.worker;

  const modelsCheck = createModelsCheck();
  let app: FastifyInstance | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  if (opts.api) {
    // Only API processes write upload part files: clear what a crash left behind, then hourly.
    const sweep = async (): Promise<void> => {
      const swept = await sweepIncoming(config.uploadDir);
      if (swept.files > 0) logger.warn(swept, 'removed upload part files left by a crash');
    };
    await sweep();
    sweeper = setInterval(() => void sweep(), 3600_000);
    sweeper.unref();
    await ensureAdmin(store, logger, opts.onBootstrapPassword);
    app = await buildApp({
      config,
      store,
      queue,
      logger,
      metrics,
      maxxi,
      readinessChecks: {
        models: modelsCheck,
        ...(pool === undefined
          ? {}
          : { worker: async () => ({ ok: worker !== undefined, latencyMs: 0 }) }),
      },
    });
  }

  let probe: FastifyInstance | undefined;
  if (!opts.api && opts.healthPort !== undefined) {
    probe = await buildProbeApp({
      config,
      store,
      queue,
      logger,
      metrics,
      readinessChecks: {
        models: modelsCheck,
        worker: async () => ({ ok: worker !== undefined, latencyMs: 0 }),
      },
    });
    const address = await listen(probe, { host: config.host, port: opts.healthPort });
    logger.info({ address }, 'worker probes listening');
  }

  let stopping: Promise<void> | undefined;
  const stop = (timeoutSec?: number): Promise<void> => {
    stopping ??= (async () => {
      const timeoutMs = (timeoutSec ?? opts.shutdownTimeoutSec ?? 30) * 1000;
      logger.info('shutting down');
      clearInterval(sweeper);
      const step = async (name: string, f: () => Promise<unknown>) => {
        try {
          await f();
        } catch (e) {
          logger.error({ err: e }, `shutdown: ${name} failed`);
        }
      };
      if (app !== undefined) await step('http', () => app!.close());
      if (probe !== undefined) await step('probe', () => probe!.close());
      if (worker !== undefined)
        await step('worker', () => worker!.close({ graceful: true, timeoutMs }));
      await step('maxxi', () => maxxi.close(5000));
      if (pool !== undefined) await step('pool', () => pool!.close());
      await step('queue', () => queue.close());
      await step('store', () => store.close());
      logger.info('stopped');
    })();
    return stopping;
  };

  return { config, store, queue, metrics, logger, app, worker, maxxi, stop };
}

/**
 * Runs until SIGTERM/SIGINT, then stops in order. A second signal exits at once (jobs still in
 * flight stay leased and are reclaimed by another worker when their lease expires).
 */
export function stopOnSignals(runtime: Runtime): Promise<void> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalled) {
        runtime.logger.warn({ signal: sig }, 'second signal: exiting now');
        process.exit(130);
      }
      signalled = true;
      runtime.logger.info({ signal: sig }, 'signal received');
      runtime.stop().then(resolve, (e: unknown) => {
        runtime.logger.error({ err: toSonoError(e) }, 'shutdown failed');
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
