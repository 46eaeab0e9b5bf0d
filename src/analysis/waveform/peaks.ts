/**
 * Bounded-memory min/max peaks and a coarse mel spectrogram of a whole recording, for drawing a
 * waveform and a spectrogram without sending the audio (the web page's recording view).
 *
 * Both accumulators start fine and halve their resolution whenever they reach their bin cap
 * (merging neighbour pairs in place), so memory and output size are bounded whatever the length:
 * a 3-hour file and a 30-second one both end with at most `maxBins` bins.
 */

/** Min/max accumulator over a mono stream. Bins are `binSamples` long; `binSamples` doubles on overflow. */
export class PeakAccumulator {
  private mins: Float32Array;
  private maxs: Float32Array;
  private count = 0;
  private filled = 0;
  private curMin = Infinity;
  private curMax = -Infinity;
  binSamples: number;

  constructor(
    initialBinSamples: number,
    readonly maxBins: number,
  ) {
    if (!Number.isInteger(initialBinSamples) || initialBinSamples < 1)
      throw new RangeError(
        `initialBinSamples must be a positive integer (got ${initialBinSamples})`,
      );
    if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins % 2 !== 0)
      throw new RangeError(`maxBins must be an even integer >= 2 (got ${maxBins})`);
    this.binSamples = initialBinSamples;
    this.mins = new Float32Array(maxBins);
    this.maxs = new Float32Array(maxBins);
  }

  push(block: Float32Array): void {
    for (let i = 0; i < block.length; i++) {
      const v = block[i]!;
      if (v < this.curMin) this.curMin = v;
      if (v > this.curMax) this.curMax = v;
      if (++this.filled === this.binSamples) this.closeBin(false);
    }
  }

  /** `partial`: the stream ended inside this bin. */
  private closeBin(partial: boolean): void {
    if (this.count === this.maxBins) {
      this.halve();
      // The bin just filled is the first half of a bin at the doubled length: keep it open.
      if (!partial) return;
    }
    this.mins[this.count] = this.curMin;
    this.maxs[this.count] = this.curMax;
    this.count++;
    this.filled = 0;
    this.curMin = Infinity;
    this.curMax = -Infinity;
  }

  private halve(): void {
    const half = this.count >> 1;
    for (let i = 0; i < half; i++) {
      this.mins[i] = Math.min(this.mins[2 * i]!, this.mins[2 * i + 1]!);
      this.maxs[i] = Math.max(this.maxs[2 * i]!, this.maxs[2 * i + 1]!);
    }
    this.count = half;
    this.binSamples *= 2;
  }

  /** Closed bins plus the open partial bin, as [min, max] pairs; shape: 2 × bins. */
  result(): { mins: Float32Array; maxs: Float32Array } {
    if (this.filled > 0) this.closeBin(true);
    return { mins: this.mins.slice(0, this.count), maxs: this.maxs.slice(0, this.count) };
  }
}

/**
 * Averages per-frame feature vectors (e.g. log-mel, length `dims`) into at most `maxColumns`
 * columns. With `sampledFramesPerColumn`, a column wider than that averages only that many
 * evenly spaced frames (the features of the others are never asked for): a display spectrogram
 * of an hour-long file then costs the FFT/mel of a small share of its frames, not of every one.
 */
export class ColumnAccumulator {
  private sums: Float64Array;
  private counts: Uint32Array;
  private count = 0;
  private filled = 0;
  framesPerColumn = 1;

  constructor(
    readonly dims: number,
    readonly maxColumns: number,
    readonly sampledFramesPerColumn = Infinity,
  ) {
    if (!Number.isInteger(maxColumns) || maxColumns < 2 || maxColumns % 2 !== 0)
      throw new RangeError(`maxColumns must be an even integer >= 2 (got ${maxColumns})`);
    if (!(sampledFramesPerColumn >= 1))
      throw new RangeError(`sampledFramesPerColumn must be >= 1 (got ${sampledFramesPerColumn})`);
    this.sums = new Float64Array(dims * maxColumns);
    this.counts = new Uint32Array(maxColumns);
  }

  /** One frame: its features, or a function computing them (called only for sampled frames). */
  push(features: Float32Array | (() => Float32Array)): void {
    if (this.filled === 0 && this.count === this.maxColumns) this.halve();
    const stride = Math.max(1, Math.floor(this.framesPerColumn / this.sampledFramesPerColumn));
    if (this.filled % stride === 0) {
      const f = typeof features === 'function' ? features() : features;
      const base = this.count * this.dims;
      for (let d = 0; d < this.dims; d++) this.sums[base + d]! += f[d]!;
      this.counts[this.count]!++;
    }
    if (++this.filled === this.framesPerColumn) {
      this.count++;
      this.filled = 0;
    }
  }

  private halve(): void {
    const half = this.count >> 1;
    const D = this.dims;
    for (let i = 0; i < half; i++) {
      for (let d = 0; d < D; d++)
        this.sums[i * D + d] = this.sums[2 * i * D + d]! + this.sums[(2 * i + 1) * D + d]!;
      this.counts[i] = this.counts[2 * i]! + this.counts[2 * i + 1]!;
    }
    this.sums.fill(0, half * D);
    this.counts.fill(0, half);
    this.count = half;
    this.framesPerColumn *= 2;
  }

  /** Column means, column-major: `dims` values per column; shape: columns × dims. */
  result(): { columns: number; means: Float32Array } {
    const n = this.count + (this.filled > 0 ? 1 : 0);
    const means = new Float32Array(n * this.dims);
    for (let c = 0; c < n; c++) {
      const k = Math.max(1, this.counts[c]!);
      for (let d = 0; d < this.dims; d++)
        means[c * this.dims + d] = this.sums[c * this.dims + d]! / k;
    }
    return { columns: n, means };
  }
}

/** Quantises [min, max] pairs in [-1, 1] to interleaved int8 (min, max, min, max, …), base64. */
export function encodePeaksInt8(mins: Float32Array, maxs: Float32Array): string {
  const out = Buffer.alloc(mins.length * 2);
  const q = (v: number): number => Math.max(-127, Math.min(127, Math.round(v * 127)));
  for (let i = 0; i < mins.length; i++) {
    out.writeInt8(q(Math.min(mins[i]!, maxs[i]!)), 2 * i);
    out.writeInt8(q(Math.max(mins[i]!, maxs[i]!)), 2 * i + 1);
  }
  return out.toString('base64');
}

/** Merges neighbour groups of `factor` bins (coarser level of the same peaks). */
export function decimatePeaks(
  mins: Float32Array,
  maxs: Float32Array,
  factor: number,
): { mins: Float32Array; maxs: Float32Array } {
  const n = Math.ceil(mins.length / factor);
  const lo = new Float32Array(n);
  const hi = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let a = Infinity;
    let b = -Infinity;
    for (let j = i * factor; j < Math.min(mins.length, (i + 1) * factor); j++) {
      a = Math.min(a, mins[j]!);
      b = Math.max(b, maxs[j]!);
    }
    lo[i] = a;
    hi[i] = b;
  }
  return { mins: lo, maxs: hi };
}
