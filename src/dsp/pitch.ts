/**
 * Fundamental-frequency (f0) estimation of one short frame with the YIN method
 * (de Cheveigné & Kawahara 2002, JASA 111(4)): difference function, cumulative-mean-normalised
 * difference (CMND), absolute threshold, parabolic interpolation of the chosen lag.
 *
 * Hand-written because no maintained JavaScript library offers a YIN that works on a caller's
 * Float32Array without allocating per call (the npm `pitchfinder` package allocates each call and
 * has no periodicity output); the algorithm is ~60 lines and fully specified by the paper.
 *
 * Pure: imports nothing, keeps no state besides scratch buffers.
 */

export interface PitchOptions {
  /** Sample rate of the frames, Hz. */
  readonly sampleRateHz: number;
  /** Lowest f0 searched, Hz. @defaultValue 60 */
  readonly minF0Hz?: number;
  /** Highest f0 searched, Hz. @defaultValue 500 */
  readonly maxF0Hz?: number;
  /**
   * YIN absolute threshold on the CMND: the first dip below it is taken as the period.
   * Lower is stricter. @defaultValue 0.15
   */
  readonly threshold?: number;
  /**
   * Frames whose CMND minimum is above this are reported unvoiced (f0 = 0).
   * @defaultValue 0.35
   */
  readonly voicingThreshold?: number;
}

/** One f0 estimate. */
export interface PitchEstimate {
  /** Fundamental frequency in Hz; 0 when the frame is judged unvoiced. */
  readonly f0Hz: number;
  /**
   * Periodicity in [0, 1]: 1 − CMND at the chosen lag (1 = perfectly periodic). Reported also for
   * unvoiced frames (then it is low).
   */
  readonly periodicity: number;
}

/**
 * A reusable YIN estimator: allocates its scratch buffer once per (frame length, options).
 *
 * @example
 * const yin = new YinPitchEstimator({ sampleRateHz: 16000 });
 * const { f0Hz } = yin.estimate(frameSamples); // frameSamples: Float32Array, length ≥ 2·maxLag
 */
export class YinPitchEstimator {
  readonly sampleRateHz: number;
  readonly minLag: number;
  readonly maxLag: number;
  private readonly threshold: number;
  private readonly voicingThreshold: number;
  private cmnd = new Float64Array(0);

  constructor(opts: PitchOptions) {
    const minF0 = opts.minF0Hz ?? 60;
    const maxF0 = opts.maxF0Hz ?? 500;
    if (!(opts.sampleRateHz > 0)) throw new RangeError(`sampleRateHz must be > 0`);
    if (!(minF0 > 0 && maxF0 > minF0 && maxF0 < opts.sampleRateHz / 2)) {
      throw new RangeError(`need 0 < minF0Hz (${minF0}) < maxF0Hz (${maxF0}) < Nyquist`);
    }
    this.sampleRateHz = opts.sampleRateHz;
    this.minLag = Math.max(2, Math.floor(opts.sampleRateHz / maxF0));
    this.maxLag = Math.ceil(opts.sampleRateHz / minF0);
    this.threshold = opts.threshold ?? 0.15;
    this.voicingThreshold = opts.voicingThreshold ?? 0.35;
  }

  /**
   * Estimates f0 of one frame.
   * @param frame - samples, length N. Lags up to min(maxLag, N/2) are searched, with an
   *   integration window of N − maxLag samples (so N ≥ 2·minLag is required; N ≥ 2·maxLag lets
   *   the whole range be searched).
   */
  estimate(frame: Float32Array): PitchEstimate {
    const n = frame.length;
    const maxLag = Math.min(this.maxLag, Math.floor(n / 2));
    const minLag = this.minLag;
    if (maxLag <= minLag + 1) return { f0Hz: 0, periodicity: 0 };
    const w = n - maxLag;
    if (this.cmnd.length < maxLag + 2) this.cmnd = new Float64Array(maxLag + 2);
    const d = this.cmnd;
    // Difference function d(τ) = Σ_{j<w} (x_j − x_{j+τ})², then CMND d'(τ) = d(τ)·τ / Σ_{k≤τ} d(k).
    d[0] = 1;
    let running = 0;
    for (let tau = 1; tau <= maxLag; tau++) {
      let s = 0;
      for (let j = 0; j < w; j++) {
        const diff = frame[j]! - frame[j + tau]!;
        s += diff * diff;
      }
      running += s;
      d[tau] = running > 0 ? (s * tau) / running : 1;
    }
    // Absolute threshold: first lag ≥ minLag below threshold, then walk down to the local minimum.
    let best = -1;
    for (let tau = minLag; tau <= maxLag; tau++) {
      if (d[tau]! < this.threshold) {
        while (tau + 1 <= maxLag && d[tau + 1]! < d[tau]!) tau++;
        best = tau;
        break;
      }
    }
    if (best < 0) {
      // No dip below the threshold: take the global minimum (as YIN step 4 prescribes).
      best = minLag;
      for (let tau = minLag + 1; tau <= maxLag; tau++) if (d[tau]! < d[best]!) best = tau;
    }
    const dip = d[best]!;
    const periodicity = Math.max(0, Math.min(1, 1 - dip));
    if (dip > this.voicingThreshold) return { f0Hz: 0, periodicity };
    // Parabolic interpolation around the chosen lag for sub-sample precision.
    let lag = best;
    if (best > 1 && best < maxLag) {
      const a = d[best - 1]!;
      const b = d[best]!;
      const c = d[best + 1]!;
      const den = a - 2 * b + c;
      if (den > 0) lag = best + (0.5 * (a - c)) / den;
    }
    return { f0Hz: this.sampleRateHz / lag, periodicity };
  }
}

/** One-off convenience: f0 of one frame (allocates an estimator; prefer the class in loops). */
export function estimatePitchYin(frame: Float32Array, opts: PitchOptions): PitchEstimate {
  return new YinPitchEstimator(opts).estimate(frame);
}
