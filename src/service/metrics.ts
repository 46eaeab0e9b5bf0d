/**
 * Prometheus metrics (prom-client), one registry per app so several apps (tests) never collide.
 * Jobs by state and queue depth are read at scrape time from the database and the queue, so they
 * are right across every API and worker process; counters and histograms observed at job end
 * (duration, audio seconds) live in the process that ran the job.
 */
import client from 'prom-client';
import type { JobQueue } from '../jobs/queue.js';
import type { Store } from '../store/types.js';

export interface ServiceMetrics {
  readonly registry: client.Registry;
  readonly httpRequests: client.Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  readonly jobDuration: client.Histogram<'processing_type' | 'outcome'>;
  readonly audioSeconds: client.Counter<'processing_type'>;
  readonly processingSeconds: client.Counter<'processing_type'>;
  readonly errors: client.Counter<'code' | 'source'>;
  readonly uploadBytes: client.Counter;
}

export function createServiceMetrics(sources: {
  readonly store?: Store;
  readonly queue?: JobQueue;
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
  const { store, queue } = sources;
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
  };
}
