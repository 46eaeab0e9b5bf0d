/**
 * Sample-domain QC statistics in one streaming pass over interleaved native-rate audio:
 * per-channel sample peak, RMS, DC offset, clipped-sample runs; digital-silence runs across all
 * channels; and the cross sums of the first two channels for the stereo checks.
 *
 * Memory is constant: running sums, the open runs, and at most `maxStoredRuns` closed runs of each
 * kind (totals keep counting past the cap).
 */

export interface SignalStatsOptions {
  /** Samples at or above this level (dBFS, absolute value) count as full scale. @defaultValue -0.01 */
  readonly clipThresholdDbfs?: number;
  /** Consecutive full-scale samples of one channel that make a clipped run. @defaultValue 3 */
  readonly clipMinRunSamples?: number;
  /** A frame is digitally silent when every channel is at or below this level. @defaultValue -90 */
  readonly silenceThresholdDbfs?: number;
  /** Shortest silent stretch reported as a run, seconds. @defaultValue 0.5 */
  readonly silenceMinDurationSec?: number;
  /** Cap on stored runs of each kind. @defaultValue 100 */
  readonly maxStoredRuns?: number;
}

export interface ClipRun {
  readonly channel: number;
  readonly start_sec: number;
  readonly end_sec: number;
  readonly samples: number;
}

export type SilencePosition = 'leading' | 'internal' | 'trailing' | 'entire';

export interface SilenceRun {
  readonly start_sec: number;
  readonly end_sec: number;
  readonly duration_sec: number;
  readonly position: SilencePosition;
  /** Every sample of the run is exactly 0 (as opposed to below the threshold). */
  readonly exact_zero: boolean;
}

export interface StereoSums {
  readonly frames: number;
  readonly sumL: number;
  readonly sumR: number;
  readonly sumLL: number;
  readonly sumRR: number;
  readonly sumLR: number;
}

/** Frames per screening block of the silence scan. */
const SILENCE_BLOCK = 32;

const dbToAmp = (db: number): number => Math.pow(10, db / 20);

export class SignalStats {
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly clipLevel: number;
  readonly clipMinRun: number;
  readonly silenceLevel: number;
  readonly silenceMinFrames: number;
  readonly maxStoredRuns: number;

  readonly peak: Float64Array;
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  /** Samples at full scale per channel (in runs or not). */
  readonly fullScaleSamples: Float64Array;
  /** Samples inside clipped runs per channel. */
  readonly clippedSamples: Float64Array;
  readonly clippedRunCount: Float64Array;
  readonly clipRuns: ClipRun[] = [];
  private readonly clipRunStart: Float64Array;
  private readonly clipRunLen: Float64Array;

  readonly silenceRuns: SilenceRun[] = [];
  silenceRunCount = 0;
  silenceTotalFrames = 0;
  silenceLeadingFrames = 0;
  silenceTrailingFrames = 0;
  silenceInternalMaxFrames = 0;
  silenceInternalTotalFrames = 0;
  /** The whole stream is one silent run. */
  silenceEntire = false;
  private silenceStart = -1;
  private silenceAllZero = true;
  private tailQuietFrames = 0;
  private tailQuietAllZero = true;
  private finished = false;

  private sumL = 0;
  private sumR = 0;
  private sumLL = 0;
  private sumRR = 0;
  private sumLR = 0;

  frames = 0;

  constructor(sampleRateHz: number, channels: number, opts: SignalStatsOptions = {}) {
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    this.clipLevel = dbToAmp(opts.clipThresholdDbfs ?? -0.01);
    this.clipMinRun = Math.max(1, Math.round(opts.clipMinRunSamples ?? 3));
    this.silenceLevel = dbToAmp(opts.silenceThresholdDbfs ?? -90);
    this.silenceMinFrames = Math.max(
      1,
      Math.round((opts.silenceMinDurationSec ?? 0.5) * sampleRateHz),
    );
    this.maxStoredRuns = opts.maxStoredRuns ?? 100;
    this.peak = new Float64Array(channels);
    this.sum = new Float64Array(channels);
    this.sumSq = new Float64Array(channels);
    this.fullScaleSamples = new Float64Array(channels);
    this.clippedSamples = new Float64Array(channels);
    this.clippedRunCount = new Float64Array(channels);
    this.clipRunStart = new Float64Array(channels);
    this.clipRunLen = new Float64Array(channels);
  }

