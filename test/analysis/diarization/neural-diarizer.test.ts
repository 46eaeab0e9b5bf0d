/**
 * The neural diarizer's windowing, clustering and reconstruction with engines whose answers are
 * known: the "speakers" are a 300 Hz and a 1000 Hz tone; the segmentation engine hears each tone
 * (Goertzel power per output frame), the embedding engine returns the peaky mel profile. Real
 * models are exercised by the corpus tests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  normaliseL2,
  type SpeakerEmbeddingEngine,
} from '../../../src/analysis/diarization/engines/embedding-engine.js';
import type { SegmentationEngine } from '../../../src/analysis/diarization/engines/segmentation-engine.js';
import { NeuralDiarizer } from '../../../src/analysis/diarization/neural-diarizer.js';
import { toTurns } from '../../../src/analysis/diarization/neural-turns.js';

const SR = 16000;
const provenance = { id: 'fake', version: '0', sha256: '0'.repeat(64) };

function goertzel(x: Float32Array, from: number, n: number, hz: number): number {
  const w = (2 * Math.PI * hz) / SR;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < from + n; i++) {
    const s0 = x[i]! + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / (n * n);
}

class ToneSegmentation implements SegmentationEngine {
  readonly id = 'fake-tones';
  readonly model = provenance;
  readonly sampleRateHz = SR;
  readonly windowSamples = 10 * SR;
  readonly framesPerWindow = 589;
  readonly frameStepSec = 270 / SR;
  readonly frameCenterSec = 495 / SR;
  readonly maxLocalSpeakers = 3;
  async load(): Promise<void> {}
  async segment(windows: readonly Float32Array[]): Promise<Uint8Array[]> {
    // local slots deliberately swapped in odd windows: the clustering must link them
    return windows.map((w, b) =>
      Uint8Array.from({ length: this.framesPerWindow }, (_, f) => {
        const from = Math.min(f * 270, w.length - 991);
        const a = goertzel(w, from, 991, 300) > 1e-4 ? 1 : 0;
        const c = goertzel(w, from, 991, 1000) > 1e-4 ? 1 : 0;
        return b % 2 === 0 ? a | (c << 1) : c | (a << 1);
      }),
    );
  }
}

class MelProfileEmbedding implements SpeakerEmbeddingEngine {
  readonly id = 'fake-mel-profile';
  readonly model = provenance;
  readonly dim = 80;
  readonly nMels = 80;
  readonly minFrames = 30;
  async load(): Promise<void> {}
  async embed(fbank: Float32Array, nFrames: number): Promise<Float32Array> {
    const v = new Float32Array(80);
    for (let t = 0; t < nFrames; t++) for (let k = 0; k < 80; k++) v[k]! += fbank[t * 80 + k]!;
    let max = -Infinity;
    for (const x of v) max = Math.max(max, x / nFrames);
    return normaliseL2(v.map((x) => Math.exp(x / nFrames - max)));
  }
}

/** 0–12 s A, 12–20 s B, 20–24 s A and B together, 24–40 s A, 40–48 s silence, 48–60 s B. */
function script(): Float32Array {
  const x = new Float32Array(60 * SR);
  for (let i = 0; i < x.length; i++) {
    const t = i / SR;
    const a = (t < 12 || (t >= 20 && t < 40)) as boolean;
    const b = (t >= 12 && t < 24) || t >= 48;
    x[i] =
      (a ? 0.1 * Math.sin(2 * Math.PI * 300 * t) : 0) +
      (b ? 0.1 * Math.sin(2 * Math.PI * 1000 * t) : 0);
  }
  return x;
}

async function run(opts = {}) {
  const d = new NeuralDiarizer(new ToneSegmentation(), new MelProfileEmbedding(), opts);
  await d.load();
  const x = script();
  for (let i = 0; i < x.length; i += 7000) await d.push(x.subarray(i, i + 7000));
  return d.finish();
}

test('neural diarizer: two voices linked across windows, overlap with both, silence empty', async () => {
  const nd = await run();
  assert.equal(nd.k, 2);
  assert.equal(nd.windows, 11); // 0, 5, …, 50 s (the 50 s window ends at 60 s)
  assert.ok(nd.countConfidence > 0.5);
  const t = toTurns(nd);
  const talk = (spk: string): number =>
    t.turns.filter((u) => u.speaker === spk).reduce((s, u) => s + u.end - u.start, 0);
  // SPEAKER_00 (A) holds 0–12 and 24–40; SPEAKER_01 (B) 12–24 (A comes in at 20) and 48–60
  assert.ok(Math.abs(talk('SPEAKER_00') - 28) < 0.5, `A ${talk('SPEAKER_00')}`);
  assert.ok(Math.abs(talk('SPEAKER_01') - 24) < 0.5, `B ${talk('SPEAKER_01')}`);
  // the fake segmenter's 62 ms frames hear both tones for a frame or two at each switch
  const long = t.overlaps.filter((u) => u.end - u.start > 0.2);
  assert.equal(long.length, 1, JSON.stringify(t.overlaps));
  const o = long[0]!;
  assert.ok(Math.abs(o.start - 20) < 0.2 && Math.abs(o.end - 24) < 0.2, JSON.stringify(o));
  assert.deepEqual(o.speakers, ['SPEAKER_01', 'SPEAKER_00']); // holder first
  assert.ok(!t.turns.some((u) => u.start < 47.5 && u.end > 40.5), 'silence has no turn');
  assert.ok(Math.abs(t.speechSec - 52) < 0.5);
});

test('neural diarizer: maxSpeakers 1 merges the voices and says the bounds decided', async () => {
  const nd = await run({ maxSpeakers: 1 });
  assert.equal(nd.k, 1);
  assert.equal(nd.forcedByBounds, true);
  assert.equal(nd.countConfidence, 0);
  const t = toTurns(nd);
  assert.equal(t.overlaps.length, 0);
});
