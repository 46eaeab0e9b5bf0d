/** Synthetic "recordings" for fingerprint tests: seeded melodies, speed changes, noise. */
import type { AudioInfo } from '../../../src/audio/types.js';
import {
  decodePoints,
  FingerprintAnalyzer,
  type FingerprintedRecording,
} from '../../../src/analysis/fingerprint/index.js';
import { Framer } from '../../../src/analysis/frames.js';
import { rng } from '../../helpers/fixtures.js';

const RATE = 16000;

/** Notes of random pitch (200–2000 Hz, three harmonics) and length (0.08–0.4 s), decaying. */
export function melody(seconds: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(Math.round(seconds * RATE));
  let t = 0;
  while (t < x.length) {
    const len = Math.round((0.08 + 0.32 * r()) * RATE);
    const f0 = 200 * 10 ** r();
    const amp = 0.15 + 0.2 * r();
    for (let i = 0; i < len && t + i < x.length; i++) {
      const env = Math.exp(-i / (0.3 * len));
      let v = 0;
      for (let h = 1; h <= 3; h++) v += Math.sin((2 * Math.PI * f0 * h * i) / RATE) / h;
      x[t + i]! += amp * env * v;
    }
    t += len;
  }
  return x;
}

/** Plays x `speed` times faster (pitch and tempo together, like a wrong-speed transfer). */
export function changeSpeed(x: Float32Array, speed: number): Float32Array {
  const n = Math.floor((x.length - 1) / speed);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = i * speed;
    const k = Math.floor(p);
    const f = p - k;
    y[i] = x[k]! * (1 - f) + x[k + 1]! * f;
  }
  return y;
}

/** Adds seeded white noise at the given signal-to-noise ratio (dB). */
export function addNoise(x: Float32Array, snrDb: number, seed = 7): Float32Array {
  let power = 0;
  for (const v of x) power += v * v;
  power /= x.length;
  const amp = Math.sqrt((3 * power) / 10 ** (snrDb / 10));
  const r = rng(seed);
  return x.map((v) => v + amp * (2 * r() - 1));
}

/** Runs the fingerprint analyzer over 16 kHz samples the way the pipeline does. */
export function fingerprintSamples(id: string, samples: Float32Array): FingerprintedRecording {
  const a = new FingerprintAnalyzer();
  const framer = new Framer(a.frameConfigs[0]!, (f) => a.onFrame(f));
  for (let i = 0; i < samples.length; i += 4096) framer.push(samples.subarray(i, i + 4096));
  framer.flush();
  const durationSec = samples.length / RATE;
  const audioInfo = { duration: durationSec, sample_rate: RATE, channels: 1 } as AudioInfo;
  const section = a.finish({
    audioInfo,
    analysisRateHz: RATE,
    options: {},
    durationSec,
    sections: {},
  });
  return {
    id,
    durationSec,
    pcmMd5: section.pcm_md5 ?? null,
    points: decodePoints(Buffer.from(section.data ?? '', 'base64')),
  };
}
