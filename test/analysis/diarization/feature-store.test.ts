import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiarizationAnalyzer } from '../../../src/analysis/diarization/diarization-analyzer.js';
import { summariseSpeakers } from '../../../src/analysis/diarization/diarize.js';
import { FrameFeatureStore } from '../../../src/analysis/diarization/feature-store.js';
import type { AnalyzerContext } from '../../../src/analysis/analyzer.js';
import type { AudioInfo } from '../../../src/audio/types.js';

/** Two stores fed the same frames: one with the 40 log-mel bands, one without (nMels 0). */
function fill(nMels: number, frames: number): FrameFeatureStore {
  const s = new FrameFeatureStore(nMels, 0.01, 0.016);
  const mel = new Float32Array(40);
  for (let i = 0; i < frames; i++) {
    for (let b = 0; b < 40; b++) mel[b] = -10 + Math.sin(i / 7 + b);
    const syllable = (i % 25) / 25;
    const level = syllable < 0.6 ? -20 - 30 * (1 - Math.sin((Math.PI * syllable) / 0.6)) : -55;
    const f0 = syllable < 0.6 ? (i < frames / 2 ? 110 : 210) + 5 * Math.sin(i / 11) : 0;
    s.push(mel, level, f0, syllable < 0.6 ? 0.8 : 0.1);
  }
  return s;
}

test('a store without log-mel keeps level, f0 and periodicity identical, in 5 bytes a frame', () => {
  const frames = 70_000; // more than two 32768-frame chunks
  const full = fill(40, frames);
  const lean = fill(0, frames);
  assert.equal(lean.frameCount, full.frameCount);
  for (let i = 0; i < frames; i += 13) {
    assert.equal(lean.levelDb(i), full.levelDb(i));
    assert.equal(lean.f0Hz(i), full.f0Hz(i));
    assert.equal(lean.periodicity(i), full.periodicity(i));
    assert.equal(lean.timeOf(i), full.timeOf(i));
  }
  const chunkFrames = 3 * 32768; // both stores allocate whole chunks
  assert.equal(full.byteLength(), 45 * chunkFrames);
  assert.equal(lean.byteLength(), 5 * chunkFrames);
  // the speaker summaries (all the neural engine reads from the store) do not change
  const idx = Int32Array.from({ length: frames }, (_, i) => i);
  const labels = Int32Array.from({ length: frames }, (_, i) => (i < frames / 2 ? 0 : 1));
  const turns = [
    { speaker: 'SPEAKER_00', start: 0, end: frames / 200 },
    { speaker: 'SPEAKER_01', start: frames / 200, end: frames / 100 },
  ];
  const id = (l: number): string => `SPEAKER_0${l}`;
  assert.deepEqual(
    summariseSpeakers(lean, idx, labels, turns, [], id, 2),
    summariseSpeakers(full, idx, labels, turns, [], id, 2),
  );
});

test('the neural engine keeps no log-mel in its store, the model-free engine does', () => {
  const ctx = (engine: string): AnalyzerContext => ({
    audioInfo: { duration: 10, sample_rate: 16000, channels: 1 } as unknown as AudioInfo,
    analysisRateHz: 16000,
    options: { analyzerOptions: { diarization: { engine } } },
  });
  const storeOf = (a: DiarizationAnalyzer): FrameFeatureStore =>
    (a as unknown as { store: FrameFeatureStore }).store;
  assert.equal(storeOf(new DiarizationAnalyzer(ctx('neural'))).nMels, 0);
  assert.equal(storeOf(new DiarizationAnalyzer(ctx('model-free'))).nMels, 40);
});
