/**
 * Conformance of every segmentation and speaker-embedding engine (STYLE.md point 13): the same
 * checks loop over each implementation of an interface.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SpeakerEmbeddingEngine } from '../../../../src/analysis/diarization/engines/embedding-engine.js';
import { OnnxCampplusEmbeddingEngine } from '../../../../src/analysis/diarization/engines/onnx-campplus-embedding-engine.js';
import { OnnxPyannoteSegmentationEngine } from '../../../../src/analysis/diarization/engines/onnx-pyannote-segmentation-engine.js';
import {
  powersetMasks,
  type SegmentationEngine,
} from '../../../../src/analysis/diarization/engines/segmentation-engine.js';
import { computeKaldiFbank } from '../../../../src/dsp/fbank.js';
import { makeParitySignal } from '../../../helpers/parity-signal.js';

const segmentationEngines: (() => SegmentationEngine)[] = [
  () => new OnnxPyannoteSegmentationEngine(),
];
const embeddingEngines: (() => SpeakerEmbeddingEngine)[] = [
  () => new OnnxCampplusEmbeddingEngine(),
];

test('powerset classes are pyannote’s order: ∅, singles, then pairs', () => {
  assert.deepEqual(Array.from(powersetMasks(3, 2)), [0, 1, 2, 4, 3, 5, 6]);
});

for (const make of segmentationEngines) {
  const e = make();
  test(`segmentation engine ${e.id}: silence → nobody; voice-like signal → speech; one mask per window`, async () => {
    await e.load();
    assert.match(e.model.sha256, /^[0-9a-f]{64}$/);
    const silent = new Float32Array(e.windowSamples);
    const voiced = makeParitySignal(e.windowSamples);
    const [a, b] = await e.segment([silent, voiced]);
    assert.equal(a!.length, e.framesPerWindow);
    assert.equal(b!.length, e.framesPerWindow);
    assert.ok(
      a!.every((m) => m === 0),
      'no speaker in digital silence',
    );
    const active = b!.filter((m) => m !== 0).length;
    assert.ok(active > e.framesPerWindow * 0.2, `${active} active frames`);
    assert.ok(b!.every((m) => m < 1 << e.maxLocalSpeakers));
    assert.deepEqual(await e.segment([]), []);
    // frame grid covers the window
    const lastCentre = e.frameCenterSec + (e.framesPerWindow - 1) * e.frameStepSec;
    assert.ok(Math.abs(lastCentre + e.frameCenterSec - e.windowSamples / e.sampleRateHz) < 0.05);
  });
}

for (const make of embeddingEngines) {
  const e = make();
  test(`embedding engine ${e.id}: unit-norm, deterministic, closer within a voice than across`, async () => {
    await e.load();
    const x = makeParitySignal(64000); // 130 Hz voice for 2 s, then 210 Hz for 2 s
    const fb = computeKaldiFbank(x, { nMels: e.nMels });
    const part = (from: number, n: number): Float32Array =>
      fb.data.slice(from * e.nMels, (from + n) * e.nMels);
    const a1 = await e.embed(part(0, 90), 90);
    const a2 = await e.embed(part(95, 90), 90);
    const b1 = await e.embed(part(205, 90), 90);
    const again = await e.embed(part(0, 90), 90);
    assert.equal(a1.length, e.dim);
    const dot = (p: Float32Array, q: Float32Array): number =>
      p.reduce((s, v, i) => s + v * q[i]!, 0);
    assert.ok(Math.abs(dot(a1, a1) - 1) < 1e-4);
    assert.ok(dot(a1, again) > 0.9999);
    assert.ok(dot(a1, a2) > dot(a1, b1), `${dot(a1, a2)} vs ${dot(a1, b1)}`);
  });
}