  /** Consumes interleaved frames (length a multiple of `channels`). */
  process(x: Float32Array): void {
    const nCh = this.channels;
    const frames = Math.floor(x.length / nCh);
    const clipLevel = this.clipLevel;
    const base = this.frames;
    for (let c = 0; c < nCh; c++) {
      let peak = this.peak[c]!;
      let sum = 0;
      let sumSq = 0;
      let runLen = this.clipRunLen[c]!;
      // Branch-free where the data decides (Math.abs/Math.max): sign tests mispredict on audio.
      for (let i = 0, j = c; i < frames; i++, j += nCh) {
        const v = x[j]!;
        const a = Math.abs(v);
        sum += v;
        sumSq += v * v;
        if (a > peak) peak = a;
        // Rare path: only at full scale or right after it.
        if (a >= clipLevel || runLen > 0)
          runLen = this.trackClip(c, base + i, a >= clipLevel, runLen);
      }
      this.clipRunLen[c] = runLen;
      this.peak[c] = peak;
      this.sum[c]! += sum;
      this.sumSq[c]! += sumSq;
    }
    if (nCh >= 2) this.accumulateStereo(x, frames);
    this.scanSilence(x, frames, base);
    this.frames += frames;
  }

  private accumulateStereo(x: Float32Array, frames: number): void {
    const nCh = this.channels;
    let sL = 0;
    let sR = 0;
    let sLL = 0;
    let sRR = 0;
    let sLR = 0;
    for (let i = 0, j = 0; i < frames; i++, j += nCh) {
      const l = x[j]!;
      const r = x[j + 1]!;
      sL += l;
      sR += r;
      sLL += l * l;
      sRR += r * r;
      sLR += l * r;
    }
    this.sumL += sL;
    this.sumR += sR;
    this.sumLL += sLL;
    this.sumRR += sRR;
    this.sumLR += sLR;
  }

  /**
   * Digital-silence runs, exact to the frame. A cheap necessary condition screens blocks of
   * SILENCE_BLOCK frames (all samples <= level implies block energy <= n * level²); only candidate
   * blocks, and the block where an open run may end, are scanned frame by frame. When a run may
   * begin in a candidate block, its start is found by walking back over the quiet frames before
   * it (into the previous chunk through `tailQuietFrames`).
   */
  private scanSilence(x: Float32Array, frames: number, base: number): void {
    const nCh = this.channels;
    const level = this.silenceLevel;
    const blockLimit = SILENCE_BLOCK * nCh * level * level;
    for (let b0 = 0; b0 < frames; b0 += SILENCE_BLOCK) {
      const b1 = Math.min(frames, b0 + SILENCE_BLOCK);
      let e = 0;
      for (let j = b0 * nCh, end = b1 * nCh; j < end; j++) e += x[j]! * x[j]!;
      if (e > blockLimit && this.silenceStart < 0) continue;
      if (this.silenceStart < 0) {
        let k = b0;
        let allZero = true;
        while (k > 0) {
          const a = this.frameMaxAbs(x, k - 1);
          if (a > level) break;
          if (a !== 0) allZero = false;
          k--;
        }
        if (k === 0) {
          this.silenceStart = base - this.tailQuietFrames;
          this.silenceAllZero = allZero && this.tailQuietAllZero;
        } else if (k < b0) {
          this.silenceStart = base + k;
          this.silenceAllZero = allZero;
        }
      }
      this.scanSilenceFrames(x, b0, b1, base);
    }
    // Quiet frames at the end of this chunk, in case a run starts in the next one.
    if (this.silenceStart >= 0) {
      this.tailQuietFrames = 0;
      return;
    }
    let k = frames;
    let allZero = true;
    while (k > 0) {
      const a = this.frameMaxAbs(x, k - 1);
      if (a > level) break;
      if (a !== 0) allZero = false;
      k--;
    }
    if (k === 0) {
      this.tailQuietFrames += frames;
      this.tailQuietAllZero &&= allZero;
    } else {
      this.tailQuietFrames = frames - k;
      this.tailQuietAllZero = allZero;
    }
  }

