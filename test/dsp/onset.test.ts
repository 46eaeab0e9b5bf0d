import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FRAMER, Framer } from '../../src/analysis/frames.js';
import {
  computeSpectralFlux,
  estimateLocalPeriods,
  estimateTempo,
  meanTempoOfBeats,
  pickOnsets,
  trackBeats,
} from '../../src/dsp/onset.js';
import { clickTrack } from '../helpers/fixtures.js';
import { tempoRampClicks } from '../analysis/music/music-fixtures.js';

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

test('ritardando 120 → 80 BPM: local periods follow it, the tracked beats give the mean tempo', () => {
  // 24 beats at 120 BPM, then 24 beats slowing linearly to 80 BPM.
  const { signal, clickSec } = tempoRampClicks(120, 80, 24, 24, SR);
  const truth = (60 * (clickSec.length - 1)) / (clickSec.at(-1)! - clickSec[0]!);
  assert.ok(Math.abs(truth - 108.58) < 0.01, `truth ${truth}`);
  const env = onsetEnvelope(signal);
  const est = estimateTempo([env], { frameRateHz: FPS });
  assert.ok(est);
  // The dominant periodicity is the steady first half: ≥ 10 % above the mean tempo.
  assert.ok(est.bpm / truth > 1.1, `dominant ${est.bpm}`);
  const periods = estimateLocalPeriods(env, { frameRateHz: FPS, bpm: est.bpm });
  assert.equal(periods.length, env.length);
  // 120 BPM = 50 frames per beat at the start; the last beats are at ≈ 80–82 BPM (73–75 frames).
  assert.ok(Math.abs(periods[Math.round(5 * FPS)]! - 50) < 1.5, `start ${periods[500]}`);
  const endPeriod = periods[Math.round((clickSec.at(-1)! - 1) * FPS)]!;
  assert.ok(endPeriod > 70 && endPeriod < 78, `end period ${endPeriod}`);
  const followed = trackBeats(env, { frameRateHz: FPS, bpm: est.bpm, periodsFrames: periods });
  assert.equal(followed.length, clickSec.length, `${followed.length} beats`);
  for (let i = 0; i < followed.length; i++)
    assert.ok(Math.abs(followed[i]! / FPS - clickSec[i]!) < 0.04, `beat ${i}`);
  const mean = meanTempoOfBeats([followed], FPS)!;
  assert.ok(Math.abs(mean / truth - 1) < 0.01, `mean ${mean} vs ${truth}`);
  // A tracker held to the constant period inserts beats in the ritardando.
  const fixed = trackBeats(env, { frameRateHz: FPS, bpm: est.bpm });
  assert.ok(fixed.length > clickSec.length, `${fixed.length} fixed-period beats`);
  assert.ok(meanTempoOfBeats([fixed], FPS)! / truth > 1.04);
});

test('local periods of a steady click track stay at its period', () => {
  const env = onsetEnvelope(clickTrack(150, 20, SR));
  const periods = estimateLocalPeriods(env, { frameRateHz: FPS, bpm: 150 });
  for (let t = 0; t < periods.length; t += 50) assert.ok(Math.abs(periods[t]! - 40) < 1, `${t}`);
});

test('mean tempo of beats: summed over segments, null with too few intervals', () => {
  // 4 intervals of 50 frames and 4 of 40 frames at 100 fps: 8 intervals over 3.6 s.
  const a = [0, 50, 100, 150, 200];
  const b = [1000, 1040, 1080, 1120, 1160];
  assert.ok(Math.abs(meanTempoOfBeats([a, b], 100)! - (60 * 8) / 3.6) < 1e-9);
  assert.equal(meanTempoOfBeats([a], 100), null);
  assert.equal(meanTempoOfBeats([a], 100, 4), 120);
  assert.throws(
    () =>
      trackBeats(new Float32Array(100), {
        frameRateHz: 100,
        bpm: 120,
        periodsFrames: new Float32Array(5),
      }),
    /periodsFrames has 5 values for 100 envelope frames/,
  );
});
