import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PitchEvidenceCollector } from '../../../src/analysis/heritage/pitch-evidence.js';
import { OnnxCrepePitchEngine } from '../../../src/analysis/pitch/onnx-crepe-pitch-engine.js';

const RATE = 16000;

/** Harmonic voice-like tone with f0(t) given in Hz and a gate (0: silent). */
function synth(
  seconds: number,
  f0: (t: number) => number,
  gate: (t: number) => number,
): Float32Array {
  const out = new Float32Array(seconds * RATE);
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    phase += (2 * Math.PI * f0(t)) / RATE;
    let s = 0;
    for (let h = 1; h <= 6; h++) s += Math.sin(h * phase) / h;
    out[i] = 0.1 * gate(t) * s;
  }
  return out;
}

async function collect(x: Float32Array): Promise<ReturnType<PitchEvidenceCollector['finish']>> {
  const c = new PitchEvidenceCollector(new OnnxCrepePitchEngine(), RATE);
  await c.start();
  for (let i = 0; i < x.length; i += 4000) await c.onSamples(x.subarray(i, i + 4000), i);
  return c.finish();
}

test('a sung note with vibrato: long voiced runs, vibrato; syllables: short runs, no vibrato', async () => {
  const sung = await collect(
    synth(
      8,
      (t) => 330 * 2 ** ((60 / 1200) * Math.sin(2 * Math.PI * 5.5 * t)),
      () => 1,
    ),
  );
  assert.equal(sung.engine, 'onnx-crepe');
  assert.equal(sung.bursts, 4); // at 0, 2, 4 and 6 s
  assert.ok(sung.voiced_ratio! > 0.9, `voiced ${sung.voiced_ratio}`);
  assert.ok(sung.voiced_run_sec! > 0.5, `run ${sung.voiced_run_sec}`);
  assert.ok(sung.vibrato_ratio! > 0.8, `vibrato ${sung.vibrato_ratio}`);
  assert.ok(Math.abs(sung.median_f0_hz! - 330) < 330 * 0.03, `f0 ${sung.median_f0_hz}`);
  // 4 syllables per second, each a falling glide of 150 ms, 100 ms pauses
  const speechy = await collect(
    synth(
      8,
      (t) => 180 - 200 * (t % 0.25),
      (t) => (t % 0.25 < 0.15 ? 1 : 0),
    ),
  );
  assert.ok(speechy.voiced_run_sec! < 0.25, `run ${speechy.voiced_run_sec}`);
  assert.ok((speechy.vibrato_ratio ?? 0) < 0.2, `vibrato ${speechy.vibrato_ratio}`);
});

test('silence is not tracked; without an engine the evidence is empty', async () => {
  const quiet = await collect(new Float32Array(5 * RATE));
  assert.equal(quiet.bursts, 0);
  assert.equal(quiet.voiced_ratio, null);
  const none = new PitchEvidenceCollector(null, RATE);
  await none.start();
  await none.onSamples(new Float32Array(RATE), 0);
  assert.equal(none.finish().engine, null);
});

test('a pitch model that fails to load leaves the evidence empty instead of failing', async () => {
  const broken = {
    id: 'broken',
    model: { id: 'crepe-tiny', version: '0', sha256: '0' },
    windowSamples: 1024,
    load: () => Promise.reject(new Error('SONO_ERR_MODEL_CHECKSUM')),
    track: () => Promise.reject(new Error('not loaded')),
  };
  const c = new PitchEvidenceCollector(broken, RATE);
  await c.start();
  await c.onSamples(new Float32Array(2 * RATE).fill(0.1), 0);
  assert.equal(c.finish().engine, null);
  assert.match(c.loadError ?? '', /CHECKSUM/);
});
