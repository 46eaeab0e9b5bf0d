/**
 * Music fixtures generated in code (used by the music tests and by eval/music.ts): harmonic tones,
 * chord progressions in a known key, vibrato tones, drum-like noise bursts.
 */
import { rng } from '../../helpers/fixtures.js';

export { PITCH_CLASSES as PITCH_NAMES } from '../../../src/dsp/chroma.js';

export function midiToHz(midi: number, a4Hz = 440): number {
  return a4Hz * 2 ** ((midi - 69) / 12);
}

/** A tone with `harmonics` partials of amplitude amp/h and 25 ms fades. */
export function harmonicTone(
  freqHz: number,
  seconds: number,
  sampleRateHz: number,
  amplitude = 0.3,
  harmonics = 6,
): Float32Array {
  const n = Math.round(seconds * sampleRateHz);
  const x = new Float32Array(n);
  const fade = Math.round(0.025 * sampleRateHz);
  for (let h = 1; h <= harmonics; h++) {
    if (freqHz * h >= sampleRateHz / 2 - 500) break;
    const a = amplitude / h;
    const w = (2 * Math.PI * freqHz * h) / sampleRateHz;
    for (let i = 0; i < n; i++)
      x[i]! += a * Math.sin(w * i) * Math.min(1, i / fade, (n - i) / fade);
  }
  return x;
}

/**
 * I–IV–V–I (major) or i–iv–V–i (minor, with the raised leading tone in V) in root position with a
 * bass note, each chord `chordSec` long. `tonic` is a pitch class (C = 0), voiced around C4.
 */
export function progression(
  tonic: number,
  minor: boolean,
  sampleRateHz: number,
  chordSec = 1,
  a4Hz = 440,
): Float32Array {
  const third = minor ? 3 : 4;
  const chords = [
    [0, third, 7],
    [5, 5 + third, 12],
    [7, 11, 14],
    [0, third, 7],
  ];
  const len = Math.round(chordSec * sampleRateHz);
  const out = new Float32Array(len * chords.length);
  const root = 60 + ((tonic + 6) % 12) - 6;
  chords.forEach((ch, k) => {
    for (const s of [...ch, ch[0]! - 12]) {
      const t = harmonicTone(midiToHz(root + s, a4Hz), chordSec, sampleRateHz, 0.12);
      for (let i = 0; i < len; i++) out[k * len + i]! += t[i]!;
    }
  });
  return out;
}

/** A harmonic tone with sinusoidal vibrato (rate Hz, semi-extent cents). */
export function vibratoTone(
  f0Hz: number,
  rateHz: number,
  extentCents: number,
  seconds: number,
  sampleRateHz: number,
): Float32Array {
  const n = Math.round(seconds * sampleRateHz);
  const x = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const f =
      f0Hz * 2 ** ((extentCents * Math.sin((2 * Math.PI * rateHz * i) / sampleRateHz)) / 1200);
    phase += (2 * Math.PI * f) / sampleRateHz;
    for (let h = 1; h <= 4; h++) x[i]! += (0.3 / h) * Math.sin(h * phase);
  }
  return x;
}

/**
 * Drum-like pattern: exponentially decaying white-noise bursts (snare/hi-hat) alternating with
 * low decaying sine "kicks", on eighth notes at `bpm`.
 */
export function drumPattern(
  bpm: number,
  seconds: number,
  sampleRateHz: number,
  seed = 3,
): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(Math.round(seconds * sampleRateHz));
  const eighth = (30 / bpm) * sampleRateHz;
  for (let k = 0; k * eighth < x.length; k++) {
    const s = Math.round(k * eighth);
    const kick = k % 4 === 0;
    const snare = k % 4 === 2;
    const len = Math.round((kick ? 0.25 : snare ? 0.18 : 0.05) * sampleRateHz);
    const tau = len / 5;
    for (let i = 0; i < len && s + i < x.length; i++) {
      const env = Math.exp(-i / tau);
      const v = kick
        ? 0.8 *
          env *
          Math.sin(
            (2 * Math.PI * (60 + 60 * Math.exp(-i / (0.02 * sampleRateHz))) * i) / sampleRateHz,
          )
        : (snare ? 0.5 : 0.2) * env * (2 * r() - 1);
      x[s + i]! += v;
    }
  }
  return x;
}

/**
 * Clicks whose tempo changes linearly, beat by beat, from `startBpm` to `endBpm` (a ritardando
 * when it slows), with `steadyBeats` beats at `startBpm` first. Returns the signal and the click
 * times (s), from which the mean tempo is 60 · (n − 1) / (last − first).
 */
export function tempoRampClicks(
  startBpm: number,
  endBpm: number,
  steadyBeats: number,
  rampBeats: number,
  sampleRateHz: number,
): { signal: Float32Array; clickSec: number[] } {
  const clickSec: number[] = [];
  let t = 0.25;
  for (let k = 0; k < steadyBeats + rampBeats; k++) {
    clickSec.push(t);
    const f = k < steadyBeats ? 0 : (k - steadyBeats + 1) / rampBeats;
    t += 60 / (startBpm + (endBpm - startBpm) * f);
  }
  const x = new Float32Array(Math.round((t + 0.5) * sampleRateHz));
  const len = Math.round(0.01 * sampleRateHz);
  for (const c of clickSec) {
    const s = Math.round(c * sampleRateHz);
    for (let i = 0; i < len; i++)
      x[s + i] = 0.8 * Math.exp(-i / (len / 5)) * Math.sin((2 * Math.PI * 2000 * i) / sampleRateHz);
  }
  return { signal: x, clickSec };
}
