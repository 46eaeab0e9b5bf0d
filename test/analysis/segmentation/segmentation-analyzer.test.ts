import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createSegmentationAnalyzer,
  loadSegmenterModel,
  SEGMENT_LABELS,
  type SegmentationSection,
  type SegmentLabel,
} from '../../../src/analysis/segmentation/index.js';
import { createVoiceActivityAnalyzer } from '../../../src/analysis/voice-activity/index.js';
import { SonoError } from '../../../src/errors.js';
import { validateAgainst } from '../../../src/pipeline/validate-report.js';
import { decodeMono16k, driveAnalyzers } from '../../../eval/speech-harness.js';
import { corpusOrSkip } from '../../helpers/corpus.js';
import { chord, concat, noise, silence, tempDir, tone } from '../../helpers/fixtures.js';

const SR = 16000;

async function segment(x: Float32Array): Promise<SegmentationSection> {
  const r = await driveAnalyzers(
    (ctx) => [createVoiceActivityAnalyzer(ctx), createSegmentationAnalyzer(ctx)],
    x,
  );
  return r.sections['segmentation'] as SegmentationSection;
}

/** Seconds of [from, to) labelled `label`. */
function secondsOf(s: SegmentationSection, label: SegmentLabel, from: number, to: number): number {
  let t = 0;
  for (const g of s.segments) {
    if (g.label !== label) continue;
    t += Math.max(0, Math.min(to, g.end) - Math.max(from, g.start));
  }
  return t;
}

function assertWellFormed(s: SegmentationSection, durationSec: number): void {
  assert.equal(s.status, 'ok');
  assert.equal(s.vad_used, true);
  assert.equal(s.segments[0]!.start, 0);
  assert.ok(Math.abs(s.segments.at(-1)!.end - durationSec) < 1e-3);
  for (let i = 1; i < s.segments.length; i++) {
    assert.equal(s.segments[i]!.start, s.segments[i - 1]!.end, 'gap-free');
    assert.notEqual(s.segments[i]!.label, s.segments[i - 1]!.label, 'neighbours differ');
  }
  for (const g of s.segments) assert.ok(g.confidence > 0 && g.confidence <= 1);
  const v = validateAgainst('sections/segmentation.schema.json', JSON.parse(JSON.stringify(s)));
  assert.deepEqual(v.errors, []);
  const total = SEGMENT_LABELS.reduce((a, l) => a + s.summary[l].total_sec, 0);
  assert.ok(Math.abs(total - durationSec) < 0.01, `summary totals ${total}`);
  const ratios = SEGMENT_LABELS.reduce((a, l) => a + s.summary[l].ratio, 0);
  assert.ok(Math.abs(ratios - 1) < 0.01);
}

test('generated fixtures: silence, white noise, a chord sequence', async () => {
  const chords = concat(
    ...[
      [261.6, 329.6, 392],
      [293.7, 349.2, 440],
      [329.6, 392, 493.9],
      [349.2, 440, 523.3],
    ].flatMap((c) => [chord(c, 1, SR, 0.5), tone(c[0]! * 2, 0.5, SR, 0.3)]),
  );
  const x = concat(silence(6, SR), noise(6, SR, 0.1, 11), chords);
  const s = await segment(x);
  assertWellFormed(s, x.length / SR);
  // Boundaries are judged at 0.1 s; allow 1 s of slack around each one.
  assert.ok(secondsOf(s, 'silence', 0, 5) > 4.5, JSON.stringify(s.segments));
  assert.ok(secondsOf(s, 'noise', 7, 11) > 3.5, JSON.stringify(s.segments));
  assert.ok(secondsOf(s, 'music', 13, 18) > 4, JSON.stringify(s.segments));
});

test('corpus: speech, then silence, then music (held-out files) are told apart', async (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  const speech = (
    await decodeMono16k(join(corpus, 'speech/librispeech-5703-47212-0000.ogg'))
  ).subarray(0, 10 * SR);
  const music = (await decodeMono16k(join(corpus, 'music/setuniman-sweet-waltz.ogg'))).subarray(
    5 * SR,
    17 * SR,
  );
  const x = concat(speech, silence(4, SR), music);
  const s = await segment(x);
  assertWellFormed(s, x.length / SR);
  assert.ok(secondsOf(s, 'speech', 0, 10) > 7, JSON.stringify(s.segments));
  assert.ok(secondsOf(s, 'silence', 10.5, 13.5) > 2.5, JSON.stringify(s.segments));
  // a melodic instrument is sometimes called singing (measured in docs/EVALUATION.md: the
  // music → singing confusion of the mixtures); what must hold is that it is not speech
  assert.ok(
    secondsOf(s, 'music', 15, 26) + secondsOf(s, 'singing', 15, 26) > 8,
    JSON.stringify(s.segments),
  );
  assert.ok(secondsOf(s, 'music', 15, 26) > 3, JSON.stringify(s.segments));
  assert.ok(secondsOf(s, 'speech', 15, 26) < 1, JSON.stringify(s.segments));
});

test('a bad model file fails with a coded error naming it', () => {
  const dir = tempDir();
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ format: 'sonoteca-segmenter', format_version: 1 }));
  assert.throws(
    () => loadSegmenterModel(bad),
    (e: unknown) =>
      e instanceof SonoError && e.code === 'SONO_ERR_INVALID_MODEL' && e.message.includes(bad),
  );
  assert.throws(
    () => loadSegmenterModel(join(dir, 'missing.json')),
    (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_MODEL_LOAD',
  );
  const shipped = loadSegmenterModel();
  assert.deepEqual(validateAgainst('segmenter-model.schema.json', shipped).errors, []);
  assert.deepEqual([...shipped.classes].sort(), [...SEGMENT_LABELS].sort());
});

test('bad segmentation options name the bad value', () => {
  assert.throws(
    () =>
      createSegmentationAnalyzer({
        audioInfo: {} as never,
        analysisRateHz: SR,
        options: { analyzerOptions: { segmentation: { minSegmentSec: -1 } } },
      }),
    (e: unknown) => e instanceof SonoError && e.message.includes('segmentation.minSegmentSec'),
  );
});
