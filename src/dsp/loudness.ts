/**
 * Streaming programme loudness: ITU-R BS.1770-4 / EBU R128 integrated loudness (momentary 400 ms
 * blocks, 75 % overlap, absolute gate -70 LUFS, relative gate -10 LU) and EBU Tech 3342 loudness
 * range (3 s short-term blocks every 100 ms, absolute gate -70 LUFS, relative gate -20 LU,
 * 10th to 95th percentile).
 *
 * Written by hand (no library): the npm meters either keep every block in an array (memory grows
 * with the recording) or only accept 48 kHz. Memory here is constant: the K-filtered energy of the
 * last 30 sub-blocks of 100 ms, and two histograms of 0.01 LU bins that hold, per bin, the block
 * count and the exact sum of block energies (libebur128's "histogram mode", refined so the gated
 * mean energy is exact and only the gate position is quantised to 0.01 LU).
 *
 * Input: interleaved float samples, full scale ±1, any channel count and sample rate.
 */
import { designKWeighting } from './k-weighting.js';

/** Loudness of a mean-square energy: -0.691 + 10 log10(E) (BS.1770-4 eq. 2). */
export function energyToLufs(energy: number): number {
  return -0.691 + 10 * Math.log10(energy);
}

export function lufsToEnergy(lufs: number): number {
  return Math.pow(10, (lufs + 0.691) / 10);
}

/**
 * BS.1770-4 channel weights by channel count, in ffmpeg's native channel order:
 * 5 = L R C Ls Rs; 6 (5.1) = L R C LFE Ls Rs (LFE excluded); 8 (7.1) = L R C LFE Ls Rs Lb Rb.
 * Surround channels weigh 1.41 (+1.5 dB); every other layout weighs each channel 1.
 */
export function defaultChannelWeights(channels: number): Float64Array {
  const w = new Float64Array(channels).fill(1);
  if (channels === 5) w.set([1, 1, 1, 1.41, 1.41]);
  else if (channels === 6) w.set([1, 1, 1, 0, 1.41, 1.41]);
  else if (channels === 8) w.set([1, 1, 1, 0, 1.41, 1.41, 1.41, 1.41]);
  return w;
}

const HIST_MIN_LUFS = -70;
const HIST_MAX_LUFS = 30;
const HIST_BINS_PER_LU = 100;
const HIST_BINS = (HIST_MAX_LUFS - HIST_MIN_LUFS) * HIST_BINS_PER_LU;

/** Histogram of block loudness: count and summed energy per 0.01 LU bin from -70 to +30 LUFS. */
export class LoudnessHistogram {
  readonly counts = new Float64Array(HIST_BINS);
  readonly energies = new Float64Array(HIST_BINS);
  /** Blocks added above the absolute gate. */
  total = 0;

  /** Adds one block of mean-square `energy`; blocks at or below -70 LUFS are gated out. */
  add(energy: number): void {
    const lufs = energyToLufs(energy);
    if (!(lufs > HIST_MIN_LUFS)) return;
    let i = Math.floor((lufs - HIST_MIN_LUFS) * HIST_BINS_PER_LU);
    if (i >= HIST_BINS) i = HIST_BINS - 1;
    this.counts[i]! += 1;
    this.energies[i]! += energy;
    this.total++;
  }

  /** Index of the first bin whose centre is at or above `lufs`. */
  private binAtOrAbove(lufs: number): number {
    const i = Math.ceil((lufs - HIST_MIN_LUFS) * HIST_BINS_PER_LU - 0.5);
    return Math.max(0, Math.min(HIST_BINS, i));
  }

  private static binCentreLufs(i: number): number {
    return HIST_MIN_LUFS + (i + 0.5) / HIST_BINS_PER_LU;
  }

  /** Mean energy of the blocks in bins >= `from`, and their count. */
  private meanEnergyFrom(from: number): { mean: number; count: number } {
    let e = 0;
    let n = 0;
    for (let i = from; i < HIST_BINS; i++) {
      e += this.energies[i]!;
      n += this.counts[i]!;
    }
    return { mean: n > 0 ? e / n : 0, count: n };
  }

