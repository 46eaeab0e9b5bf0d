import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimatePitchYin, YinPitchEstimator } from '../../src/dsp/pitch.js';
import { noise, tone } from '../helpers/fixtures.js';

const SR = 16000;

/** A harmonic "voice": f0 plus 9 overtones with 1/k amplitudes (a sawtooth-like source). */
function harmonic(f0Hz: number, seconds: number): Float32Array {
  const n = Math.round(seconds * SR);
  const x = new Float32Array(n);
  for (let k = 1; k <= 10; k++) {
    if (k * f0Hz >= SR / 2) break;
    for (let i = 0; i < n; i++) x[i]! += (0.3 / k) * Math.sin((2 * Math.PI * k * f0Hz * i) / SR);
  }
  return x;
}

test('YIN finds the f0 of harmonic signals within 2 % (male, female, child ranges)', () => {
  const yin = new YinPitchEstimator({ sampleRateHz: SR });
  for (const f0 of [85, 118.5, 196, 263, 410]) {
    const x = harmonic(f0, 0.1);
    const est = yin.estimate(x.subarray(100, 612)); // one 512-sample frame, as DEFAULT_FRAMER
    assert.ok(Math.abs(est.f0Hz - f0) / f0 < 0.02, `f0 ${f0}: got ${est.f0Hz}`);
    assert.ok(est.periodicity > 0.9, `periodicity ${est.periodicity}`);
  }
});

test('YIN finds a pure tone and a missing-fundamental complex', () => {
  const t = tone(220, 0.1, SR);
  const e1 = estimatePitchYin(t.subarray(0, 512), { sampleRateHz: SR });
  assert.ok(Math.abs(e1.f0Hz - 220) / 220 < 0.02, `got ${e1.f0Hz}`);
  // Harmonics 2..6 of 150 Hz without the fundamental: the perceived pitch (and period) is 150 Hz.
  const x = new Float32Array(1600);
  for (let k = 2; k <= 6; k++)
    for (let i = 0; i < x.length; i++) x[i]! += 0.1 * Math.sin((2 * Math.PI * 150 * k * i) / SR);
  const e2 = estimatePitchYin(x.subarray(0, 512), { sampleRateHz: SR });
  assert.ok(Math.abs(e2.f0Hz - 150) / 150 < 0.02, `got ${e2.f0Hz}`);
});

test('white noise and silence are unvoiced', () => {
  const yin = new YinPitchEstimator({ sampleRateHz: SR });
  const n = noise(0.1, SR, 0.3, 7);
  const e = yin.estimate(n.subarray(0, 512));
  assert.equal(e.f0Hz, 0);
  assert.ok(e.periodicity < 0.65, `periodicity ${e.periodicity}`);
  assert.equal(yin.estimate(new Float32Array(512)).f0Hz, 0);
});

test('bad ranges are rejected with the offending values named', () => {
  assert.throws(
    () => new YinPitchEstimator({ sampleRateHz: SR, minF0Hz: 300, maxF0Hz: 200 }),
    /300.*200/,
  );
});
