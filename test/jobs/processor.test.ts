/**
 * The task processor end to end: a real generated WAV, the real pipeline in the real worker-thread
 * pool, a real SQLite store and the local queue driving it. Checks the stored report, the results
 * cache by content (no second analysis, the report addressed to the task's own file), coded
 * failures without retries for corrupt input, a by-reference file swapped for a symlink after
 * submission (refused, never analysed), and that cancelled tasks are skipped.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createQueue } from '../../src/jobs/create-queue.js';
import {
  computeAnalyzersKey,
  createTaskProcessor,
  type AnalyzeRunner,
} from '../../src/jobs/processor.js';
import type { JobQueue, QueueWorker } from '../../src/jobs/queue.js';
import { resolveAllowedPath } from '../../src/maxxi/allowed-roots.js';
import type { Report } from '../../src/pipeline/report.js';
import { WorkerPool } from '../../src/pipeline/worker-pool.js';
import { createDatabase } from '../../src/store/database.js';
import type { Store, Task } from '../../src/store/types.js';
import { noise, tempDir, tone, writeWav } from '../helpers/fixtures.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('task processor', () => {
  let dir: string;
  let store: Store;
  let queue: JobQueue;
  let pool: WorkerPool;
  let worker: QueueWorker;
  let analyses = 0;
  const analysedPaths: string[] = [];
  const hooked: { task: Task; report: Report; cached: boolean }[] = [];
  const progress: { taskId: string; fraction: number }[] = [];
  let wav: string;

  before(async () => {
    dir = tempDir('sono-processor-');
    store = await createDatabase({ kind: 'sqlite', file: join(dir, 'db.sqlite') });
    queue = await createQueue({
      kind: 'local',
      store,
      timing: { pollIntervalMs: 20, backoffBaseMs: 20, leaseMs: 30_000 },
    });
    queue.on('progress', (p) => progress.push(p));
    pool = new WorkerPool({ size: 1 });
    // Counting wrapper around the real pool: tells whether an analysis actually ran.
    const counted: AnalyzeRunner = (path, params, opts) => {
      analyses++;
      analysedPaths.push(path);
      return pool.run(path, params, opts);
    };
    worker = queue.startWorker(
      createTaskProcessor({
        store,
        pool: counted,
        logger: quiet,
        progressIntervalMs: 0,
        sourceRoots: [dir],
        hooks: {
          afterComplete: async (task, report, info) =>
            void hooked.push({ task, report, cached: info.cached }),
        },
      }),
      { concurrency: 1 },
    );
    // 2 s of a 440 Hz tone plus a little noise, 44.1 kHz stereo 16-bit.
    const sr = 44100;
    const left = tone(440, 2, sr, 0.5);
    const n = noise(2, sr, 0.01, 7);
    const right = left.map((v, i) => v + n[i]!);
    wav = writeWav(dir, 'tone.wav', [left, right], { sampleRateHz: sr, format: 'pcm16' });
  });

  after(async () => {
    await worker.close({ graceful: true });
    await queue.close();
    await pool.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function submit(
    path: string,
    processingType = 'technical',
    options: Record<string, unknown> | null = null,
  ): Promise<Task> {
    const task = await store.tasks.create({ processingType, sourcePath: path, options });
    await queue.enqueue({ taskId: task.id });
    return task;
  }

  async function settled(id: string): Promise<Task> {
    const end = Date.now() + 60_000;
    for (;;) {
      const t = await store.tasks.get(id);
      if (t && ['completed', 'failed', 'cancelled'].includes(t.status)) return t;
      if (Date.now() > end) throw new Error(`task ${id} did not finish: ${t?.status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('analyses a WAV in the worker pool and stores the report', async () => {
    const task = await submit(wav);
    const done = await settled(task.id);
    assert.equal(done.status, 'completed', `${done.errorCode}: ${done.errorMessage}`);
    assert.equal(done.progress, 1);
    assert.equal(done.attempts, 1);
    assert.equal(done.cachedFromTaskId, null);
    assert.ok(done.processingTimeSec !== null && done.processingTimeSec > 0);
    assert.ok(Math.abs(done.durationSec! - 2) < 0.01, `duration ${done.durationSec}`);
    const expectedSha = createHash('sha256').update(readFileSync(wav)).digest('hex');
    assert.equal(done.sha256, expectedSha);

    const result = await store.results.get(done.resultId!);
    assert.ok(result);
    const report = JSON.parse(result.reportJson) as Report;
    assert.equal(report.task_id, task.id);
    // Analysed through the pinned descriptor, reported under the task's own path and name.
    assert.match(analysedPaths[0]!, /^\/proc\/\d+\/fd\/\d+$/);
    assert.equal(report.source.path, wav);
    assert.equal(report.source.file_name, 'tone.wav');
    assert.equal(report.schema_version, result.schemaVersion);
    assert.equal(report.results.fixity.sha256, expectedSha);
    assert.equal(report.audio_info.channels, 2);
    assert.equal(report.audio_info.sample_rate, 44100);
    assert.equal(result.analyzersKey, computeAnalyzersKey('technical'));
    assert.deepEqual(
      report.processing.analyzers.map((a) => `${a.name}@${a.version}`),
      result.analyzersKey.split(';')[0]!.split(','),
    );
    const mine = progress.filter((p) => p.taskId === task.id).map((p) => p.fraction);
    assert.ok(mine.length >= 1, 'progress reported while analysing');
    assert.ok(
      mine.every((f) => f > 0 && f < 1),
      `fractions ${mine.join(',')}`,
    );
    assert.equal(analyses, 1);
    assert.equal(hooked.length, 1);
    assert.equal(hooked[0]!.task.id, task.id);
    assert.equal(hooked[0]!.task.status, 'completed');
    assert.equal(hooked[0]!.cached, false);
  });

  it('serves identical audio from the results cache without analysing it again', async () => {
    const copy = join(dir, 'same-content-other-name.wav');
    copyFileSync(wav, copy);
    const first = (await store.tasks.list({ status: 'completed' })).items[0]!;
    const task = await submit(copy);
    const done = await settled(task.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.resultId, first.resultId);
    assert.equal(done.cachedFromTaskId, first.id);
    assert.equal(analyses, 1, 'no second analysis');
    // The hook gets the cached report, addressed to the new task.
    assert.equal(hooked.length, 2);
    assert.equal(hooked[1]!.report.task_id, task.id);
    assert.equal(hooked[1]!.cached, true);
    assert.equal(hooked[1]!.report.results.fixity.sha256, done.sha256);
    // …and never the path, name or title of the submission that filled the cache.
    const r = hooked[1]!.report;
    assert.equal(r.source.path, copy);
    assert.equal(r.source.file_name, 'same-content-other-name.wav');
    assert.deepEqual(r.results.metadata_generation.dublin_core?.title, [
      'same-content-other-name.wav',
    ]);
    assert.equal(JSON.stringify(r).includes('tone.wav'), false, 'no trace of the first name');
  });

  it('a cache hit under a mislabelled name gets its own extension_mismatch finding', async () => {
    const named = join(dir, 'same-content.mp3');
    copyFileSync(wav, named);
    const done = await settled((await submit(named)).id);
    assert.equal(done.status, 'completed', `${done.errorCode}: ${done.errorMessage}`);
    assert.notEqual(done.cachedFromTaskId, null);
    const r = hooked.at(-1)!.report;
    assert.equal(r.source.file_name, 'same-content.mp3');
    const content = r.results.technical_metadata.content!;
    assert.equal(content.format, 'wav');
    assert.equal(content.extension, 'mp3');
    assert.equal(content.extension_mismatch, true);
    const qc = r.results.quality_control as unknown as {
      verdict: string;
      profile: { checks: { id: string; status: string }[] };
    };
    const check = qc.profile.checks.find((c) => c.id === 'extension_mismatch');
    assert.equal(check?.status, 'warn');
    assert.ok(r.warnings.some((w) => w.includes('named .mp3 but holds WAV')));
    // The cached original stays as it was (no mismatch for tone.wav).
    const original = JSON.parse((await store.results.get(done.resultId!))!.reportJson) as Report;
    assert.equal(original.results.technical_metadata.content!.extension_mismatch, false);
  });

  it('a by-reference file whose directory is swapped for a symlink after submission is refused, never analysed', async () => {
    const outside = tempDir('sono-outside-');
    try {
      mkdirSync(join(dir, 'tapes', 'a'), { recursive: true });
      mkdirSync(join(outside, 'a'));
      writeWav(join(dir, 'tapes', 'a'), 'take.wav', [tone(660, 1, 16000, 0.3)], {
        sampleRateHz: 16000,
      });
      const secret = writeWav(join(outside, 'a'), 'take.wav', [tone(330, 1, 16000, 0.3)], {
        sampleRateHz: 16000,
      });
      // The submission check (what POST /api/v1/batch/process runs before its 202).
      const checked = await resolveAllowedPath(join(dir, 'tapes', 'a', 'take.wav'), [dir]);
      const task = await store.tasks.create({ processingType: 'technical', sourcePath: checked });
      // After the 202: the directory becomes a symlink to a directory outside the root.
      renameSync(join(dir, 'tapes', 'a'), join(dir, 'tapes', 'a-moved'));
      symlinkSync(join(outside, 'a'), join(dir, 'tapes', 'a'));
      assert.equal(readFileSync(checked).equals(readFileSync(secret)), true, 'swap in place');
      const before = analyses;
      await queue.enqueue({ taskId: task.id });
      const done = await settled(task.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.errorCode, 'SONO_ERR_PATH_NOT_ALLOWED');
      assert.equal(done.resultId, null);
      assert.equal(analyses, before, 'the file outside the root was never analysed');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a different processing type or different options is analysed anew', async () => {
    const speech = await settled((await submit(wav, 'speech')).id);
    assert.equal(speech.status, 'completed', `${speech.errorCode}: ${speech.errorMessage}`);
    assert.equal(speech.cachedFromTaskId, null);
    const access = await settled((await submit(wav, 'technical', { profile: 'access-copy' })).id);
    assert.equal(access.status, 'completed');
    assert.equal(access.cachedFromTaskId, null);
    assert.notEqual(
      computeAnalyzersKey('technical', { profile: 'access-copy' }),
      computeAnalyzersKey('technical'),
    );
    assert.equal(analyses, 3);
  });

  it('corrupt audio fails at once with its code, no retry', async () => {
    const bad = join(dir, 'corrupt.wav');
    const junk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) & 0xff;
    writeFileSync(bad, junk);
    const before = analyses;
    const done = await settled((await submit(bad)).id);
    assert.equal(done.status, 'failed');
    assert.match(
      done.errorCode ?? '',
      /^SONO_ERR_(NOT_AUDIO|CORRUPT_HEADER|DECODE_FAILED|UNSUPPORTED_CODEC)$/,
    );
    assert.equal(done.attempts, 1);
    assert.equal(analyses, before + 1);
  });

  it('a missing file fails with SONO_ERR_PATH_NOT_FOUND', async () => {
    const done = await settled((await submit(join(dir, 'gone.wav'))).id);
    assert.equal(done.status, 'failed');
    assert.equal(done.errorCode, 'SONO_ERR_PATH_NOT_FOUND');
  });

  it('reports progress into the task and cancels a running analysis', async () => {
    // 2 minutes of noisy tone: long enough to be caught mid-analysis.
    const sr = 22050;
    const x = tone(220, 120, sr, 0.3);
    const n = noise(120, sr, 0.05, 3);
    const long = writeWav(dir, 'long.wav', [x.map((v, i) => v + n[i]!)], { sampleRateHz: sr });
    const failed: string[] = [];
    queue.on('failed', (e) => failed.push(e.error.code));
    const task = await submit(long, 'comprehensive');
    const end = Date.now() + 60_000;
    let seen: Task | undefined;
    for (;;) {
      seen = await store.tasks.get(task.id);
      if (seen?.status === 'processing' && seen.progress > 0) break;
      assert.notEqual(seen?.status, 'completed', 'finished before it could be cancelled');
      if (Date.now() > end) throw new Error(`no progress: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(seen.progress < 1);
    assert.equal(await queue.cancel(task.id), true);
    const done = await settled(task.id);
    assert.equal(done.status, 'cancelled');
    assert.equal(done.resultId, null);
    while (failed.length === 0) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(failed, ['SONO_ERR_CANCELLED']);
  });

  it('a task cancelled before it runs is skipped', async () => {
    const before = analyses;
    const task = await store.tasks.create({ processingType: 'technical', sourcePath: wav });
    await store.tasks.markCancelled(task.id);
    const completedBefore = (await queue.counts()).completed;
    await queue.enqueue({ taskId: task.id });
    const end = Date.now() + 10_000;
    while ((await queue.counts()).completed === completedBefore) {
      if (Date.now() > end) throw new Error('job not consumed');
      await new Promise((r) => setTimeout(r, 25));
    }
    const t = await store.tasks.get(task.id);
    assert.equal(t?.status, 'cancelled');
    assert.equal(t?.resultId, null);
    assert.equal(analyses, before);
  });
});