  /**
   * Gated loudness: mean energy of blocks above the absolute gate, then of those within
   * `relativeGateLu` of it (BS.1770-4 §2.8 uses -10 LU). Null when no block passes.
   */
  gatedLoudnessLufs(relativeGateLu: number): number | null {
    const abs = this.meanEnergyFrom(0);
    if (abs.count === 0) return null;
    const rel = this.meanEnergyFrom(this.binAtOrAbove(energyToLufs(abs.mean) + relativeGateLu));
    return rel.count > 0 ? energyToLufs(rel.mean) : null;
  }

  /**
   * EBU Tech 3342 loudness range: spread between the 10th and 95th percentiles of the blocks
   * that pass the absolute gate and a relative gate `relativeGateLu` (-20) below their mean.
   */
  loudnessRangeLu(relativeGateLu: number, lowPct = 0.1, highPct = 0.95): number | null {
    const abs = this.meanEnergyFrom(0);
    if (abs.count === 0) return null;
    const from = this.binAtOrAbove(energyToLufs(abs.mean) + relativeGateLu);
    const n = this.meanEnergyFrom(from).count;
    if (n === 0) return null;
    const loIdx = Math.round((n - 1) * lowPct);
    const hiIdx = Math.round((n - 1) * highPct);
    let lo = NaN;
    let hi = NaN;
    let cum = 0;
    for (let i = from; i < HIST_BINS; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      if (Number.isNaN(lo) && cum + c > loIdx) lo = LoudnessHistogram.binCentreLufs(i);
      if (cum + c > hiIdx) {
        hi = LoudnessHistogram.binCentreLufs(i);
        break;
      }
      cum += c;
    }
    return hi - lo;
  }
}

export interface LoudnessMeterOptions {
  /** Per-channel weights; default from `defaultChannelWeights`. */
  readonly channelWeights?: ArrayLike<number>;
}

/** Ring length in 100 ms sub-blocks: 30 = the 3 s short-term window. */
const RING = 30;

/**
 * Streaming BS.1770-4 meter. Call `process` with successive interleaved chunks (whole frames),
 * then read the results. Frames of an incomplete trailing 100 ms sub-block are not counted
 * (as ffmpeg's `ebur128` filter).
 */
export class LoudnessMeter {
  readonly sampleRateHz: number;
  readonly channels: number;
  private readonly weights: Float64Array;
  private readonly coeffs: Float64Array; // shelf b0 b1 b2 a1 a2, rlb b0 b1 b2 a1 a2
  /** Per channel 4 doubles: shelf z1 z2, rlb z1 z2. */
  private readonly state: Float64Array;
  /** Energy sum (Σ_ch G_ch Σ y²) of the current sub-block, and per past sub-block in the ring. */
  private subSum = 0;
  private subFrames = 0;
  private subIndex = 0;
  private subTarget: number;
  private readonly ringSum = new Float64Array(RING);
  private readonly ringFrames = new Float64Array(RING);
  private completed = 0;
  readonly momentary = new LoudnessHistogram();
  readonly shortTerm = new LoudnessHistogram();
  private maxMomentaryEnergy = 0;
  private maxShortTermEnergy = 0;
  private framesTotal = 0;

  constructor(sampleRateHz: number, channels: number, opts: LoudnessMeterOptions = {}) {
    if (!Number.isInteger(channels) || channels < 1)
      throw new RangeError(`channels must be a positive integer, got ${channels}`);
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    const w = opts.channelWeights;
    if (w && w.length !== channels)
      throw new RangeError(`channelWeights has ${w.length} entries for ${channels} channels`);
    this.weights = w ? Float64Array.from(w) : defaultChannelWeights(channels);
    const [s, r] = designKWeighting(sampleRateHz);
    this.coeffs = Float64Array.of(s.b0, s.b1, s.b2, s.a1, s.a2, r.b0, r.b1, r.b2, r.a1, r.a2);
    this.state = new Float64Array(4 * channels);
    this.subTarget = this.subBoundary(1);
  }

  /** Frame index where sub-block k ends (rounded, so 11025 Hz etc. stay exact on average). */
  private subBoundary(k: number): number {
    return Math.round((k * this.sampleRateHz) / 10);
  }

  /** Consumes interleaved samples (length a multiple of `channels`). */
  process(interleaved: Float32Array): void {
    const nCh = this.channels;
    const frames = Math.floor(interleaved.length / nCh);
    let pos = 0;
    while (pos < frames) {
      const need = this.subTarget - this.framesTotal;
      const n = Math.min(need, frames - pos);
      this.subSum += this.filterSegment(interleaved, pos, n);
      this.subFrames += n;
      this.framesTotal += n;
      pos += n;
      if (this.framesTotal === this.subTarget) this.closeSubBlock();
    }
  }

