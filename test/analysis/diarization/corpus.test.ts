import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeDer, parseRttm } from '../../../src/analysis/diarization/der.js';
import { DiarizationAnalyzer } from '../../../src/analysis/diarization/diarization-analyzer.js';
import { createVoiceActivityAnalyzer } from '../../../src/analysis/voice-activity/index.js';
import { decodeMono16k, driveAnalyzers } from '../../../eval/speech-harness.js';
import type { SpeakerRecognitionSection } from '../../../src/analysis/diarization/types.js';
import { validateAgainst } from '../../../src/pipeline/validate-report.js';
import { corpusOrSkip } from '../../helpers/corpus.js';

test('corpus: pyannote-sample (2 speakers), model-free engine → 2 speakers with Silero VAD regions', async (t) => {
  const dir = corpusOrSkip(t);
  if (!dir) return;
  const conv = join(dir, 'conversation');
  const samples = await decodeMono16k(join(conv, 'pyannote-sample.wav'));
  const { sections } = await driveAnalyzers(
    (ctx) => [
      createVoiceActivityAnalyzer(ctx),
      new DiarizationAnalyzer({
        ...ctx,
        options: { analyzerOptions: { diarization: { engine: 'model-free' } } },
      }),
    ],
    samples,
  );
  const s = sections['speaker_recognition'] as SpeakerRecognitionSection;
  assert.equal(s.speech_source, 'voice_activity');
  assert.equal(s.engine?.id, 'model-free');
  assert.equal(s.speakers_detected, 2);
  const ref = parseRttm(readFileSync(join(conv, 'pyannote-sample.rttm'), 'utf8')).get(
    'pyannote-sample',
  )!;
  const der = computeDer(ref, s.turns!, { collarSec: 0.25, uem: [{ start: 0, end: 30 }] });
  // Measured 44.7 % at collar 0.25 with Silero's regions (13 % on the reference regions, see
  // docs/EVALUATION.md): the speaker count is right but the turns are not yet. A loose sanity bound.
  assert.ok(der.der < 0.5, `DER ${der.der}`);
});

test('corpus: pyannote-sample, neural engine → 2 speakers, overlap with both, DER under 8 %', async (t) => {
  const dir = corpusOrSkip(t);
  if (!dir) return;
  const conv = join(dir, 'conversation');
  const samples = await decodeMono16k(join(conv, 'pyannote-sample.wav'));
  const { sections } = await driveAnalyzers((ctx) => [new DiarizationAnalyzer(ctx)], samples);
  const s = sections['speaker_recognition'] as SpeakerRecognitionSection;
  assert.equal(s.engine?.id, 'neural');
  const v = validateAgainst('sections/speaker_recognition.schema.json', s);
  assert.ok(v.valid, v.errors.join('; '));
  assert.deepEqual(
    s.models?.map((m) => m.id),
    ['pyannote-segmentation-3.0', 'campplus-sv-zh-en-16k'],
  );
  assert.equal(s.speakers_detected, 2);
  assert.ok(s.overlaps!.length >= 1, 'the sample has overlapped speech');
  assert.ok(s.overlaps!.every((o) => o.speakers.length >= 2 && o.speakers[0] !== o.speakers[1]));
  assert.ok(typeof s.count_confidence === 'number' && s.count_confidence >= 0);
  for (const spk of s.speakers!) {
    const v = spk.embedding!.vector;
    assert.equal(spk.embedding!.model, 'campplus-sv-zh-en-16k');
    assert.equal(v.length, 192);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 0.01);
  }
  const ref = parseRttm(readFileSync(join(conv, 'pyannote-sample.rttm'), 'utf8')).get(
    'pyannote-sample',
  )!;
  const hyp = [
    ...s.turns!,
    ...s.overlaps!.flatMap((o) =>
      o.speakers.slice(1).map((speaker) => ({ speaker, start: o.start, end: o.end })),
    ),
  ];
  const der = computeDer(ref, hyp, { collarSec: 0.25, uem: [{ start: 0, end: 31 }] });
  // measured 1.7 % (docs/EVALUATION.md); the target is 8 %
  assert.ok(der.der < 0.08, `DER ${der.der}`);
});

test('corpus: single speakers (JFK, LibriSpeech 3436), neural engine → 1 speaker', async (t) => {
  const dir = corpusOrSkip(t);
  if (!dir) return;
  for (const f of [
    'heritage/historical_speech/whisper__jfk.flac',
    'speech/librispeech-3436-172162-0000.ogg',
  ]) {
    const samples = await decodeMono16k(join(dir, f));
    const { sections } = await driveAnalyzers((ctx) => [new DiarizationAnalyzer(ctx)], samples);
    const s = sections['speaker_recognition'] as SpeakerRecognitionSection;
    assert.equal(s.engine?.id, 'neural');
    assert.equal(s.speakers_detected, 1, f);
    assert.equal(s.overlaps!.length, 0, f);
  }
});
