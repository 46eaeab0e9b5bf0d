/**
 * Window features of the instrument-family model, computed the same way at training time
 * (scripts/instruments/) and at inference: per default frame (16 kHz, 32 ms, 10 ms hop) a
 * 28-value vector — MFCC 1..19 (timbre, level-free), spectral centroid, roll-off, flatness,
 * onset flux, log energy (its window mean taken relative to the window's peak, so absolute level
 * does not count), |Δ log energy| and |Δ centroid| (attack/decay and articulation), zero-crossing
 * rate and spectral spread —
 * summed per 1 s block (sum and sum of squares over non-silent frames). A window of
 * `WINDOW_BLOCKS` blocks gives mean and standard deviation of each value, plus the fraction of
 * non-silent frames: 57 numbers.
 *
 * Memory: 59 floats per second of audio.
 */
import type { Frame } from '../frames.js';
import { spectralShapeOf } from '../music/frame-shape.js';
import { computeSpectralFlux } from '../../dsp/onset.js';

/** Per-frame values (see FEATURE_NAMES). */
export const FRAME_DIM = 28;
/** Seconds per block. */
export const BLOCK_SEC = 1;
/** Blocks per model window (2 s). */
export const WINDOW_BLOCKS = 2;
/** Length of a window feature vector. */
export const WINDOW_DIM = 2 * FRAME_DIM + 1;
const BLOCK_STRIDE = 2 * FRAME_DIM + 3; // sums, sums of squares, non-silent count, total count, max log energy
const SILENCE_RMS = 1e-3;
const LOG_ENERGY = 23;

const FRAME_NAMES = [
  ...Array.from({ length: 19 }, (_, i) => `mfcc${i + 1}`),
  'centroid_khz',
  'rolloff_khz',
  'flatness',
  'onset_flux',
  'log_energy_below_peak',
  'abs_delta_log_energy',
  'abs_delta_centroid_khz',
  'zero_crossing_rate',
  'spectral_spread_khz',
];

/** Names of the WINDOW_DIM window features, in order. */
export const FEATURE_NAMES: readonly string[] = [
  ...FRAME_NAMES.map((n) => `${n}_mean`),
  ...FRAME_NAMES.map((n) => `${n}_std`),
  'non_silent_fraction',
];

/** Accumulates per-block sums from default frames; windows are read at the end. */
export class InstrumentFeatureAccumulator {
  private blocks = new Float32Array(BLOCK_STRIDE * 64);
  private nBlocks = 0;
  private prevMel: Float32Array | null = null;
  private prevLogE = 0;
  private prevCentroid = 0;
  private readonly v = new Float64Array(FRAME_DIM);

