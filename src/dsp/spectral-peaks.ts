/**
 * Streaming spectral peak picking for audio fingerprints: time–frequency points that are the
 * maximum of their neighbourhood in a log-power spectrogram, refined to sub-bin frequency and
 * sub-frame time by parabolic interpolation, thinned to the strongest few per second.
 *
 * Input: one power spectrum per frame (length fftSize/2 + 1, any scale, bin k at k·binHz),
 * frames `hopSec` apart. Memory: a ring of `2·timeRadiusFrames + 1` frames plus one second of
 * candidates, whatever the recording's length.
 */

export interface SpectralPeak {
  /** Peak time (seconds from the first frame's centre reference given by `frameTimeSec`). */
  readonly timeSec: number;
  /** Peak frequency, Hz. */
  readonly freqHz: number;
  /** Peak level, dB of the input power scale. */
  readonly levelDb: number;
}

export interface PeakPickerOptions {
  /** Frequency of bin k is k·binHz. */
  readonly binHz: number;
  /** Seconds between frames. */
  readonly hopSec: number;
  /** Number of bins of each spectrum (fftSize/2 + 1). */
  readonly bins: number;
  /** Lowest peak frequency. @defaultValue 150 */
  readonly minFreqHz?: number;
  /** Highest peak frequency. @defaultValue 5000 */
  readonly maxFreqHz?: number;
  /** A peak is the maximum over ±timeRadiusFrames frames. @defaultValue 8 */
  readonly timeRadiusFrames?: number;
  /** …and over ±freqRadiusBins bins. @defaultValue 4 */
  readonly freqRadiusBins?: number;
  /** Peaks kept per second (the strongest). @defaultValue 12 */
  readonly peaksPerSec?: number;
  /** Peaks below this level (dB of the input power scale) are ignored. @defaultValue -40 */
  readonly floorDb?: number;
}

/**
 * Push power spectra in order; peaks come out (in time order, at most `peaksPerSec` per
 * one-second block) through `onPeak`, delayed by about one second. Call `flush()` at the end.
 */
export class SpectralPeakPicker {
  private readonly kLo: number;
  private readonly kHi: number;
  private readonly width: number;
  private readonly radiusT: number;
  private readonly radiusF: number;
  private readonly ringSize: number;
  /** Log power of bins kLo..kHi of the last ringSize frames. */
  private readonly ring: Float32Array[];
  /** Frequency-neighbourhood maximum of the same frames. */
  private readonly ringMax: Float32Array[];
  private framesSeen = 0;
  private block: SpectralPeak[] = [];
  private blockIndex = 0;
  private readonly perBlock: number;
  private readonly floorDb: number;

  constructor(
    private readonly opts: PeakPickerOptions,
    private readonly onPeak: (peak: SpectralPeak) => void,
  ) {
    const nyquistBin = opts.bins - 1;
    this.kLo = Math.max(1, Math.ceil((opts.minFreqHz ?? 150) / opts.binHz));
    this.kHi = Math.min(nyquistBin - 1, Math.floor((opts.maxFreqHz ?? 5000) / opts.binHz));
    this.width = Math.max(0, this.kHi - this.kLo + 1);
    this.radiusT = opts.timeRadiusFrames ?? 8;
    this.radiusF = opts.freqRadiusBins ?? 4;
    this.ringSize = 2 * this.radiusT + 1;
    this.ring = Array.from({ length: this.ringSize }, () => new Float32Array(this.width));
    this.ringMax = Array.from({ length: this.ringSize }, () => new Float32Array(this.width));
    this.perBlock = opts.peaksPerSec ?? 12;
    this.floorDb = opts.floorDb ?? -40;
  }

  /** Adds the next frame's power spectrum (only valid during the call; it is copied). */
  push(power: ArrayLike<number>): void {
    const slot = this.framesSeen % this.ringSize;
    const row = this.ring[slot]!;
    for (let i = 0; i < this.width; i++) row[i] = 10 * Math.log10(power[this.kLo + i]! + 1e-12);
    const mx = this.ringMax[slot]!;
    const r = this.radiusF;
    for (let i = 0; i < this.width; i++) {
      let m = row[i]!;
      const lo = Math.max(0, i - r);
      const hi = Math.min(this.width - 1, i + r);
      for (let j = lo; j <= hi; j++) if (row[j]! > m) m = row[j]!;
      mx[i] = m;
    }
    this.framesSeen++;
    // The frame radiusT back now has its whole time neighbourhood.
    if (this.framesSeen > this.radiusT) this.examine(this.framesSeen - 1 - this.radiusT);
  }

  /** Examines the last frames (their future neighbourhood is the end of the audio). */
  flush(): void {
    for (let c = Math.max(0, this.framesSeen - this.radiusT); c < this.framesSeen; c++) {
      this.examine(c);
    }
    this.emitBlock();
  }

  private examine(center: number): void {
    if (this.width < 3) return;
    const row = this.ring[center % this.ringSize]!;
    const rowMax = this.ringMax[center % this.ringSize]!;
    const first = Math.max(0, center - this.radiusT);
    const last = Math.min(this.framesSeen - 1, center + this.radiusT);
    for (let i = 1; i < this.width - 1; i++) {
      const v = row[i]!;
      if (v < this.floorDb || v !== rowMax[i]) continue;
      // Strictly above the bins beside it, so a flat plateau yields no peak.
      if (!(v > row[i - 1]! && v > row[i + 1]!)) continue;
      let isPeak = true;
      for (let f = first; f <= last && isPeak; f++) {
        if (f === center) continue;
        const other = this.ringMax[f % this.ringSize]![i]!;
        // Ties go to the earlier frame: exactly one peak per plateau in time.
        if (f < center ? other >= v : other > v) isPeak = false;
      }
      if (!isPeak) continue;
      this.addCandidate(center, i, v);
    }
  }

  private addCandidate(center: number, i: number, v: number): void {
    const row = this.ring[center % this.ringSize]!;
    const left = row[i - 1]!;
    const right = row[i + 1]!;
    const df = parabolicOffset(left, v, right);
    let dt = 0;
    if (center > 0 && center + 1 < this.framesSeen) {
      const prev = this.ring[(center - 1) % this.ringSize]![i]!;
      const next = this.ring[(center + 1) % this.ringSize]![i]!;
      dt = parabolicOffset(prev, v, next);
    }
    const timeSec = (center + dt) * this.opts.hopSec;
    const blockIndex = Math.floor(center * this.opts.hopSec);
    if (blockIndex !== this.blockIndex) {
      this.emitBlock();
      this.blockIndex = blockIndex;
    }
    this.block.push({ timeSec, freqHz: (this.kLo + i + df) * this.opts.binHz, levelDb: v });
  }

  private emitBlock(): void {
    if (this.block.length === 0) return;
    const kept = this.block
      .sort((a, b) => b.levelDb - a.levelDb)
      .slice(0, this.perBlock)
      .sort((a, b) => a.timeSec - b.timeSec);
    this.block = [];
    for (const p of kept) this.onPeak(p);
  }
}

/** Offset in [-0.5, 0.5] of the vertex of the parabola through (-1,a), (0,b), (1,c), b the max. */
export function parabolicOffset(a: number, b: number, c: number): number {
  const d = a - 2 * b + c;
  if (d >= 0) return 0;
  const p = (0.5 * (a - c)) / d;
  return p < -0.5 ? -0.5 : p > 0.5 ? 0.5 : p;
}
