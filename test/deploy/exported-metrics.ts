/**
 * The series names a fully wired service exports (histograms expanded to _bucket/_sum/_count),
 * read from prom-client's own registry so the list cannot drift from src/service/metrics.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceMetrics } from '../../src/service/metrics.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import type { Store } from '../../src/store/types.js';

export async function exportedSeriesNames(): Promise<Set<string>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sono-metrics-'));
  try {
    // Store and queue only need to exist for their gauges to be registered.
    const m = createServiceMetrics({ store: {} as Store, queue: {} as JobQueue, dataDir });
    const out = new Set<string>();
    for (const metric of await m.registry.getMetricsAsJSON()) {
      out.add(metric.name);
      if (String(metric.type) === 'histogram')
        for (const s of ['_bucket', '_sum', '_count']) out.add(metric.name + s);
    }
    return out;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