  /** K-filters frames [pos, pos+n) of every channel; returns Σ_ch G_ch Σ y². */
  private filterSegment(x: Float32Array, pos: number, n: number): number {
    const nCh = this.channels;
    const c = this.coeffs;
    const sb0 = c[0]!;
    const sb1 = c[1]!;
    const sb2 = c[2]!;
    const sa1 = c[3]!;
    const sa2 = c[4]!;
    const rb0 = c[5]!;
    const rb1 = c[6]!;
    const rb2 = c[7]!;
    const ra1 = c[8]!;
    const ra2 = c[9]!;
    const st = this.state;
    let total = 0;
    for (let ch = 0; ch < nCh; ch++) {
      const g = this.weights[ch]!;
      const o = 4 * ch;
      let s1 = st[o]!;
      let s2 = st[o + 1]!;
      let r1 = st[o + 2]!;
      let r2 = st[o + 3]!;
      let sum = 0;
      const end = (pos + n) * nCh;
      for (let j = pos * nCh + ch; j < end; j += nCh) {
        const v = x[j]!;
        const y = sb0 * v + s1;
        s1 = sb1 * v - sa1 * y + s2;
        s2 = sb2 * v - sa2 * y;
        const z = rb0 * y + r1;
        r1 = rb1 * y - ra1 * z + r2;
        r2 = rb2 * y - ra2 * z;
        sum += z * z;
      }
      // Flush denormals: after long digital silence the decaying states would otherwise crawl
      // through subnormal arithmetic, which is many times slower.
      st[o] = Math.abs(s1) < 1e-30 ? 0 : s1;
      st[o + 1] = Math.abs(s2) < 1e-30 ? 0 : s2;
      st[o + 2] = Math.abs(r1) < 1e-30 ? 0 : r1;
      st[o + 3] = Math.abs(r2) < 1e-30 ? 0 : r2;
      total += g * sum;
    }
    return total;
  }

  private closeSubBlock(): void {
    const slot = this.subIndex % RING;
    this.ringSum[slot] = this.subSum;
    this.ringFrames[slot] = this.subFrames;
    this.subIndex++;
    this.completed++;
    this.subSum = 0;
    this.subFrames = 0;
    this.subTarget = this.subBoundary(this.subIndex + 1);
    if (this.completed >= 4) {
      const e = this.windowEnergy(4);
      this.momentary.add(e);
      if (e > this.maxMomentaryEnergy) this.maxMomentaryEnergy = e;
    }
    if (this.completed >= RING) {
      const e = this.windowEnergy(RING);
      this.shortTerm.add(e);
      if (e > this.maxShortTermEnergy) this.maxShortTermEnergy = e;
    }
  }

  /** Mean weighted energy over the last `k` sub-blocks. */
  private windowEnergy(k: number): number {
    let s = 0;
    let n = 0;
    for (let i = 1; i <= k; i++) {
      const slot = (this.subIndex - i + RING) % RING;
      s += this.ringSum[slot]!;
      n += this.ringFrames[slot]!;
    }
    return n > 0 ? s / n : 0;
  }

  /** Integrated loudness (LUFS), null when no 400 ms block passes the gates. */
  integratedLoudnessLufs(): number | null {
    return this.momentary.gatedLoudnessLufs(-10);
  }

  /** Loudness range (LU), null when the programme is shorter than 3 s or entirely gated out. */
  loudnessRangeLu(): number | null {
    return this.shortTerm.loudnessRangeLu(-20);
  }

  /** Highest momentary (400 ms) loudness seen, LUFS; null before the first block. */
  maxMomentaryLufs(): number | null {
    return this.completed >= 4 && this.maxMomentaryEnergy > 0
      ? energyToLufs(this.maxMomentaryEnergy)
      : null;
  }

  /** Highest short-term (3 s) loudness seen, LUFS; null before the first 3 s. */
  maxShortTermLufs(): number | null {
    return this.completed >= RING && this.maxShortTermEnergy > 0
      ? energyToLufs(this.maxShortTermEnergy)
      : null;
  }

  /** BS.1770 weight of each channel. */
  get channelWeights(): readonly number[] {
    return Array.from(this.weights);
  }

  /** Frames consumed so far. */
  get frames(): number {
    return this.framesTotal;
  }
}
