import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFile } from '../../src/pipeline/analyze-file.js';
import type { Report } from '../../src/pipeline/report.js';
import { WorkerPool } from '../../src/pipeline/worker-pool.js';
import { noise, tempDir, tone, writeWav } from '../helpers/fixtures.js';

const dir = tempDir('sonoteca-pool-');
const a = writeWav(dir, 'a.wav', [tone(440, 2, 44100, 0.3)], { sampleRateHz: 44100 });
const b = writeWav(dir, 'b.wav', [noise(2, 22050, 0.2, 7), noise(2, 22050, 0.2, 8)], {
  sampleRateHz: 22050,
});

/** The report without what legitimately differs between runs (times, durations, CPU). */
function stable(r: Report): unknown {
  return { audio_info: r.audio_info, results: r.results, warnings: r.warnings, source: r.source };
}

test('the pool gives the same reports as in-process analysis, with progress', async () => {
  const pool = new WorkerPool({ size: 2 });
  try {
    const progress: number[] = [];
    const [ra, rb] = await Promise.all([
      pool.run(
        a,
        { processingType: 'technical' },
        { onProgress: (p) => progress.push(p.processedSec) },
      ),
      pool.run(b, { processingType: 'technical' }),
    ]);
    assert.ok(ra.ok && rb.ok);
    if (!ra.ok || !rb.ok) return;
    assert.deepEqual(
      stable(ra.report),
      stable(await analyzeFile(a, { processingType: 'technical' })),
    );
    assert.deepEqual(
      stable(rb.report),
      stable(await analyzeFile(b, { processingType: 'technical' })),
    );
    assert.ok(progress.length >= 1 && Math.abs(progress.at(-1)! - 2) < 1e-3);
  } finally {
    await pool.close();
  }
});

test('a crashed worker yields SONO_ERR_WORKER_CRASHED for its file and is replaced', async () => {
  const pool = new WorkerPool({
    size: 1,
    workerEntry: new URL('./fixtures/crashing-worker.ts', import.meta.url),
  });
  try {
    const crashed = await pool.run('/nowhere/crash.wav');
    assert.equal(crashed.ok, false);
    if (!crashed.ok) assert.equal(crashed.error.code, 'SONO_ERR_WORKER_CRASHED');
    const after = await pool.run(a, { processingType: 'technical' });
    assert.equal(after.ok, true, 'the replacement worker analyses the next file');
  } finally {
    await pool.close();
  }
});

test('cancelling a queued task resolves it with SONO_ERR_CANCELLED', async () => {
  const pool = new WorkerPool({ size: 1 });
  try {
    const ac = new AbortController();
    const first = pool.run(a, { processingType: 'technical' });
    const second = pool.run(b, { processingType: 'technical' }, { signal: ac.signal });
    ac.abort();
    const r2 = await second;
    assert.equal(r2.ok, false);
    if (!r2.ok) assert.equal(r2.error.code, 'SONO_ERR_CANCELLED');
    assert.equal((await first).ok, true);
  } finally {
    await pool.close();
  }
});

test('cancelling a running task stops its analysis with SONO_ERR_CANCELLED; the worker stays usable', async () => {
  // 10 minutes at 8 kHz: long enough that the analysis is still running when the cancel arrives.
  const long = writeWav(dir, 'long.wav', [noise(600, 8000, 0.1, 3)], { sampleRateHz: 8000 });
  const pool = new WorkerPool({ size: 1 });
  try {
    const ac = new AbortController();
    let progressAtCancel = -1;
    const r = await pool.run(
      long,
      { processingType: 'technical' },
      {
        signal: ac.signal,
        onProgress: (p) => {
          if (progressAtCancel < 0) {
            progressAtCancel = p.processedSec;
            ac.abort();
          }
        },
      },
    );
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'SONO_ERR_CANCELLED');
    assert.ok(progressAtCancel >= 0 && progressAtCancel < 600);
    assert.equal((await pool.run(a, { processingType: 'technical' })).ok, true);
  } finally {
    await pool.close();
  }
});

test('one abort signal shared by 20 queued files holds one listener, none once settled (no MaxListenersExceededWarning)', async () => {
  const { EventEmitter } = await import('node:events');
  const getEventListeners = EventEmitter.getEventListeners.bind(EventEmitter);
  const pool = new WorkerPool({ size: 1 });
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w.name);
  };
  process.on('warning', onWarning);
  try {
    const abort = new AbortController();
    const runs = Array.from({ length: 20 }, () =>
      pool.run(a, { processingType: 'technical' }, { signal: abort.signal }),
    );
    assert.equal(getEventListeners(abort.signal, 'abort').length, 1);
    const first = await runs[0]!;
    assert.equal(first.ok, true);
    abort.abort();
    const rest = await Promise.all(runs.slice(1));
    assert.ok(rest.every((r) => !r.ok && r.error.code === 'SONO_ERR_CANCELLED'));
    assert.equal(getEventListeners(abort.signal, 'abort').length, 0);
    // A signal that never aborts is released once its tasks settle.
    const keep = new AbortController();
    await pool.run(a, { processingType: 'technical' }, { signal: keep.signal });
    assert.equal(getEventListeners(keep.signal, 'abort').length, 0);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      warnings.filter((n) => n === 'MaxListenersExceededWarning'),
      [],
    );
  } finally {
    process.off('warning', onWarning);
    await pool.close();
  }
});
