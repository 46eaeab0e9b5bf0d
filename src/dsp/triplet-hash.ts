/**
 * Speed-tolerant triplet hashes over spectral peaks, after Panako (Six & Leman, ISMIR 2014;
 * Panako 2.0, 2021): three peaks (t1 < t2 < t3) give a hash of quantities that a change of
 * playback speed by a factor s (time ÷ s, frequency × s, the wrong-speed transfer of a disc or
 * a tape) leaves unchanged:
 * - the time ratio (t2 − t1) / (t3 − t1);
 * - the log-frequency differences lf2 − lf1 and lf3 − lf1 (semitones; a frequency scaling is a
 *   shift in log frequency).
 * A coarse octave band of lf1 is added for discrimination; it is not speed invariant, so a
 * query near a band edge also asks the neighbouring band (`queryHashes`). Plain Wang-style
 * peak pairs hash absolute frequency and time difference and fail beyond a few percent.
 *
 * Each triplet keeps t1 (seconds) and lf1 (semitones): the matcher recovers the speed from
 * lf1 differences and the alignment from t1 pairs.
 */
import type { SpectralPeak } from './spectral-peaks.js';

/** Semitones above this reference (Hz) measure log frequency. */
export const LF_REFERENCE_HZ = 100;
const BAND_SEMITONES = 12;
const BAND_COUNT = 8; // 3 bits: 100 Hz … 25.6 kHz in octaves
const DF_STEP_ST = 0.5;
const DF_LEVELS = 64; // 6 bits: ±16 semitones at half-semitone steps
const TR_LEVELS = 32; // 5 bits
/** Bits of a hash (band 3 + Δf21 6 + Δf31 6 + time ratio 5). */
export const HASH_BITS = 20;

export interface TripletOptions {
  /** Second and third peaks lie this far after the first, seconds. @defaultValue 0.1 */
  readonly minDtSec?: number;
  /** @defaultValue 1.2 */
  readonly maxDtSec?: number;
  /** …and within this many semitones of it. @defaultValue 15.5 */
  readonly maxDfSt?: number;
  /** Peaks of the target zone paired with each anchor (C(n,2) triplets). @defaultValue 3 */
  readonly fanOut?: number;
  /** Largest speed change the query expansion covers (fraction). @defaultValue 0.12 */
  readonly maxSpeedChange?: number;
}

/** One hash with the first peak's time and log frequency. */
export interface Triplet {
  readonly hash: number;
  readonly timeSec: number;
  /** Log frequency of the first peak, semitones above LF_REFERENCE_HZ. */
  readonly lfSt: number;
}

/** Log frequency in semitones above LF_REFERENCE_HZ. */
export function toSemitones(freqHz: number): number {
  return 12 * Math.log2(freqHz / LF_REFERENCE_HZ);
}

interface LfPeak {
  readonly t: number;
  readonly lf: number;
}

/** Packs the invariant fields; `band` is the octave band of lf1. */
export function packHash(band: number, df21St: number, df31St: number, timeRatio: number): number {
  const q = (d: number) =>
    Math.min(DF_LEVELS - 1, Math.max(0, Math.round(d / DF_STEP_ST) + DF_LEVELS / 2));
  const tr = Math.min(TR_LEVELS - 1, Math.max(0, Math.floor(timeRatio * TR_LEVELS)));
  const b = Math.min(BAND_COUNT - 1, Math.max(0, band));
  return ((b * DF_LEVELS + q(df21St)) * DF_LEVELS + q(df31St)) * TR_LEVELS + tr;
}

/** The octave band of a log frequency. */
export function bandOf(lfSt: number): number {
  return Math.floor(lfSt / BAND_SEMITONES);
}

/**
 * Streams peaks (in time order) into triplets. Memory: the peaks of one target zone.
 */
export class TripletHasher {
  private readonly pending: LfPeak[] = [];
  private readonly minDt: number;
  private readonly maxDt: number;
  private readonly maxDf: number;
  private readonly fanOut: number;

  constructor(
    private readonly onTriplet: (t: Triplet) => void,
    opts: TripletOptions = {},
  ) {
    this.minDt = opts.minDtSec ?? 0.1;
    this.maxDt = opts.maxDtSec ?? 1.2;
    this.maxDf = opts.maxDfSt ?? 15.5;
    this.fanOut = opts.fanOut ?? 3;
  }

  push(peak: SpectralPeak): void {
    const p = { t: peak.timeSec, lf: toSemitones(peak.freqHz) };
    // Every pending anchor whose target zone has closed gets its triplets now.
    while (this.pending.length > 0 && p.t - this.pending[0]!.t > this.maxDt) {
      this.emitAnchor();
    }
    this.pending.push(p);
  }

  flush(): void {
    while (this.pending.length > 0) this.emitAnchor();
  }

  private emitAnchor(): void {
    const a = this.pending[0]!;
    const zone: LfPeak[] = [];
    for (let i = 1; i < this.pending.length && zone.length < this.fanOut; i++) {
      const p = this.pending[i]!;
      const dt = p.t - a.t;
      if (dt < this.minDt || dt > this.maxDt) continue;
      if (Math.abs(p.lf - a.lf) > this.maxDf) continue;
      zone.push(p);
    }
    const band = bandOf(a.lf);
    for (let i = 0; i < zone.length; i++) {
      for (let j = i + 1; j < zone.length; j++) {
        const b = zone[i]!;
        const c = zone[j]!;
        const span = c.t - a.t;
        if (span <= 0) continue;
        this.onTriplet({
          hash: packHash(band, b.lf - a.lf, c.lf - a.lf, (b.t - a.t) / span),
          timeSec: a.t,
          lfSt: a.lf,
        });
      }
    }
    this.pending.shift();
  }
}

/**
 * The hashes a query triplet should look up: its own, plus the same invariants in the
 * neighbouring octave band when lf1 is within the largest speed change of a band edge.
 */
export function queryHashes(t: Triplet, maxSpeedChange = 0.12): number[] {
  const shiftSt = 12 * Math.log2(1 + maxSpeedChange);
  const band = bandOf(t.lfSt);
  const out = [t.hash];
  const within = t.lfSt - band * BAND_SEMITONES;
  const rest = t.hash % (DF_LEVELS * DF_LEVELS * TR_LEVELS);
  const withBand = (b: number) => b * DF_LEVELS * DF_LEVELS * TR_LEVELS + rest;
  if (within < shiftSt && band > 0) out.push(withBand(band - 1));
  if (BAND_SEMITONES - within < shiftSt && band < BAND_COUNT - 1) out.push(withBand(band + 1));
  return out;
}
