/**
 * Prometheus metrics (prom-client), one registry per app so several apps (tests) never collide.
 * Jobs by state and queue depth are read at scrape time from the database and the queue, so they
 * are right across every API and worker process (every process reports the same global figure:
 * aggregate them with `max`, never `sum`); counters and histograms observed at job end
 * (duration, audio seconds, per-analyzer time, attempts) live in the process that ran the job and
 * are summed across processes. The names are queried by `deploy/prometheus/sonoteca.rules.yml`
 * and `deploy/grafana/sonoteca.json` (checked against a real Prometheus in test/deploy).
 */
import { statfs } from 'node:fs/promises';
import client from 'prom-client';
import type { JobQueue } from '../jobs/queue.js';
import type { Report } from '../pipeline/report.js';
import type { Store } from '../store/types.js';

/** How one attempt of a job ended in this process's worker. */
export type JobAttemptOutcome = 'completed' | 'retrying' | 'failed' | 'lost';
/** How one webhook delivery attempt ended. */
export type WebhookAttemptOutcome = 'delivered' | 'retrying' | 'failed';

export interface ServiceMetrics {
  readonly registry: client.Registry;
  readonly httpRequests: client.Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  readonly jobDuration: client.Histogram<'processing_type' | 'outcome'>;
  readonly audioSeconds: client.Counter<'processing_type'>;
  readonly processingSeconds: client.Counter<'processing_type'>;
  readonly errors: client.Counter<'code' | 'source'>;
  readonly uploadBytes: client.Counter;
  /** Job attempts run by this process's worker, by how they ended. */
  readonly jobAttempts: client.Counter<'outcome'>;
  /** Seconds spent in each analyzer (`processing.analyzers[].cpu_ms`), jobs of this process. */
  readonly analyzerSeconds: client.Counter<'analyzer'>;
  readonly webhookDeliveries: client.Counter<'outcome'>;
  /** Analysis slots of this process's queue worker (0: no worker here). */
  readonly workerConcurrency: client.Gauge;
  /** 1 when the component answered the last readiness check (set on every scrape). */
  readonly ready: client.Gauge<'component'>;
}

