/**
 * Helpers for the quality-control tests: run the analyzer over planar fixture channels (fed as
 * interleaved chunks, like the decoder does) and build an `AudioInfo` for the format checks.
 */
import type { AudioInfo } from '../../../src/audio/types.js';
import { createQualityControlAnalyzer } from '../../../src/analysis/quality-control/index.js';
import type { QualityControlSection } from '../../../src/analysis/quality-control/types.js';
import type { AnalyzeOptions, SectionBase } from '../../../src/analysis/analyzer.js';

export function makeAudioInfo(over: Partial<AudioInfo> & { sample_rate: number }): AudioInfo {
  return {
    duration: 0,
    channels: 1,
    bit_depth: 24,
    bitrate: null,
    container: 'WAVE',
    codec: 'PCM',
    lossless: true,
    mime_type: 'audio/wav',
    file_size_bytes: 0,
    ...over,
  };
}

export function interleave(channels: readonly Float32Array[]): Float32Array {
  const nCh = channels.length;
  const frames = channels[0]!.length;
  const out = new Float32Array(frames * nCh);
  for (let c = 0; c < nCh; c++) {
    const ch = channels[c]!;
    for (let i = 0; i < frames; i++) out[i * nCh + c] = ch[i]!;
  }
  return out;
}

export interface RunQcParams {
  readonly sampleRateHz: number;
  readonly info?: Partial<AudioInfo>;
  readonly options?: AnalyzeOptions;
  /** Frames per onNative call. @defaultValue 4096 */
  readonly chunkFrames?: number;
}

/** Runs the QC analyzer; returns the raw section (ok or not). */
export async function runQcRaw(
  channels: readonly Float32Array[],
  p: RunQcParams,
): Promise<SectionBase> {
  const nCh = channels.length;
  const frames = channels[0]?.length ?? 0;
  const audioInfo = makeAudioInfo({
    sample_rate: p.sampleRateHz,
    channels: nCh,
    duration: frames / p.sampleRateHz,
    ...p.info,
  });
  const ctx = { audioInfo, analysisRateHz: 16000, options: p.options ?? {} };
  const qc = createQualityControlAnalyzer(ctx);
  const x = interleave(channels);
  const step = (p.chunkFrames ?? 4096) * nCh;
  for (let o = 0; o < x.length; o += step)
    qc.onNative!(x.slice(o, Math.min(x.length, o + step)), nCh);
  return qc.finish({ ...ctx, durationSec: frames / p.sampleRateHz, sections: {} });
}

/** Runs the QC analyzer and asserts the section is `ok`. */
export async function runQc(
  channels: readonly Float32Array[],
  p: RunQcParams,
): Promise<QualityControlSection> {
  const s = await runQcRaw(channels, p);
  if (s.status !== 'ok') throw new Error(`QC section not ok: ${JSON.stringify(s)}`);
  return s as QualityControlSection;
}

/** Windowed-sinc (Blackman) low-pass FIR applied to `x`: a steep, linear-phase brick wall. */
export function lowPass(
  x: Float32Array,
  cutoffHz: number,
  sampleRateHz: number,
  taps = 1023,
): Float32Array {
  const h = new Float64Array(taps);
  const m = (taps - 1) / 2;
  const fc = cutoffHz / sampleRateHz;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const t = i - m;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const w =
      0.42 -
      0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) +
      0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
    h[i] = sinc * w;
    sum += h[i]!;
  }
  const y = new Float32Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let acc = 0;
    const k0 = Math.max(0, n - (x.length - 1));
    const k1 = Math.min(taps - 1, n);
    for (let k = k0; k <= k1; k++) acc += h[k]! * x[n - k]!;
    y[n] = acc / sum;
  }
  return y;
}
