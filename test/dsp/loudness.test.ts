import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoudnessMeter, defaultChannelWeights } from '../../src/dsp/loudness.js';
import { concat, noise, tone } from '../helpers/fixtures.js';

function interleaved(channels: readonly Float32Array[]): Float32Array {
  const n = channels[0]!.length;
  const out = new Float32Array(n * channels.length);
  channels.forEach((ch, c) => {
    for (let i = 0; i < n; i++) out[i * channels.length + c] = ch[i]!;
  });
  return out;
}

function measure(
  channels: readonly Float32Array[],
  rate: number,
  chunkFrames = 4096,
): LoudnessMeter {
  const m = new LoudnessMeter(rate, channels.length);
  const x = interleaved(channels);
  const step = chunkFrames * channels.length;
  for (let o = 0; o < x.length; o += step) m.process(x.subarray(o, o + step));
  return m;
}

const dbfs = (db: number): number => Math.pow(10, db / 20);

// References. BS.1770-4 §2.1: a 0 dBFS 997 Hz sine in ONE channel reads -3.01 LKFS. Loudness
// adds channel energies, so the same sine in both channels of a stereo file reads 0.00 LUFS
// (-3.01 + 10 log10 2), not -3.01. At -20 dBFS peak: mono -23.01 LUFS, stereo -20.00 LUFS
// (EBU Tech 3341 case 1: stereo -23 dBFS sine → -23.0 LUFS).
test('997 Hz sine at -20 dBFS: mono -23.01 LUFS, stereo -20.00 LUFS (±0.02), at 44.1/48/96 kHz', () => {
  for (const rate of [44100, 48000, 96000]) {
    const s = tone(997, 10, rate, dbfs(-20));
    const mono = measure([s], rate).integratedLoudnessLufs()!;
    const stereo = measure([s, s], rate).integratedLoudnessLufs()!;
    assert.ok(Math.abs(mono - -23.01) < 0.02, `${rate} mono ${mono}`);
    assert.ok(Math.abs(stereo - -20.0) < 0.02, `${rate} stereo ${stereo}`);
  }
});

test('5.1 channel weights: LFE ignored, surround +1.5 dB (×1.41)', () => {
  assert.deepEqual(Array.from(defaultChannelWeights(6)), [1, 1, 1, 0, 1.41, 1.41]);
  const rate = 48000;
  const s = tone(997, 5, rate, dbfs(-20));
  const z = new Float32Array(s.length);
  const inLfe = measure([z, z, z, s, z, z], rate).integratedLoudnessLufs();
  assert.equal(inLfe, null, 'LFE alone is weighted 0: nothing passes the gate');
  const inLs = measure([z, z, z, z, s, z], rate).integratedLoudnessLufs()!;
  assert.ok(Math.abs(inLs - (-23.01 + 10 * Math.log10(1.41))) < 0.02, String(inLs));
});

test('relative gate: a passage 30 dB quieter does not pull the integrated loudness down', () => {
  const rate = 48000;
  const loud = tone(997, 10, rate, dbfs(-20));
  const quiet = tone(997, 10, rate, dbfs(-50));
  const m = measure([concat(loud, quiet)], rate);
  // Ungated it would be -26.0. Gated: the 97 all-loud blocks plus the 3 boundary blocks (75, 50,
  // 25 % loud) pass; the 30 dB quieter ones do not → -23.01 + 10 log10(98.5 / 100) = -23.076.
  const want = -23.01 + 10 * Math.log10(98.5 / 100);
  assert.ok(
    Math.abs(m.integratedLoudnessLufs()! - want) < 0.01,
    String(m.integratedLoudnessLufs()),
  );
});

test('absolute gate: everything below -70 LUFS gives null; silence gives null', () => {
  const rate = 48000;
  assert.equal(measure([tone(997, 3, rate, dbfs(-75))], rate).integratedLoudnessLufs(), null);
  assert.equal(measure([new Float32Array(rate * 2)], rate).integratedLoudnessLufs(), null);
  assert.equal(measure([new Float32Array(rate * 2)], rate).maxMomentaryLufs(), null);
});

test('EBU Tech 3342 case 1: 20 s at -20 dBFS then 20 s at -30 dBFS → LRA 10 LU (±0.1)', () => {
  const rate = 48000;
  const a = tone(997, 20, rate, dbfs(-20));
  const b = tone(997, 20, rate, dbfs(-30));
  const lra = measure([a, a], rate).loudnessRangeLu();
  assert.ok(lra !== null && Math.abs(lra) < 0.05, `steady tone has LRA ~0, got ${lra}`);
  const m = measure([concat(a, b), concat(a, b)], rate);
  assert.ok(Math.abs(m.loudnessRangeLu()! - 10) < 0.1, String(m.loudnessRangeLu()));
  assert.equal(measure([tone(997, 2, rate, 0.1)], rate).loudnessRangeLu(), null, '< 3 s');
});

test('chunk size does not change the results; momentary/short-term maxima are consistent', () => {
  const rate = 44100;
  const l = noise(6, rate, 0.3, 11);
  const r = noise(6, rate, 0.1, 12);
  const a = measure([l, r], rate, 4096);
  const b = measure([l, r], rate, 1001);
  assert.ok(Math.abs(a.integratedLoudnessLufs()! - b.integratedLoudnessLufs()!) < 1e-9);
  assert.ok(Math.abs(a.loudnessRangeLu()! - b.loudnessRangeLu()!) < 1e-9);
  assert.ok(a.maxMomentaryLufs()! >= a.integratedLoudnessLufs()!);
  assert.ok(a.maxShortTermLufs()! <= a.maxMomentaryLufs()! + 1e-9);
  assert.equal(a.frames, l.length);
});

test('rates whose 100 ms is not a whole number of samples (11025 Hz) measure correctly', () => {
  const rate = 11025;
  const s = tone(997, 10, rate, dbfs(-20));
  const v = measure([s], rate).integratedLoudnessLufs()!;
  assert.ok(Math.abs(v - -23.01) < 0.03, String(v));
});
