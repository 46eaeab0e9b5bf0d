import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDer } from '../../../src/analysis/diarization/der.js';
import { isSonoError } from '../../../src/errors.js';
import { validateAgainst } from '../../../src/pipeline/validate-report.js';
import { runDiarization } from './drive.js';
import { conversation, type SyntheticSpeaker } from './synthetic-speakers.js';

const A: SyntheticSpeaker = { f0Hz: 110, tractScale: 1.0, syllableRateHz: 4 };
const B: SyntheticSpeaker = { f0Hz: 210, tractScale: 1.18, syllableRateHz: 5 };
const PLAN: [number, number][] = [
  [0, 4],
  [1, 3],
  [0, 5],
  [1, 4],
  [0, 3],
  [1, 5],
];

const two = conversation([A, B], PLAN);
const ref = two.turns.map((t) => ({ speaker: `S${t.speaker}`, start: t.start, end: t.end }));

test('two synthetic speakers: 2 found, turn boundaries within 0.5 s, low DER, per-speaker f0 and rate', async () => {
  const s = await runDiarization(two.samples);
  assert.equal(s.status, 'ok');
  const v = validateAgainst('sections/speaker_recognition.schema.json', s);
  assert.ok(v.valid, v.errors.join('; '));
  assert.equal(s.speech_source, 'energy'); // no voice_activity section given
  assert.equal(s.speakers_detected, 2);
  const turns = s.turns!;
  // every true turn start has a hypothesis turn start within 0.5 s, labelled consistently
  for (const t of two.turns) {
    const hit = turns.find((h) => Math.abs(h.start - t.start) <= 0.5);
    assert.ok(hit, `no hypothesis boundary near ${t.start.toFixed(2)} s`);
  }
  const der = computeDer(ref, turns, { collarSec: 0.25 });
  assert.ok(der.der < 0.05, `DER ${der.der}`);
  // speaker of the first turn is A (110 Hz), the other B (210 Hz)
  const byId = new Map(s.speakers!.map((p) => [p.id, p]));
  const first = byId.get(turns[0]!.speaker)!;
  const second = s.speakers!.find((p) => p.id !== first.id)!;
  assert.ok(Math.abs(first.f0_mean_hz! - 110) / 110 < 0.05, `f0 A ${first.f0_mean_hz}`);
  assert.ok(Math.abs(second.f0_mean_hz! - 210) / 210 < 0.05, `f0 B ${second.f0_mean_hz}`);
  assert.ok(first.f0_range_hz![0] < first.f0_mean_hz! && first.f0_range_hz![1] > first.f0_mean_hz!);
  // syllable nuclei: generated 4/s and 5/s (talk time includes the syllables' closing gaps)
  assert.ok(
    Math.abs(first.speech_rate_syllables_per_sec! - 4) < 0.8,
    `rate A ${first.speech_rate_syllables_per_sec}`,
  );
  assert.ok(
    Math.abs(second.speech_rate_syllables_per_sec! - 5) < 1,
    `rate B ${second.speech_rate_syllables_per_sec}`,
  );
  assert.equal(first.turns, 3);
  assert.equal(second.turns, 3);
  // talk time shares: A 12 s, B 12 s
  assert.ok(Math.abs(first.talk_time_sec - 12) < 1, `talk A ${first.talk_time_sec}`);
  assert.ok(Math.abs(first.share - 0.5) < 0.05);
  assert.ok(s.dominant_speaker === 'SPEAKER_00' || s.dominant_speaker === 'SPEAKER_01');
});

test('one synthetic speaker: 1 found', async () => {
  const one = conversation(
    [A],
    [
      [0, 4],
      [0, 3],
      [0, 5],
      [0, 4],
    ],
  );
  const s = await runDiarization(one.samples);
  assert.equal(s.speakers_detected, 1);
  assert.equal(s.dominant_speaker, 'SPEAKER_00');
  assert.equal(s.speakers![0]!.turns, 1);
});

test('speaker-count bounds are honoured and reported', async () => {
  const forced1 = await runDiarization(two.samples, { maxSpeakers: 1 });
  assert.equal(forced1.speakers_detected, 1);
  assert.deepEqual(forced1.bounds, { min_speakers: 1, max_speakers: 1 });
  const forced3 = await runDiarization(two.samples, { minSpeakers: 3 });
  assert.equal(forced3.speakers_detected, 3);
  assert.equal(forced3.estimated_by, 'bounds');
});

test('bad bounds are rejected with a coded error naming the value', async () => {
  await assert.rejects(
    () => runDiarization(two.samples, { minSpeakers: 3, maxSpeakers: 2 }),
    (e) => isSonoError(e) && e.code === 'SONO_ERR_INVALID_PARAMETER' && /3.*2/.test(e.message),
  );
  await assert.rejects(
    () => runDiarization(two.samples, { maxSpeakers: 0 }),
    (e) => isSonoError(e) && /maxSpeakers/.test(e.message),
  );
});

test('speech regions come from the voice_activity section when it ran', async () => {
  const regions = two.turns.map((t) => ({ start: t.start, end: t.end, confidence: 1 }));
  const s = await runDiarization(
    two.samples,
    {},
    {
      voice_activity: { status: 'ok', speech_segments: regions.slice(0, 2) },
    },
  );
  assert.equal(s.speech_source, 'voice_activity');
  const last = s.turns![s.turns!.length - 1]!;
  assert.ok(last.end <= two.turns[1]!.end + 0.02, `turn beyond the given speech: ${last.end}`);
});

test('silence only: no speakers, dominant_speaker null', async () => {
  const s = await runDiarization(new Float32Array(16000 * 3));
  assert.equal(s.speakers_detected, 0);
  assert.equal(s.dominant_speaker, null);
  assert.deepEqual(s.turns, []);
});

test('a missing model file: auto falls back to the model-free engine, engine "neural" is a coded error', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { resetModelRegistry } = await import('../../../src/models/registry.js');
  const dir = mkdtempSync(join(tmpdir(), 'sono-nomodel-'));
  const entry = (id: string) => ({
    id,
    version: '0',
    task: 't',
    file: `${id}-absent.onnx`,
    sha256: '0'.repeat(64),
    licence_weights: 'MIT',
  });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      schema_version: '1.0.0',
      models: [entry('pyannote-segmentation-3.0'), entry('campplus-sv-zh-en-16k')],
    }),
  );
  process.env['SONOTECA_MODELS_DIR'] = dir;
  resetModelRegistry();
  try {
    const s = await runDiarization(two.samples, {
      analyzerOptions: { diarization: { engine: 'auto' } },
    });
    assert.equal(s.engine?.id, 'model-free');
    assert.deepEqual(s.models, []);
    assert.equal(s.speakers_detected, 2);
    await assert.rejects(
      runDiarization(two.samples, { analyzerOptions: { diarization: { engine: 'neural' } } }),
      (e) => isSonoError(e) && e.code === 'SONO_ERR_MODEL_LOAD',
    );
  } finally {
    delete process.env['SONOTECA_MODELS_DIR'];
    resetModelRegistry();
    rmSync(dir, { recursive: true, force: true });
  }
});
