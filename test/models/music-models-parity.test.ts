/**
 * The bundled music model runs in onnxruntime-node as the source framework ran it: the fixture
 * holds the TensorFlow Lite outputs of basic-pitch's own export of the same network
 * (scripts/models/basic-pitch-icassp-2022/export.py, which also checked ONNX Runtime against them).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { getModelSession, modelProvenance } from '../../src/models/registry.js';
import { OnnxTensor } from '../../src/models/onnx.js';
import { makeParitySignal } from '../helpers/parity-signal.js';

const N = 43844;

test('basic-pitch-icassp-2022: ONNX Runtime posteriors equal the TFLite fixture', async () => {
  const fx = JSON.parse(
    readFileSync('test/fixtures/models/basic-pitch-icassp-2022.parity.json', 'utf8'),
  ) as {
    onnx_sha256: string;
    tolerance: number;
    frames: number;
    frame_step: number;
    note: number[][][];
    onset: number[][][];
    contour: number[][][];
  };
  assert.equal(modelProvenance('basic-pitch-icassp-2022').sha256, fx.onnx_sha256);
  const x = makeParitySignal(N, 22050);
  const batch = new Float32Array(2 * N);
  batch.set(x, 0);
  batch.set(
    Float32Array.from(x)
      .reverse()
      .map((v) => v * 0.5),
    N,
  );
  const session = await getModelSession('basic-pitch-icassp-2022');
  const out = await session.run({
    [session.inputNames[0]!]: new OnnxTensor('float32', batch, [2, N, 1]),
  });
  const heads = {
    note: 'StatefulPartitionedCall:1',
    onset: 'StatefulPartitionedCall:2',
    contour: 'StatefulPartitionedCall:0',
  } as const;
  for (const [head, name] of Object.entries(heads) as [keyof typeof heads, string][]) {
    const t = out[name]!;
    const bins = head === 'contour' ? 264 : 88;
    assert.deepEqual(t.dims, [2, fx.frames, bins], head);
    const got = t.data as Float32Array;
    let err = 0;
    let max = 0;
    fx[head].forEach((frames, b) =>
      frames.forEach((row, i) =>
        row.forEach((want, k) => {
          const v = got[(b * fx.frames + i * fx.frame_step) * bins + k]!;
          err = Math.max(err, Math.abs(v - want));
          max = Math.max(max, v);
        }),
      ),
    );
    assert.ok(err <= fx.tolerance, `${head}: max |Δ| ${err} > ${fx.tolerance}`);
    // not a trivial fixture: the harmonic signal activates the heads
    assert.ok(max > 0.3, `${head}: max posterior ${max}`);
  }
});
