/**
 * Review routes over both backends (SQLite + local queue, PostgreSQL + BullMQ): a real analysis
 * of a corpus conversation stored as a completed task, then collection, queue, peaks, audio by
 * range, corrections as versions (machine version kept), exports of the reviewed version, the
 * accuracy dashboard, the labels CSV, and a viewer refused.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseLabelsCsv } from '../../src/analysis/heritage/train.js';
import { analyzeFile } from '../../src/pipeline/analyze-file.js';
import type { Report } from '../../src/pipeline/report.js';
import { validateReport } from '../../src/pipeline/validate-report.js';
import { corpusDir } from '../helpers/corpus.js';
import { existsSync } from 'node:fs';
import { BACKENDS, createHarness, type Harness } from './harness.js';

// Reports are deep JSON documents: the assertions below walk them untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const sample = join(corpusDir(), 'conversation', 'pyannote-sample.wav');
const haveCorpus = existsSync(sample);
if (!haveCorpus && process.env['CI'] === 'true') throw new Error(`corpus missing: ${sample}`);
if (!haveCorpus) console.warn(`\n*** SKIPPING review route tests: no corpus at ${sample} ***\n`);

let machine: Report;
before(async () => {
  if (haveCorpus) machine = await analyzeFile(sample, { processingType: 'comprehensive' });
});

for (const backend of BACKENDS) {
  describe(`review routes (${backend})`, { skip: !haveCorpus }, () => {
    let h: Harness;
    let taskId: string;
    before(async () => {
      h = await createHarness(backend);
      mkdirSync(h.config.uploadDir, { recursive: true });
      const stored = join(h.config.uploadDir, 'review-sample');
      copyFileSync(sample, stored);
      const task = await h.store.tasks.create({
        processingType: 'comprehensive',
        sourcePath: stored,
        originalName: 'pyannote-sample.wav',
        sizeBytes: statSync(stored).size,
        mime: 'audio/wav',
        submittedBy: 'archivist1',
      });
      taskId = task.id;
      const result = await h.store.results.insertOrGet({
        taskId,
        sha256: machine.results.fixity.sha256!,
        processingType: 'comprehensive',
        analyzersKey: `review-test-${backend}`,
        schemaVersion: machine.schema_version,
        reportJson: JSON.stringify(machine),
      });
      await h.store.tasks.markProcessing(taskId, 1);
      await h.store.tasks.markCompleted(taskId, {
        resultId: result.id,
        processingTimeSec: 1,
        durationSec: 30,
      });
      // A failed task lands in the queue with its reason.
      const bad = await h.store.tasks.create({ processingType: 'technical', sourcePath: stored });
      await h.store.tasks.markFailed(bad.id, { code: 'SONO_ERR_DECODE_FAILED', message: 'x' });
    });
    after(async () => h?.close());

    const get = (url: string, role: 'viewer' | 'archivist' = 'viewer') =>
      h.app.inject({ url, headers: h.auth(role) });
    const correct = (correction: unknown, role: 'viewer' | 'archivist' = 'archivist') =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/results/${taskId}/corrections`,
        headers: h.auth(role),
        payload: { correction },
      });

    it('collection: search, filter and sort on the server, with the review summary', async () => {
      const res = await get('/api/v1/collection?q=PYANNOTE&sort=file_name&order=asc');
      assert.equal(res.statusCode, 200, res.body);
      const b = res.json() as { items: Record<string, unknown>[]; total: number };
      assert.equal(b.total, 1);
      const it0 = b.items[0]!;
      const h0 = machine.results.heritage_classification as Record<string, unknown>;
      assert.equal(it0['category'], h0['predicted_category']);
      assert.equal(it0['speakers'], machine.results.speaker_recognition['speakers_detected']);
      assert.equal(it0['qc_verdict'], 'fail');
      const failed = (await get('/api/v1/collection?status=failed')).json() as { total: number };
      assert.equal(failed.total, 1);
      assert.equal((await get('/api/v1/collection?q=nothing-like-it')).json().total, 0);
    });

    it('queue: ranked by reasons with a count per reason', async () => {
      const b = (await get('/api/v1/review/queue')).json() as {
        items: { reasons: string[]; priority_score: number }[];
        reasons: { reason: string; count: number }[];
      };
      assert.equal(b.items.length, 2);
      assert.deepEqual(b.items[0]!.reasons, ['analysis_failed']);
      assert.ok(b.items[0]!.priority_score >= b.items[1]!.priority_score);
      assert.ok(b.items[1]!.reasons.includes('qc_fail'));
      const count = (r: string) => b.reasons.find((x) => x.reason === r)!.count;
      assert.equal(count('analysis_failed'), 1);
      assert.equal(count('qc_fail'), 1);
    });

    it('peaks and audio: peaks without audio; audio by HTTP range', async () => {
      const p = (await get(`/api/v1/results/${taskId}/peaks`)).json() as {
        levels: { bins: number }[];
        duration_sec: number;
      };
      assert.equal(p.duration_sec, 30);
      assert.equal(p.levels[0]!.bins, Math.ceil((30 * 16000) / 256));
      const a = await h.app.inject({
        url: `/api/v1/tasks/${taskId}/audio`,
        headers: { ...h.auth('viewer'), range: 'bytes=0-99' },
      });
      assert.equal(a.statusCode, 206);
      assert.equal(a.rawPayload.length, 100);
      assert.equal(a.rawPayload.subarray(0, 4).toString(), 'RIFF');
      assert.match(String(a.headers['content-range']), /^bytes 0-99\/\d+$/);
      assert.equal(a.headers['content-type'], 'audio/wav');
      // <audio> cannot send a header: a signed URL plays this one recording, nothing else.
      const signed = await h.app.inject({
        method: 'POST',
        url: `/api/v1/tasks/${taskId}/audio-url`,
        headers: h.auth('viewer'),
      });
      const url = (signed.json() as { url: string }).url;
      const bySig = await h.app.inject({ url, headers: { range: 'bytes=0-3' } });
      assert.equal(bySig.statusCode, 206);
      assert.equal(bySig.body, 'RIFF');
      const forged = await h.app.inject({ url: url.replace(/sig=./, 'sig=x') });
      assert.equal(forged.statusCode, 401);
      const noAuth = await h.app.inject({ url: `/api/v1/tasks/${taskId}/audio` });
      assert.equal(noAuth.statusCode, 401);
    });

    it('corrections: versions with user and time, reviewed by default, machine on request', async () => {
      const seg = machine.results.segmentation['segments'] as { start: number; end: number }[];
      // A category other than the machine's, so the correction is a change whatever the model says.
      const machineCategory = (machine.results.heritage_classification as Record<string, unknown>)[
        'predicted_category'
      ];
      const category = machineCategory === 'spoken_word' ? 'historical_speech' : 'spoken_word';
      const viewerTry = await correct({ type: 'set_category', category: 'spoken_word' }, 'viewer');
      assert.equal(viewerTry.statusCode, 403);
      const moved = await correct({
        type: 'move_boundary',
        lane: 'segmentation',
        index: 0,
        edge: 'end',
        to_sec: seg[0]!.end + 0.5,
      });
      assert.equal(moved.statusCode, 201, moved.body);
      assert.equal(moved.json().version, 1);
      assert.equal(moved.json().correction.moved_sec, 0.5);
      assert.equal(
        (await correct({ type: 'rename_speaker', speaker: 'SPEAKER_00', name: 'Ada Lovelace' }))
          .statusCode,
        201,
      );
      assert.equal((await correct({ type: 'set_category', category })).statusCode, 201);
      const bad = await correct({ type: 'set_category', category: 'jazz' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /jazz/);
      const ok = await correct({ type: 'approve' });
      assert.equal(ok.json().review.approved, true);

      const reviewed = (await get(`/api/v1/results/${taskId}`)).json() as Record<string, Json>;
      assert.equal(reviewed['results'].heritage_classification.predicted_category, category);
      assert.equal(
        reviewed['results'].heritage_classification.machine.predicted_category,
        machineCategory,
      );
      assert.equal(reviewed['results'].segmentation.segments[0].end, seg[0]!.end + 0.5);
      assert.equal(reviewed['results'].speaker_recognition.speakers[0].name, 'Ada Lovelace');
      assert.equal(reviewed['review'].version, 4);
      const v = validateReport(reviewed as Report);
      assert.ok(v.valid, v.errors.join('\n'));
      const m = (await get(`/api/v1/results/${taskId}?version=machine`)).json() as Record<
        string,
        Json
      >;
      assert.equal(m['results'].segmentation.segments[0].end, seg[0]!.end);
      assert.equal(m['review'], undefined);

      const xml = await get(`/api/v1/results/${taskId}/exports/dublin-core-xml`, 'archivist');
      assert.ok(xml.body.includes(`<dc:subject>${category}</dc:subject>`), xml.body);
      assert.match(xml.body, /<dc:contributor>Ada Lovelace<\/dc:contributor>/);

      const versions = (await get(`/api/v1/results/${taskId}/corrections`)).json() as {
        versions: { version: number; kind: string; actor: string; created_at: string }[];
      };
      assert.deepEqual(
        versions.versions.map((x) => x.kind),
        ['move_boundary', 'rename_speaker', 'set_category', 'approve'],
      );
      assert.ok(versions.versions.every((x) => x.actor === 'user:archivist1' && x.created_at));
      const audit = await h.store.audit.list({ targetId: taskId });
      assert.deepEqual(
        audit.items.map((a) => a.action).filter((a) => a.startsWith('result.')),
        ['result.approved', 'result.corrected', 'result.corrected', 'result.corrected'],
      );

      const acc = (await get('/api/v1/review/accuracy')).json() as {
        analyzers: Record<string, unknown>[];
        approved_recordings: number;
      };
      assert.equal(acc.approved_recordings, 1);
      const her = acc.analyzers.find((a) => a['analyzer'] === 'heritage_classification')!;
      assert.equal(her['category_changes'], 1);
      const sg = acc.analyzers.find((a) => a['analyzer'] === 'segmentation')!;
      assert.deepEqual(sg['boundary_move'], { total_sec: 0.5, mean_sec: 0.5, max_sec: 0.5 });

      const csv = await get('/api/v1/review/labels.csv', 'archivist');
      const rows = parseLabelsCsv(csv.body, join(h.config.uploadDir, 'labels.csv'));
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.category, category);
      assert.ok(existsSync(rows[0]!.path));
      // Reviewed recordings leave the queue.
      const q = (await get('/api/v1/review/queue')).json() as { total: number };
      assert.equal(q.total, 1);
    });
  });
}