  /** Feed one DEFAULT_FRAMER frame. */
  onFrame(frame: Frame): void {
    const block = Math.floor(frame.centerSec / BLOCK_SEC);
    this.ensure(block);
    const base = block * BLOCK_STRIDE;
    const b = this.blocks;
    b[base + 2 * FRAME_DIM + 1]! += 1;
    const mel = frame.melLog;
    let flux = 0;
    if (this.prevMel) flux = computeSpectralFlux(this.prevMel, mel).flux;
    else this.prevMel = new Float32Array(mel.length);
    this.prevMel.set(mel);
    if (frame.rms < SILENCE_RMS) return;
    const shape = spectralShapeOf(frame);
    if (!shape) return;
    const mfcc = frame.mfcc;
    const v = this.v;
    for (let i = 0; i < 19; i++) v[i] = mfcc[i + 1] ?? 0;
    const logE = Math.log(frame.rms * frame.rms + 1e-10);
    const cKhz = shape.centroidHz / 1000;
    v[19] = cKhz;
    v[20] = shape.rolloffHz / 1000;
    v[21] = shape.flatness;
    v[22] = flux;
    v[23] = logE;
    v[24] = Math.abs(logE - this.prevLogE);
    v[25] = Math.abs(cKhz - this.prevCentroid);
    // Zero-crossing rate (noisiness) and spectral spread (bandwidth) around the centroid.
    const x = frame.samples;
    let zc = 0;
    for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 !== x[i]! < 0) zc++;
    v[26] = zc / x.length;
    v[27] = spreadKhz(frame.power, frame.config.sampleRateHz, shape.centroidHz);
    this.prevLogE = logE;
    this.prevCentroid = cKhz;
    for (let i = 0; i < FRAME_DIM; i++) {
      b[base + i]! += v[i]!;
      b[base + FRAME_DIM + i]! += v[i]! * v[i]!;
    }
    b[base + 2 * FRAME_DIM]! += 1;
    const maxAt = base + 2 * FRAME_DIM + 2;
    if (b[base + 2 * FRAME_DIM]! === 1 || logE > b[maxAt]!) b[maxAt] = logE;
  }

  private ensure(block: number): void {
    while ((block + 1) * BLOCK_STRIDE > this.blocks.length) {
      const next = new Float32Array(this.blocks.length * 2);
      next.set(this.blocks);
      this.blocks = next;
    }
    if (block + 1 > this.nBlocks) this.nBlocks = block + 1;
  }

  get blockCount(): number {
    return this.nBlocks;
  }

  /**
   * Feature vector of the window of blocks [firstBlock, firstBlock + WINDOW_BLOCKS), or null
   * when fewer than 25 % of its frames are non-silent.
   */
  windowFeatures(firstBlock: number): Float64Array | null {
    const sums = new Float64Array(BLOCK_STRIDE);
    let maxLogE = -Infinity;
    for (let k = firstBlock; k < firstBlock + WINDOW_BLOCKS && k < this.nBlocks; k++) {
      for (let i = 0; i < BLOCK_STRIDE; i++) sums[i]! += this.blocks[k * BLOCK_STRIDE + i]!;
      if (this.blocks[k * BLOCK_STRIDE + 2 * FRAME_DIM]! > 0)
        maxLogE = Math.max(maxLogE, this.blocks[k * BLOCK_STRIDE + 2 * FRAME_DIM + 2]!);
    }
    const n = sums[2 * FRAME_DIM]!;
    const total = sums[2 * FRAME_DIM + 1]!;
    if (total === 0 || n < 0.25 * total) return null;
    const out = new Float64Array(WINDOW_DIM);
    for (let i = 0; i < FRAME_DIM; i++) {
      const m = sums[i]! / n;
      out[i] = m;
      out[FRAME_DIM + i] = Math.sqrt(Math.max(0, sums[FRAME_DIM + i]! / n - m * m));
    }
    // Absolute level says nothing about the instrument: keep the mean log energy only relative to
    // the window's loudest frame (how much of the time the sound sits below its peak).
    out[LOG_ENERGY] = out[LOG_ENERGY]! - maxLogE;
    out[2 * FRAME_DIM] = n / total;
    return out;
  }

  /** Start blocks of the windows lying inside [startSec, endSec) (hop = one block). */
  windowStarts(startSec: number, endSec: number): number[] {
    const out: number[] = [];
    const first = Math.ceil(startSec / BLOCK_SEC - 1e-9);
    const last = Math.floor(endSec / BLOCK_SEC + 1e-9) - WINDOW_BLOCKS;
    for (let b = first; b <= last && b + WINDOW_BLOCKS <= this.nBlocks; b++) out.push(b);
    // A region shorter than one window still gets its single (partial) window.
    if (out.length === 0 && first < this.nBlocks && endSec - startSec >= 0.5) out.push(first);
    return out;
  }
}

/** Power-weighted standard deviation of frequency around `centroidHz`, kHz. */
function spreadKhz(power: Float32Array, sampleRateHz: number, centroidHz: number): number {
  const binHz = sampleRateHz / (2 * (power.length - 1));
  let tot = 0;
  let acc = 0;
  for (let k = 1; k < power.length; k++) {
    const d = k * binHz - centroidHz;
    tot += power[k]!;
    acc += power[k]! * d * d;
  }
  return tot > 0 ? Math.sqrt(acc / tot) / 1000 : 0;
}
