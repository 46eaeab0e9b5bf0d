import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { computeKaldiFbank, countFbankFrames } from '../../src/dsp/fbank.js';
import { makeParitySignal } from '../helpers/parity-signal.js';

const fx = JSON.parse(readFileSync('test/fixtures/dsp/kaldi-fbank.json', 'utf8')) as {
  signal: { n_samples: number };
  tolerance: number;
  frames: number;
  fbank: number[][];
};

test('computeKaldiFbank equals kaldi-native-fbank on the parity signal', () => {
  const x = makeParitySignal(fx.signal.n_samples);
  const fb = computeKaldiFbank(x);
  assert.equal(fb.nFrames, fx.frames);
  assert.equal(fb.nMels, 80);
  let worst = 0;
  fx.fbank.forEach((row, t) =>
    row.forEach((v, m) => (worst = Math.max(worst, Math.abs(fb.data[t * 80 + m]! - v)))),
  );
  assert.ok(worst <= fx.tolerance, `max |Δ log-mel| ${worst} > ${fx.tolerance}`);
  // the reference varies: the 130 Hz and 210 Hz halves have different spectra
  assert.ok(Math.abs(fx.fbank[10]![3]! - fx.fbank[140]![3]!) > 0.5);
});

test('frame count follows snip_edges (whole 400-sample frames every 160 samples)', () => {
  assert.equal(countFbankFrames(399), 0);
  assert.equal(countFbankFrames(400), 1);
  assert.equal(countFbankFrames(16000), 98);
  assert.equal(computeKaldiFbank(new Float32Array(100)).nFrames, 0);
  // silence hits the log floor, not -Infinity
  const z = computeKaldiFbank(new Float32Array(800));
  assert.ok(
    z.data.every((v) => Number.isFinite(v) && Math.abs(v - Math.log(1.1920928955078125e-7)) < 1e-6),
  );
});
