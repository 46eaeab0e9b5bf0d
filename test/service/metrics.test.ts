/**
 * The metrics the alert rules and the dashboard need beyond request/job basics: data-directory
 * filesystem gauges (real statfs), per-analyzer time from a report, readiness per component, and
 * the probe app of a worker process serving its own `/metrics`.
 */
import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { buildProbeApp } from '../../src/service/app.js';
import {
  createServiceMetrics,
  recordCompletedJob,
  recordReadiness,
} from '../../src/service/metrics.js';
import { createHarness, type Harness } from './harness.js';

/** The value of one sample in the text exposition format. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('service metrics', () => {
  let h: Harness;
  before(async () => (h = await createHarness('sqlite+local')));
  after(async () => h.close());

  it('exports the data directory filesystem size and free space (statfs)', async () => {
    const m = createServiceMetrics({ dataDir: h.config.dataDir });
    const text = await m.registry.metrics();
    const s = statfsSync(h.config.dataDir);
    const path = `{path="${h.config.dataDir}"}`;
    const size = sample(text, `sonoteca_data_dir_size_bytes${path}`);
    const avail = sample(text, `sonoteca_data_dir_available_bytes${path}`);
    assert.equal(size, s.blocks * s.bsize);
    assert.ok(avail !== undefined && avail > 0 && avail <= size!, String(avail));
    // Free space moves while tests run elsewhere: within 1 % of a fresh statfs.
    assert.ok(Math.abs(avail - s.bavail * s.bsize) < 0.01 * size!);
  });

  it('a missing data directory gives no sample, not a made-up one', async () => {
    const m = createServiceMetrics({ dataDir: '/nonexistent/sonoteca-data' });
    const text = await m.registry.metrics();
    assert.doesNotMatch(text, /^sonoteca_data_dir_(size|available)_bytes/m);
  });

  it('a completed job adds its audio, processing and per-analyzer seconds', async () => {
    const m = createServiceMetrics({});
    const report = {
      audio_info: { decoded_duration: 12.5 },
      processing: {
        duration_sec: 2.5,
        analyzers: [
          { name: 'loudness', cpu_ms: 250 },
          { name: 'silero_vad', cpu_ms: 1500 },
        ],
      },
    } as unknown as Parameters<typeof recordCompletedJob>[2];
    recordCompletedJob(m, 'comprehensive', report);
    recordCompletedJob(m, 'comprehensive', report);
    const text = await m.registry.metrics();
    const pt = 'processing_type="comprehensive"';
    assert.equal(sample(text, `sonoteca_audio_seconds_processed_total{${pt}}`), 25);
    assert.equal(sample(text, `sonoteca_processing_seconds_total{${pt}}`), 5);
    assert.equal(sample(text, 'sonoteca_analyzer_seconds_total{analyzer="loudness"}'), 0.5);
    assert.equal(sample(text, 'sonoteca_analyzer_seconds_total{analyzer="silero_vad"}'), 3);
    assert.equal(sample(text, `sonoteca_job_duration_seconds_count{${pt},outcome="completed"}`), 2);
  });

  it('readiness per component, refreshed on every scrape of /metrics', async () => {
    const m = createServiceMetrics({});
    recordReadiness(m, { database: { ok: true }, queue: { ok: false } });
    const text = await m.registry.metrics();
    assert.equal(sample(text, 'sonoteca_ready{component="database"}'), 1);
    assert.equal(sample(text, 'sonoteca_ready{component="queue"}'), 0);

    const res = await h.app.inject({ url: '/metrics' });
    assert.equal(sample(res.body, 'sonoteca_ready{component="database"}'), 1);
    assert.equal(sample(res.body, 'sonoteca_ready{component="queue"}'), 1);
    assert.match(res.body, /^sonoteca_data_dir_size_bytes\{path="[^"]+"\} [1-9]/m);
  });

  it("a worker's probe app serves its own /metrics with readiness and slots", async () => {
    const metrics = createServiceMetrics({ store: h.store, queue: h.queue });
    metrics.workerConcurrency.set(3);
    const probe = await buildProbeApp({
      config: h.config,
      store: h.store,
      queue: h.queue,
      metrics,
      readinessChecks: { worker: async () => ({ ok: false, latencyMs: 0 }) },
    });
    try {
      const res = await probe.inject({ url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.equal(sample(res.body, 'sonoteca_worker_concurrency'), 3);
      assert.equal(sample(res.body, 'sonoteca_ready{component="worker"}'), 0);
      assert.equal(sample(res.body, 'sonoteca_ready{component="database"}'), 1);
      assert.ok(res.body.includes('sonoteca_queue_jobs{state="waiting"}'));
      assert.equal((await probe.inject({ url: '/api/v1/tasks' })).statusCode, 404);
    } finally {
      await probe.close();
    }
  });
});
