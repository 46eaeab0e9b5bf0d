import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockPitchTracker } from '../../../src/analysis/segmentation/block-pitch.js';
import { BLOCK_FIELDS } from '../../../src/analysis/segmentation/descriptors.js';
import {
  computeWindowFeatures,
  FEATURE_NAMES,
} from '../../../src/analysis/segmentation/features.js';
import { centsToHz } from '../../../src/dsp/crepe-decode.js';
import { OnnxCrepePitchEngine } from '../../../src/analysis/pitch/onnx-crepe-pitch-engine.js';

const RATE = 16000;

function harmonicTone(f0Hz: number, seconds: number, amp: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let h = 1; h <= 6; h++) s += Math.sin((2 * Math.PI * h * f0Hz * i) / RATE) / h;
    out[i] = amp * s;
  }
  return out;
}

test('block pitch: a held 220 Hz note is voiced at 220 Hz, digital silence is not scored', async () => {
  const tracker = new BlockPitchTracker(new OnnxCrepePitchEngine());
  await tracker.load();
  const x = new Float32Array(3 * RATE);
  x.set(harmonicTone(220, 2, 0.1));
  // arbitrary chunking: blocks must not depend on how the stream is cut
  for (let i = 0; i < x.length; i += 1234) await tracker.onSamples(x.subarray(i, i + 1234));
  const t = await tracker.finish();
  assert.equal(t.periodicityU8.length, 30);
  for (let b = 1; b < 19; b++) {
    assert.ok(t.periodicityU8[b]! > 150, `block ${b} periodicity ${t.periodicityU8[b]}`);
    assert.ok(Math.abs(centsToHz(t.cents[b]!) - 220) < 220 * 0.03, `block ${b}`);
  }
  for (let b = 21; b < 30; b++) assert.equal(t.periodicityU8[b], 0);
});

test('window pitch features: held notes are steady with a long run, a glide is not steady', () => {
  const n = 22;
  const blocks = new Float32Array(n * BLOCK_FIELDS);
  const held = {
    periodicityU8: new Uint8Array(n).fill(230),
    cents: new Float32Array(n).fill(5000),
  };
  const glide = {
    periodicityU8: new Uint8Array(n).fill(230),
    cents: Float32Array.from({ length: n }, (_, i) => 5000 + 150 * i),
  };
  const col = (name: string): number => FEATURE_NAMES.indexOf(name);
  const F = FEATURE_NAMES.length;
  const h = computeWindowFeatures(blocks, undefined, held).features;
  const g = computeWindowFeatures(blocks, undefined, glide).features;
  const mid = 10 * F;
  assert.ok(Math.abs(h[mid + col('pitch_periodicity')]! - 230 / 255) < 1e-6);
  assert.equal(h[mid + col('pitch_steady')], 1);
  assert.equal(h[mid + col('pitch_run')], 1);
  assert.equal(g[mid + col('pitch_steady')], 0);
  assert.equal(g[mid + col('pitch_run')], 1);
  assert.ok(Math.abs(g[mid + col('pitch_glide')]! - 0.5) < 1e-6);
  // without a pitch track the features are 0
  const none = computeWindowFeatures(blocks, undefined).features;
  assert.equal(none[mid + col('pitch_run')], 0);
});
