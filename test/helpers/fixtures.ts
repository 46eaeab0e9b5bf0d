/**
 * Deterministic audio fixtures generated in code: tones, clicks, chords, noise bursts, silences,
 * and a WAV writer (PCM 16/24/32-bit integer or 32-bit float, any channel count).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Seeded PRNG (mulberry32) so "noise" is identical on every run. */
import { mulberry32 } from '../../src/dsp/random.js';

export const rng = mulberry32;

export function tone(
  freqHz: number,
  seconds: number,
  sampleRateHz: number,
  amplitude = 0.5,
  phase = 0,
): Float32Array {
  const n = Math.round(seconds * sampleRateHz);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++)
    x[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRateHz + phase);
  return x;
}

export function silence(seconds: number, sampleRateHz: number): Float32Array {
  return new Float32Array(Math.round(seconds * sampleRateHz));
}

/** White noise, uniform in [-amplitude, amplitude]. */
export function noise(
  seconds: number,
  sampleRateHz: number,
  amplitude = 0.1,
  seed = 1,
): Float32Array {
  const r = rng(seed);
  const n = Math.round(seconds * sampleRateHz);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * (2 * r() - 1);
  return x;
}

/** Clicks (short decaying bursts) at a steady tempo. */
export function clickTrack(
  bpm: number,
  seconds: number,
  sampleRateHz: number,
  amplitude = 0.8,
): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRateHz));
  const period = (60 / bpm) * sampleRateHz;
  const len = Math.round(0.01 * sampleRateHz);
  for (let t = 0; t < x.length; t += period) {
    const s = Math.round(t);
    for (let i = 0; i < len && s + i < x.length; i++) {
      x[s + i] =
        amplitude * Math.exp(-i / (len / 5)) * Math.sin((2 * Math.PI * 2000 * i) / sampleRateHz);
    }
  }
  return x;
}

/** Sum of tones (a chord), each at `amplitude / freqs.length`. */
export function chord(
  freqsHz: readonly number[],
  seconds: number,
  sampleRateHz: number,
  amplitude = 0.6,
): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRateHz));
  for (const f of freqsHz) {
    const t = tone(f, seconds, sampleRateHz, amplitude / freqsHz.length);
    for (let i = 0; i < out.length; i++) out[i]! += t[i]!;
  }
  return out;
}

export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export type WavSampleFormat = 'pcm16' | 'pcm24' | 'pcm32' | 'float32';

export interface WavOptions {
  readonly sampleRateHz: number;
  readonly format?: WavSampleFormat;
  /** Extra RIFF chunks (id + payload) written before `data` (e.g. `bext`, `LIST`, `iXML`). */
  readonly extraChunks?: readonly { id: string; data: Buffer }[];
}

/** Encodes planar channels as a RIFF/WAVE file (values clamped to [-1, 1] for integer formats). */
export function encodeWav(channels: readonly Float32Array[], opts: WavOptions): Buffer {
  const format = opts.format ?? 'pcm16';
  const bits = format === 'pcm16' ? 16 : format === 'pcm24' ? 24 : 32;
  const bytes = bits / 8;
  const nCh = channels.length;
  const frames = channels[0]?.length ?? 0;
  const data = Buffer.alloc(frames * nCh * bytes);
  let o = 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nCh; c++) {
      const v = channels[c]![i]!;
      if (format === 'float32') data.writeFloatLE(v, o);
      else {
        const max = 2 ** (bits - 1);
        const q = Math.max(-max, Math.min(max - 1, Math.round(v * max)));
        data.writeIntLE(q, o, bytes);
      }
      o += bytes;
    }
  }
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(format === 'float32' ? 3 : 1, 0);
  fmt.writeUInt16LE(nCh, 2);
  fmt.writeUInt32LE(opts.sampleRateHz, 4);
  fmt.writeUInt32LE(opts.sampleRateHz * nCh * bytes, 8);
  fmt.writeUInt16LE(nCh * bytes, 12);
  fmt.writeUInt16LE(bits, 14);
  const chunk = (id: string, payload: Buffer): Buffer => {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'ascii');
    h.writeUInt32LE(payload.length, 4);
    return Buffer.concat([h, payload, payload.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const body = Buffer.concat([
    Buffer.from('WAVE', 'ascii'),
    chunk('fmt ', fmt),
    ...(opts.extraChunks ?? []).map((c) => chunk(c.id, c.data)),
    chunk('data', data),
  ]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

/** A fresh temporary directory for one test file. */
export function tempDir(prefix = 'sonoteca-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a WAV fixture into `dir` and returns its path. */
export function writeWav(
  dir: string,
  name: string,
  channels: readonly Float32Array[],
  opts: WavOptions,
): string {
  const p = join(dir, name);
  writeFileSync(p, encodeWav(channels, opts));
  return p;
}
