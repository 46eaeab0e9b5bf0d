/**
 * The bundled speech models run in onnxruntime-node exactly as the source framework ran them in
 * the export scripts (scripts/models/<model>/export.py wrote the fixtures from PyTorch outputs).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { getModelSession, modelProvenance } from '../../src/models/registry.js';
import { OnnxTensor } from '../../src/models/onnx.js';
import { makeParitySignal } from '../helpers/parity-signal.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function l2(v: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  return Float64Array.from(v, (x) => x / n);
}

test('pyannote-segmentation-3.0: ONNX Runtime output equals the PyTorch fixture', async () => {
  const fx = JSON.parse(
    readFileSync('test/fixtures/models/pyannote-segmentation-3.0.parity.json', 'utf8'),
  ) as {
    onnx_sha256: string;
    tolerance: number;
    frames: number;
    classes: number;
    log_probs: number[][][];
  };
  assert.equal(modelProvenance('pyannote-segmentation-3.0').sha256, fx.onnx_sha256);
  const x = makeParitySignal(160000);
  const rev = Float32Array.from(x)
    .reverse()
    .map((v) => v * 0.5);
  const batch = new Float32Array(2 * 160000);
  batch.set(x, 0);
  batch.set(rev, 160000);
  const session = await getModelSession('pyannote-segmentation-3.0');
  const out = await session.run({ waveform: new OnnxTensor('float32', batch, [2, 1, 160000]) });
  const lp = out['log_probs']!;
  assert.deepEqual(lp.dims, [2, fx.frames, fx.classes]);
  const got = lp.data as Float32Array;
  const want = fx.log_probs.flat(2);
  const err = maxAbsDiff(got, want);
  assert.ok(err <= fx.tolerance, `max |Δ log-prob| ${err} > ${fx.tolerance}`);
  // the fixture is not trivial: the two inputs give different frame-wise argmax classes
  assert.ok(maxAbsDiff(got.subarray(0, got.length / 2), got.subarray(got.length / 2)) > 0.5);
});

test('campplus-sv-zh-en-16k: ONNX Runtime embeddings equal the PyTorch fixture', async () => {
  const fb = JSON.parse(readFileSync('test/fixtures/dsp/kaldi-fbank.json', 'utf8')) as {
    fbank: number[][];
  };
  const fx = JSON.parse(
    readFileSync('test/fixtures/models/campplus-sv-zh-en-16k.parity.json', 'utf8'),
  ) as { onnx_sha256: string; tolerance: number; cases: { frames: number; embedding: number[] }[] };
  assert.equal(modelProvenance('campplus-sv-zh-en-16k').sha256, fx.onnx_sha256);
  const session = await getModelSession('campplus-sv-zh-en-16k');
  for (const c of fx.cases) {
    // the fixture's input: the first `frames` fbank rows, mean-normalised over those rows
    const rows = fb.fbank.slice(0, c.frames);
    const data = new Float32Array(c.frames * 80);
    for (let k = 0; k < 80; k++) {
      let m = 0;
      for (const r of rows) m += r[k]!;
      m /= c.frames;
      rows.forEach((r, t) => (data[t * 80 + k] = r[k]! - m));
    }
    const out = await session.run({ fbank: new OnnxTensor('float32', data, [1, c.frames, 80]) });
    const emb = out['embedding']!.data as Float32Array;
    assert.equal(emb.length, 192);
    const err = maxAbsDiff(l2(emb), l2(c.embedding));
    // fbank rows are rounded to 4 decimals in the fixture: the stated tolerance covers that too
    assert.ok(err <= fx.tolerance, `${c.frames} frames: max |Δ| ${err} > ${fx.tolerance}`);
  }
});
