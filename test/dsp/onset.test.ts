import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FRAMER, Framer } from '../../src/analysis/frames.js';
import { computeSpectralFlux, estimateTempo, pickOnsets, trackBeats } from '../../src/dsp/onset.js';
import { clickTrack } from '../helpers/fixtures.js';

const SR = 16000;
const FPS = SR / DEFAULT_FRAMER.hopSamples;

function onsetEnvelope(x: Float32Array): Float32Array {
  const env: number[] = [];
  let prev: Float32Array | null = null;
  const f = new Framer(DEFAULT_FRAMER, (fr) => {
    if (prev) env.push(computeSpectralFlux(prev, fr.melLog).flux);
    else {
      prev = new Float32Array(fr.melLog.length);
      env.push(0);
    }
    prev.set(fr.melLog);
  });
  f.push(x);
  f.flush();
  return Float32Array.from(env);
}

for (const bpm of [90, 120, 150]) {
  test(`tempo of a ${bpm} BPM click track is within 4 %`, () => {
    const est = estimateTempo([onsetEnvelope(clickTrack(bpm, 20, SR))], { frameRateHz: FPS });
    assert.ok(est);
    assert.ok(Math.abs(est.bpm / bpm - 1) < 0.04, `estimated ${est.bpm}`);
    assert.ok(est.confidence > 0.5, `confidence ${est.confidence}`);
  });
}

test('beats of a 120 BPM click track are 0.5 s apart and land on the clicks', () => {
  const env = onsetEnvelope(clickTrack(120, 12, SR));
  const beats = trackBeats(env, { frameRateHz: FPS, bpm: 120 });
  assert.ok(beats.length >= 20, `${beats.length} beats`);
  for (let i = 1; i < beats.length; i++) assert.ok(Math.abs(beats[i]! - beats[i - 1]! - 50) <= 1);
  // Clicks start at multiples of 0.5 s; the flux frame that sees a click starts ≤ 32 ms earlier.
  for (const b of beats) {
    const phase = ((b / FPS) % 0.5) - 0.5 * Math.round(((b / FPS) % 0.5) / 0.5);
    assert.ok(Math.abs(phase) < 0.04, `beat at ${b / FPS}s`);
  }
});

test('onset picking counts the clicks of a click track', () => {
  const env = onsetEnvelope(clickTrack(100, 12, SR));
  const onsets = pickOnsets(env, { frameRateHz: FPS });
  // 12 s at 100 BPM = 20 clicks; the click at t = 0 has no preceding frame to differ from.
  assert.ok(onsets.length >= 19 && onsets.length <= 20, `${onsets.length} onsets`);
});

test('no tempo from a too-short envelope', () => {
  assert.equal(estimateTempo([new Float32Array(50)], { frameRateHz: FPS }), null);
});