  private frameMaxAbs(x: Float32Array, i: number): number {
    let a = 0;
    for (let c = 0, j = i * this.channels; c < this.channels; c++, j++)
      a = Math.max(a, Math.abs(x[j]!));
    return a;
  }

  private scanSilenceFrames(x: Float32Array, from: number, to: number, base: number): void {
    const nCh = this.channels;
    const level = this.silenceLevel;
    let start = this.silenceStart;
    let allZero = this.silenceAllZero;
    for (let i = from; i < to; i++) {
      let a = 0;
      for (let c = 0, j = i * nCh; c < nCh; c++, j++) a = Math.max(a, Math.abs(x[j]!));
      if (a <= level) {
        if (start < 0) {
          start = base + i;
          allZero = true;
        }
        if (a !== 0) allZero = false;
      } else if (start >= 0) {
        this.closeSilence(start, base + i, allZero, false);
        start = -1;
      }
    }
    this.silenceStart = start;
    this.silenceAllZero = allZero;
  }

  /** Advances the clipped-run state of channel `c` at absolute frame `frame`; returns the run length. */
  private trackClip(c: number, frame: number, atFullScale: boolean, runLen: number): number {
    if (atFullScale) {
      this.fullScaleSamples[c]! += 1;
      if (runLen === 0) this.clipRunStart[c] = frame;
      return runLen + 1;
    }
    this.closeClipRun(c, runLen);
    return 0;
  }

  private closeClipRun(c: number, len: number): void {
    if (len < this.clipMinRun) return;
    this.clippedRunCount[c]! += 1;
    this.clippedSamples[c]! += len;
    if (this.clipRuns.length < this.maxStoredRuns) {
      const start = this.clipRunStart[c]!;
      this.clipRuns.push({
        channel: c,
        start_sec: start / this.sampleRateHz,
        end_sec: (start + len) / this.sampleRateHz,
        samples: len,
      });
    }
  }

  private closeSilence(start: number, end: number, allZero: boolean, atEnd: boolean): void {
    const len = end - start;
    if (len < this.silenceMinFrames) return;
    this.silenceRunCount++;
    this.silenceTotalFrames += len;
    const position: SilencePosition =
      start === 0 && atEnd ? 'entire' : start === 0 ? 'leading' : atEnd ? 'trailing' : 'internal';
    if (position === 'entire') this.silenceEntire = true;
    else if (position === 'leading') this.silenceLeadingFrames = len;
    else if (position === 'trailing') this.silenceTrailingFrames = len;
    else {
      this.silenceInternalTotalFrames += len;
      if (len > this.silenceInternalMaxFrames) this.silenceInternalMaxFrames = len;
    }
    if (this.silenceRuns.length >= this.maxStoredRuns) return;
    this.silenceRuns.push({
      start_sec: start / this.sampleRateHz,
      end_sec: end / this.sampleRateHz,
      duration_sec: len / this.sampleRateHz,
      position,
      exact_zero: allZero,
    });
  }

  /** Closes the runs still open at the end of the stream. Idempotent. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (let c = 0; c < this.channels; c++) {
      const len = this.clipRunLen[c]!;
      if (len > 0) this.closeClipRun(c, len);
      this.clipRunLen[c] = 0;
    }
    if (this.silenceStart >= 0)
      this.closeSilence(this.silenceStart, this.frames, this.silenceAllZero, true);
    this.silenceStart = -1;
    this.clipRuns.sort((a, b) => a.start_sec - b.start_sec || a.channel - b.channel);
  }

  stereoSums(): StereoSums {
    return {
      frames: this.frames,
      sumL: this.sumL,
      sumR: this.sumR,
      sumLL: this.sumLL,
      sumRR: this.sumRR,
      sumLR: this.sumLR,
    };
  }
}