export function createServiceMetrics(sources: {
  readonly store?: Store;
  readonly queue?: JobQueue;
  /** The data directory whose filesystem size and free space are exported. */
  readonly dataDir?: string;
}): ServiceMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'sonoteca_' });
  const httpRequests = new client.Counter({
    name: 'sonoteca_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: 'sonoteca_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const jobDuration = new client.Histogram({
    name: 'sonoteca_job_duration_seconds',
    help: 'Wall-clock time of finished analysis jobs',
    labelNames: ['processing_type', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers: [registry],
  });
  const audioSeconds = new client.Counter({
    name: 'sonoteca_audio_seconds_processed_total',
    help: 'Seconds of audio analysed by jobs of this process',
    labelNames: ['processing_type'] as const,
    registers: [registry],
  });
  const processingSeconds = new client.Counter({
    name: 'sonoteca_processing_seconds_total',
    help: 'Wall-clock seconds spent analysing, jobs of this process',
    labelNames: ['processing_type'] as const,
    registers: [registry],
  });
  const errors = new client.Counter({
    name: 'sonoteca_errors_total',
    help: 'Errors by code (source: http or job)',
    labelNames: ['code', 'source'] as const,
    registers: [registry],
  });
  const uploadBytes = new client.Counter({
    name: 'sonoteca_upload_bytes_total',
    help: 'Bytes of accepted uploads',
    registers: [registry],
  });
  const jobAttempts = new client.Counter({
    name: 'sonoteca_job_attempts_total',
    help: 'Job attempts run by this process (outcome: completed, retrying, failed, lost lease)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const analyzerSeconds = new client.Counter({
    name: 'sonoteca_analyzer_seconds_total',
    help: 'Seconds spent inside each analyzer, jobs of this process',
    labelNames: ['analyzer'] as const,
    registers: [registry],
  });
  const webhookDeliveries = new client.Counter({
    name: 'sonoteca_webhook_deliveries_total',
    help: 'MAXXI webhook delivery attempts by outcome (delivered, retrying, failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const workerConcurrency = new client.Gauge({
    name: 'sonoteca_worker_concurrency',
    help: 'Analysis slots of the queue worker of this process (0 when it runs none)',
    registers: [registry],
  });
  const ready = new client.Gauge({
    name: 'sonoteca_ready',
    help: 'Readiness of each component at the last scrape (1 ready, 0 not)',
    labelNames: ['component'] as const,
    registers: [registry],
  });
  const { store, queue, dataDir } = sources;
  if (dataDir !== undefined) {
    // Read at scrape time: a full disk loses uploads and results, so alert before it happens.
    const fsBytes = async (): Promise<{ size: number; avail: number } | undefined> => {
      try {
        const s = await statfs(dataDir);
        return { size: s.blocks * s.bsize, avail: s.bavail * s.bsize };
      } catch {
        // Not created yet: no sample rather than a made-up one (an unlabelled gauge would say 0,
        // which reads as a full disk; hence the `path` label).
        return undefined;
      }
    };
    new client.Gauge({
      name: 'sonoteca_data_dir_size_bytes',
      help: 'Size of the filesystem holding DATA_DIR',
      labelNames: ['path'] as const,
      registers: [registry],
      async collect() {
        const b = await fsBytes();
        if (b === undefined) this.reset();
        else this.set({ path: dataDir }, b.size);
      },
    });
    new client.Gauge({
      name: 'sonoteca_data_dir_available_bytes',
      help: 'Bytes available to the service on the filesystem holding DATA_DIR',
      labelNames: ['path'] as const,
      registers: [registry],
      async collect() {
        const b = await fsBytes();
        if (b === undefined) this.reset();
        else this.set({ path: dataDir }, b.avail);
      },
    });
  }
  if (store !== undefined) {
    new client.Gauge({
      name: 'sonoteca_tasks',
      help: 'Tasks by state (all processes, from the database)',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        try {
          const counts = await store.tasks.countByStatus();
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        } catch {
          // Database down: leave the last values; /ready reports the outage.
        }
      },
    });
  }
  if (queue !== undefined) {
    new client.Gauge({
      name: 'sonoteca_queue_jobs',
      help: 'Queue depth by state (waiting, delayed, active, completed, failed)',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        try {
          const counts = await queue.counts();
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        } catch {
          // Queue down: see /ready.
        }
      },
    });
  }
  return {
    registry,
    httpRequests,
    httpDuration,
    jobDuration,
    audioSeconds,
    processingSeconds,
    errors,
    uploadBytes,
    jobAttempts,
    analyzerSeconds,
    webhookDeliveries,
    workerConcurrency,
    ready,
  };
}

/** Records a completed job: duration, audio and processing seconds, per-analyzer time. */
export function recordCompletedJob(
  metrics: ServiceMetrics,
  processingType: string,
  report: Pick<Report, 'processing' | 'audio_info'>,
): void {
  const durationSec = report.processing.duration_sec;
  const labels = { processing_type: processingType };
  metrics.jobDuration.observe({ ...labels, outcome: 'completed' }, durationSec);
  metrics.processingSeconds.inc(labels, durationSec);
  metrics.audioSeconds.inc(
    labels,
    report.audio_info.decoded_duration ?? report.audio_info.duration ?? 0,
  );
  for (const a of report.processing.analyzers)
    metrics.analyzerSeconds.inc({ analyzer: a.name }, a.cpu_ms / 1000);
}

/** Sets `sonoteca_ready{component}` from a readiness check (every scrape). */
export function recordReadiness(
  metrics: ServiceMetrics,
  components: Readonly<Record<string, { readonly ok: boolean }>>,
): void {
  for (const [component, c] of Object.entries(components))
    metrics.ready.set({ component }, c.ok ? 1 : 0);
}
