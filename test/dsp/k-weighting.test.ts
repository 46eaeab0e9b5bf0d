import { test } from 'node:test';
import assert from 'node:assert/strict';
import { biquadResponseDb, cascadeResponseDb } from '../../src/dsp/biquad.js';
import {
  BS1770_PREFILTER_48K,
  BS1770_RLB_48K,
  designKWeighting,
} from '../../src/dsp/k-weighting.js';

// Reference: the Recommendation's own 48 kHz coefficients (Tables 1 and 2), evaluated exactly.
const reference48kDb = (f: number): number =>
  cascadeResponseDb([BS1770_PREFILTER_48K, BS1770_RLB_48K], f, 48000);

test('at 48 kHz the analog-prototype design reproduces the BS.1770-4 tables (|Δ| < 1e-9)', () => {
  const [shelf, rlb] = designKWeighting(48000);
  for (const k of ['b0', 'b1', 'b2', 'a1', 'a2'] as const) {
    assert.ok(Math.abs(shelf[k] - BS1770_PREFILTER_48K[k]) < 1e-9, `shelf ${k}`);
    assert.ok(Math.abs(rlb[k] - BS1770_RLB_48K[k]) < 1e-9, `rlb ${k}`);
  }
});

test('K-weighting known gains: +0.69 dB at 997 Hz, ~+4 dB shelf, high-pass below 100 Hz', () => {
  // +0.691 dB at 997 Hz is what makes a 0 dBFS 997 Hz sine read -3.01 LKFS (BS.1770-4 §2.1).
  assert.ok(Math.abs(reference48kDb(997) - 0.691) < 0.002, String(reference48kDb(997)));
  assert.ok(Math.abs(reference48kDb(10000) - 4.04) < 0.02);
  assert.ok(reference48kDb(20) < -12 && reference48kDb(20) > -14.5);
  for (const rate of [44100, 48000, 96000]) {
    const k = designKWeighting(rate);
    assert.ok(Math.abs(cascadeResponseDb(k, 997, rate) - 0.691) < 0.003, `${rate} Hz at 997 Hz`);
    assert.ok(Math.abs(cascadeResponseDb(k, 8000, rate) - reference48kDb(8000)) < 0.01);
  }
});

test('the response at 16, 22.05, 32, 44.1, 88.2, 96, 192 kHz matches the 48 kHz curve within 0.02 dB', () => {
  for (const rate of [16000, 22050, 32000, 44100, 88200, 96000, 192000]) {
    const k = designKWeighting(rate);
    const fMax = Math.min(20000, 0.9 * (rate / 2));
    let worst = 0;
    for (let f = 20; f <= fMax; f *= 1.05) {
      worst = Math.max(worst, Math.abs(cascadeResponseDb(k, f, rate) - reference48kDb(f)));
    }
    assert.ok(worst < 0.02, `${rate} Hz: worst deviation ${worst.toFixed(4)} dB`);
  }
});

test('designed filters are stable and memoised; bad rates are rejected', () => {
  for (const rate of [8000, 11025, 44100, 384000]) {
    for (const s of designKWeighting(rate)) {
      assert.ok(Math.abs(s.a2) < 1 && Math.abs(s.a1) < 1 + s.a2, `${rate} unstable`);
    }
  }
  assert.equal(designKWeighting(44100), designKWeighting(44100));
  assert.throws(() => designKWeighting(0), RangeError);
  // biquadResponseDb of an identity section is 0 dB.
  assert.equal(biquadResponseDb({ b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 }, 1000, 48000), 0);
});
