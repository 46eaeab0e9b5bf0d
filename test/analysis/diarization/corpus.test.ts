import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeDer, parseRttm } from '../../../src/analysis/diarization/der.js';
import { DiarizationAnalyzer } from '../../../src/analysis/diarization/diarization-analyzer.js';
import { createVoiceActivityAnalyzer } from '../../../src/analysis/voice-activity/index.js';
import { decodeMono16k, driveAnalyzers } from '../../../eval/speech-harness.js';
import type { SpeakerRecognitionSection } from '../../../src/analysis/diarization/types.js';
import { corpusOrSkip } from '../../helpers/corpus.js';

test('corpus: pyannote-sample (2 speakers) → 2 speakers detected with Silero VAD regions', async (t) => {
  const dir = corpusOrSkip(t);
  if (!dir) return;
  const conv = join(dir, 'conversation');
  const samples = await decodeMono16k(join(conv, 'pyannote-sample.wav'));
  const { sections } = await driveAnalyzers(
    (ctx) => [createVoiceActivityAnalyzer(ctx), new DiarizationAnalyzer(ctx)],
    samples,
  );
  const s = sections['speaker_recognition'] as SpeakerRecognitionSection;
  assert.equal(s.speech_source, 'voice_activity');
  assert.equal(s.speakers_detected, 2);
  const ref = parseRttm(readFileSync(join(conv, 'pyannote-sample.rttm'), 'utf8')).get(
    'pyannote-sample',
  )!;
  const der = computeDer(ref, s.turns!, { collarSec: 0.25, uem: [{ start: 0, end: 30 }] });
  // Measured 44.7 % at collar 0.25 with Silero's regions (13 % on the reference regions, see
  // docs/EVALUATION.md): the speaker count is right but the turns are not yet. A loose sanity bound.
  assert.ok(der.der < 0.5, `DER ${der.der}`);
});
