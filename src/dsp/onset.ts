/**
 * Onset strength (spectral flux on log-mel bands), onset peak picking, tempo estimation from an
 * autocorrelation tempogram with a log-normal tempo prior, and dynamic-programming beat tracking
 * (Ellis 2007, "Beat tracking by dynamic programming", JNMR 36(1)).
 *
 * Hand-written rather than taken from a library: there is no maintained permissive JavaScript
 * implementation (Essentia.js is AGPL and WASM-heavy; the npm tempo packages work on whole
 * in-memory buffers), and these are a few dozen lines each, following librosa's
 * `onset_strength` / `tempo` / `beat_track` closely so their behaviour is known.
 *
 * Pure: imports nothing, every function states shapes and units.
 */

/** Floor of log-mel values (natural-log power) below which changes are ignored (~ -76 dB). */
export const ONSET_LOG_FLOOR = -9.2;

/**
 * Spectral flux between two log-mel frames: mean over bands of the positive increase
 * (half-wave rectified), with both frames floored at `floor` so changes in near-silence do not
 * count. Also returns the fraction of bands that rose by more than `broadbandRise` (ln units),
 * a cue for broadband (percussive) onsets.
 *
 * @param prev - log-mel of the previous frame (natural log power), length nMels.
 * @param cur - log-mel of the current frame, same length.
 */
export function computeSpectralFlux(
  prev: ArrayLike<number>,
  cur: ArrayLike<number>,
  floor = ONSET_LOG_FLOOR,
  broadbandRise = Math.log(4),
): { flux: number; broadbandFraction: number } {
  let s = 0;
  let broad = 0;
  const n = cur.length;
  for (let b = 0; b < n; b++) {
    const d = Math.max(cur[b]!, floor) - Math.max(prev[b]!, floor);
    if (d > 0) {
      s += d;
      if (d > broadbandRise) broad++;
    }
  }
  return { flux: n > 0 ? s / n : 0, broadbandFraction: n > 0 ? broad / n : 0 };
}

/**
 * Logarithmic compression of mel power for onset detection, log(1 + γ·power) (Böck & Widmer's
 * "logarithmic filtered spectrogram"): unlike a plain log with a floor, a soft event rising out of
 * silence adds less flux than a loud one, so hi-hats between kicks do not look like beats.
 *
 * @param melLog - natural log of mel band power (as `Frame.melLog`).
 * @param out - receives the compressed values, same length.
 * @param gamma - compression factor (power is relative to full scale). @defaultValue 1
 */
export function compressMelPower(
  melLog: ArrayLike<number>,
  out: Float32Array,
  gamma = 1,
): Float32Array {
  for (let b = 0; b < out.length; b++) out[b] = Math.log1p(gamma * Math.exp(melLog[b]!));
  return out;
}

export interface PeakPickOptions {
  /** Frames per second of the envelope. */
  readonly frameRateHz: number;
  /** Window before a peak that it must dominate, s. @defaultValue 0.03 */
  readonly preMaxSec?: number;
  /** Averaging window before / after, s. @defaultValue 0.1 */
  readonly avgSec?: number;
  /** Threshold above the local mean, in units of the envelope's normaliser. @defaultValue 0.07 */
  readonly delta?: number;
  /** Minimum gap between onsets, s. @defaultValue 0.03 */
  readonly waitSec?: number;
}

/**
 * Picks onsets from an onset-strength envelope (librosa `peak_pick` semantics): a frame is an onset
 * when it is the maximum of the preceding `preMaxSec`, exceeds the local mean (±`avgSec`) by
 * `delta`, and comes at least `waitSec` after the previous onset. The envelope is normalised by its
 * 99th percentile first so `delta` does not depend on level.
 *
 * @param env - onset strength per frame.
 * @returns frame indices of onsets, ascending.
 */
export function pickOnsets(env: Float32Array, opts: PeakPickOptions): number[] {
  const fps = opts.frameRateHz;
  const preMax = Math.max(1, Math.round((opts.preMaxSec ?? 0.03) * fps));
  const avg = Math.max(1, Math.round((opts.avgSec ?? 0.1) * fps));
  const wait = Math.max(1, Math.round((opts.waitSec ?? 0.03) * fps));
  const delta = opts.delta ?? 0.07;
  const n = env.length;
  if (n < 3) return [];
  const norm = percentile(env, 0.99);
  if (!(norm > 0)) return [];
  // Running sums for the local mean.
  const cum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cum[i + 1] = cum[i]! + env[i]! / norm;
  const out: number[] = [];
  let last = -Infinity;
  for (let i = 1; i < n - 1; i++) {
    const v = env[i]! / norm;
    if (v < env[i + 1]! / norm) continue;
    let isMax = true;
    for (let j = Math.max(0, i - preMax); j < i; j++) {
      if (env[j]! / norm > v) {
        isMax = false;
        break;
      }
    }
    if (!isMax) continue;
    const lo = Math.max(0, i - avg);
    const hi = Math.min(n, i + avg + 1);
    const mean = (cum[hi]! - cum[lo]!) / (hi - lo);
    if (v < mean + delta) continue;
    if (i - last < wait) continue;
    out.push(i);
    last = i;
  }
  return out;
}

/** q-quantile (0..1) of an array (copies; O(n log n)). */
export function percentile(x: ArrayLike<number>, q: number): number {
  if (x.length === 0) return NaN;
  const s = Float64Array.from(x as ArrayLike<number>).sort();
  const pos = Math.min(s.length - 1, Math.max(0, q * (s.length - 1)));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export interface TempoOptions {
  /** Envelope frame rate, frames per second. */
  readonly frameRateHz: number;
  /** Tempo range searched, BPM. @defaultValue [30, 300] */
  readonly minBpm?: number;
  readonly maxBpm?: number;
  /** Centre of the log-normal prior, BPM. @defaultValue 120 */
  readonly priorBpm?: number;
  /** Prior width in octaves. @defaultValue 1 */
  readonly priorOctaves?: number;
  /** Autocorrelation window, s. @defaultValue 8 */
  readonly windowSec?: number;
  /** Hop between autocorrelation windows, s. @defaultValue 2 */
  readonly hopSec?: number;
  /** Fastest tempo the half-period rule may switch to, BPM. @defaultValue 200 */
  readonly maxBeatBpm?: number;
}

export interface TempoEstimate {
  readonly bpm: number;
  /**
   * Normalised autocorrelation of the onset envelope at the chosen period, in [0, 1]: near 1 for
   * a metronome, near 0 when there is no periodic pulse.
   */
  readonly confidence: number;
  /** Weighted tempogram score of the half and double tempo relative to the chosen one. */
  readonly halfTempoRatio: number;
  readonly doubleTempoRatio: number;
  /**
   * Normalised autocorrelation of the envelope at 2, 3 and 4 beat periods (±1 frame, max, ≥ 0; NaN
   * where the lag is beyond the searched range): the accent pattern that tells duple from triple.
   */
  readonly beatMultiples: readonly [number, number, number];
}

/**
 * Global tempo from one or more onset-envelope segments (e.g. the music regions of a file):
 * Hann-windowed, mean-removed autocorrelation over sliding windows, normalised by the window's own
 * autocorrelation (so every multiple of the period scores alike), averaged over windows, weighted
 * by a log-normal prior around `priorBpm` (librosa's default), arg-max with parabolic refinement.
 *
 * @param segments - onset-strength envelopes, each Float32Array at `frameRateHz`.
 * @returns null when no segment is long enough (< 2 periods of the slowest tempo, min 2 s).
 */
export function estimateTempo(
  segments: readonly Float32Array[],
  opts: TempoOptions,
): TempoEstimate | null {
  const fps = opts.frameRateHz;
  const minBpm = opts.minBpm ?? 30;
  const maxBpm = opts.maxBpm ?? 300;
  const priorBpm = opts.priorBpm ?? 120;
  const priorOct = opts.priorOctaves ?? 1;
  const winLen = Math.round((opts.windowSec ?? 8) * fps);
  const hop = Math.max(1, Math.round((opts.hopSec ?? 2) * fps));
  const minLag = Math.max(1, Math.floor((60 * fps) / maxBpm));
  const maxLagWanted = Math.ceil((60 * fps) / minBpm);
  // Lags up to twice the slowest period feed the comb (τ and 2τ) below.
  const combLag = 2 * maxLagWanted + 1;
  const acc = new Float64Array(combLag + 2);
  const accW = new Float64Array(combLag + 2);
  const minLen = Math.round(2 * fps);
  const buf = new Float64Array(winLen);
  let nWindows = 0;
  for (const seg of segments) {
    if (seg.length < minLen) continue;
    const len = Math.min(winLen, seg.length);
    const maxLag = Math.min(combLag, Math.floor(len * 0.75));
    const win = new Float64Array(len);
    for (let i = 0; i < len; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / len);
    // Autocorrelation of the window itself, to undo the taper's bias towards short lags.
    const wAc = new Float64Array(maxLag + 1);
    for (let lag = 0; lag <= maxLag; lag++) {
      let s = 0;
      for (let i = 0; i + lag < len; i++) s += win[i]! * win[i + lag]!;
      wAc[lag] = s;
    }
    for (let start = 0; start + len <= seg.length; start += hop) {
      let mean = 0;
      for (let i = 0; i < len; i++) {
        buf[i] = seg[start + i]!;
        mean += buf[i]!;
      }
      mean /= len;
      for (let i = 0; i < len; i++) buf[i] = (buf[i]! - mean) * win[i]!;
      let r0 = 0;
      for (let i = 0; i < len; i++) r0 += buf[i]! * buf[i]!;
      if (!(r0 > 1e-12)) continue;
      r0 /= wAc[0]!;
      for (let lag = Math.max(1, minLag - 1); lag <= maxLag; lag++) {
        let s = 0;
        for (let i = 0; i + lag < len; i++) s += buf[i]! * buf[i + lag]!;
        acc[lag]! += s / wAc[lag]! / r0;
        accW[lag]! += 1;
      }
      nWindows++;
      if (len < winLen) break;
    }
  }
  if (nWindows === 0) return null;
  const score = new Float64Array(acc.length);
  const raw = new Float64Array(acc.length);
  for (let lag = 1; lag < acc.length; lag++) if (accW[lag]! > 0) raw[lag] = acc[lag]! / accW[lag]!;
  let best = -1;
  for (let lag = minLag; lag <= maxLagWanted; lag++) {
    if (accW[lag]! === 0) continue;
    // Comb over the period and its double (Ellis 2007's TPS2 idea): a true beat period also
    // recurs at 2τ, which settles ambiguities between τ and 1.5τ that a single lag cannot.
    const l2 = 2 * lag;
    const r2 = l2 + 1 < acc.length ? Math.max(raw[l2 - 1]!, raw[l2]!, raw[l2 + 1]!) : 0;
    const r = Math.max(0, raw[lag]!) + 0.5 * Math.max(0, r2);
    const bpm = (60 * fps) / lag;
    const z = Math.log2(bpm / priorBpm) / priorOct;
    score[lag] = r * Math.exp(-0.5 * z * z);
    if (best < 0 || score[lag]! > score[best]!) best = lag;
  }
  if (best < 0 || !(score[best]! > 0))
    return {
      bpm: 0,
      confidence: 0,
      halfTempoRatio: 0,
      doubleTempoRatio: 0,
      beatMultiples: [0, 0, 0],
    };
  // Metrical level: when the pulse at half the period is (almost) as strong as the chosen one and
  // still a plausible beat rate, every subdivision is equally accented and the faster pulse is the
  // beat (a plain 180 BPM click would otherwise be heard at 90 because of the prior).
  // Peak strength is summed over ±1 lag: a period that is not a whole number of frames splits its
  // autocorrelation between two neighbouring lags.
  const around = (l: number): number =>
    Math.max(0, raw[l - 1] ?? 0) + Math.max(0, raw[l]!) + Math.max(0, raw[l + 1] ?? 0);
  let half = Math.round(best / 2);
  for (const c of [half - 1, half + 1]) if (c >= minLag && raw[c]! > raw[half]!) half = c;
  if (
    half >= minLag &&
    (60 * fps) / half <= (opts.maxBeatBpm ?? 200) &&
    around(half) >= 0.9 * around(best)
  ) {
    best = half;
  }
  // Refine the lag with a parabola through the raw autocorrelation.
  let lag = best;
  if (best > minLag && best < maxLagWanted && accW[best + 1]! > 0) {
    const a = raw[best - 1]!;
    const b = raw[best]!;
    const c = raw[best + 1]!;
    const den = a - 2 * b + c;
    if (den < 0) lag = best + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
  }
  const at = (l: number): number => {
    const i = Math.round(l);
    return i >= minLag && i <= maxLagWanted ? score[i]! : 0;
  };
  const s0 = score[best]!;
  const multiple = (k: number): number => {
    const i = Math.round(k * lag);
    if (i + 1 >= raw.length || accW[i + 1]! === 0) return NaN;
    return Math.max(0, raw[i - 1]!, raw[i]!, raw[i + 1]!);
  };
  return {
    bpm: (60 * fps) / lag,
    confidence: Math.max(0, Math.min(1, raw[best]!)),
    halfTempoRatio: at(lag * 2) / s0,
    doubleTempoRatio: at(lag / 2) / s0,
    beatMultiples: [multiple(2), multiple(3), multiple(4)],
  };
}

export interface BeatOptions {
  readonly frameRateHz: number;
  /** Tempo to track, BPM (from `estimateTempo`). */
  readonly bpm: number;
  /** How strictly beats keep the period (Ellis' α). @defaultValue 100 */
  readonly tightness?: number;
  /**
   * Beat period per frame, in frames (same length as the envelope; e.g. `estimateLocalPeriods`):
   * the tracker then follows a changing tempo, as librosa ≥ 0.10 does with a `bpm` array.
   * @defaultValue the constant period of `bpm`
   */
  readonly periodsFrames?: Float32Array;
}

export interface LocalTempoOptions {
  readonly frameRateHz: number;
  /** Global tempo (BPM) whose metrical level the local tempo stays at (from `estimateTempo`). */
  readonly bpm: number;
  /** Autocorrelation window, s. @defaultValue 4 */
  readonly windowSec?: number;
  /** Hop between windows, s. @defaultValue 0.5 */
  readonly hopSec?: number;
  /**
   * Largest local deviation from the global period, as a ratio: 1.2 lets the local tempo range over
   * ×1/1.45 … ×1.45 (rubato, ritardandi) while the 3:2 and 2:1 relatives of the beat stay out of reach.
   * @defaultValue 1.45
   */
  readonly maxRatio?: number;
}

/**
 * Local beat period along an onset envelope, kept at the metrical level of the global tempo:
 * Hann-windowed, mean-removed autocorrelation of `windowSec` windows every `hopSec`, arg-max over
 * lags within ×1/`maxRatio` … ×`maxRatio` of the global period (parabolic refinement). A window
 * without an interior peak in that range (silence, no pulse) keeps the global period. Centres are
 * median-filtered over 3 and interpolated linearly to every frame.
 *
 * @param env - onset strength per frame.
 * @returns beat period in frames per envelope frame (Float32Array, env.length).
 */
export function estimateLocalPeriods(env: Float32Array, opts: LocalTempoOptions): Float32Array {
  const n = env.length;
  const fps = opts.frameRateHz;
  const global = (60 * fps) / opts.bpm;
  const out = new Float32Array(n).fill(global);
  const ratio = opts.maxRatio ?? 1.45;
  const lo = Math.max(2, Math.floor(global / ratio));
  const hi = Math.ceil(global * ratio);
  const win = Math.min(n, Math.round((opts.windowSec ?? 4) * fps));
  const hop = Math.max(1, Math.round((opts.hopSec ?? 0.5) * fps));
  if (!(opts.bpm > 0) || win < 2 * hi + 2) return out;
  const w = new Float64Array(win);
  for (let i = 0; i < win; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / win);
  const wAc = new Float64Array(hi + 2);
  for (let lag = 0; lag <= hi + 1; lag++) {
    let s = 0;
    for (let i = 0; i + lag < win; i++) s += w[i]! * w[i + lag]!;
    wAc[lag] = s;
  }
  const buf = new Float64Array(win);
  const ac = new Float64Array(hi + 2);
  const centres: number[] = [];
  const periods: number[] = [];
  for (let c = 0; c < n; c += hop) {
    const start = Math.max(0, Math.min(n - win, c - (win >> 1)));
    let mean = 0;
    for (let i = 0; i < win; i++) mean += env[start + i]!;
    mean /= win;
    for (let i = 0; i < win; i++) buf[i] = (env[start + i]! - mean) * w[i]!;
    let p = global;
    for (let lag = lo - 1; lag <= hi + 1; lag++) {
      let s = 0;
      for (let i = 0; i + lag < win; i++) s += buf[i]! * buf[i + lag]!;
      ac[lag] = s / wAc[lag]!;
    }
    let best = -1;
    for (let lag = lo; lag <= hi; lag++) {
      if (ac[lag]! > ac[lag - 1]! && ac[lag]! >= ac[lag + 1]! && (best < 0 || ac[lag]! > ac[best]!))
        best = lag;
    }
    if (best > 0 && ac[best]! > 0) {
      const a = ac[best - 1]!;
      const b = ac[best]!;
      const d = ac[best + 1]!;
      const den = a - 2 * b + d;
      p = den < 0 ? best + Math.max(-0.5, Math.min(0.5, (0.5 * (a - d)) / den)) : best;
    }
    centres.push(c);
    periods.push(p);
  }
  const med = periods.map((_, k) => {
    const v = [
      periods[Math.max(0, k - 1)]!,
      periods[k]!,
      periods[Math.min(periods.length - 1, k + 1)]!,
    ];
    return v.sort((x, y) => x - y)[1]!;
  });
  for (let k = 0; k < centres.length; k++) {
    const c0 = centres[k]!;
    const c1 = k + 1 < centres.length ? centres[k + 1]! : n;
    const p0 = med[k]!;
    const p1 = k + 1 < centres.length ? med[k + 1]! : p0;
    for (let t = c0; t < c1; t++) out[t] = p0 + ((p1 - p0) * (t - c0)) / (c1 - c0);
  }
  return out;
}

/**
 * Mean tempo over tracked beats: beat intervals per minute over the time the beats span, summed
 * over segments (60 · Σ(nᵢ − 1) / Σ(lastᵢ − firstᵢ)). Rubato, ritardandi and held notes slow it, as
 * they slow a performance's score beats ÷ duration; a steady pulse gives its tempo.
 *
 * @param beatSegments - beat frame indices per segment, each ascending.
 * @returns BPM, or null with fewer than `minIntervals` intervals in all.
 */
export function meanTempoOfBeats(
  beatSegments: readonly (readonly number[])[],
  frameRateHz: number,
  minIntervals = 8,
): number | null {
  let intervals = 0;
  let frames = 0;
  for (const b of beatSegments) {
    if (b.length < 2) continue;
    intervals += b.length - 1;
    frames += b[b.length - 1]! - b[0]!;
  }
  return intervals >= minIntervals && frames > 0 ? (60 * frameRateHz * intervals) / frames : null;
}

/**
 * Beat positions by dynamic programming (Ellis 2007): the onset envelope is smoothed with a
 * Gaussian of width period/32, then C(t) = O(t) + max_{τ∈[t−2P, t−P/2]} (C(τ) − α·ln²((t−τ)/P));
 * the path is traced back from the last strong local maximum of C. Weak beats at both ends
 * (local score below half the RMS of the beats') are trimmed, as librosa does. With
 * `periodsFrames` the period P(t) changes per frame (librosa ≥ 0.10's time-varying tempo).
 *
 * @param env - onset strength per frame.
 * @returns beat frame indices, ascending.
 */
export function trackBeats(env: Float32Array, opts: BeatOptions): number[] {
  const n = env.length;
  const fps = opts.frameRateHz;
  if (!(opts.bpm > 0) || n < 4) return [];
  const period = (60 * fps) / opts.bpm;
  const tight = opts.tightness ?? 100;
  // Normalise by the standard deviation.
  let mean = 0;
  for (let i = 0; i < n; i++) mean += env[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (env[i]! - mean) ** 2;
  const sd = Math.sqrt(v / n) || 1;
  // Local score: Gaussian smoothing.
  const half = Math.max(1, Math.round(period));
  const kern = new Float64Array(2 * half + 1);
  for (let k = -half; k <= half; k++) kern[k + half] = Math.exp(-0.5 * ((k * 32) / period) ** 2);
  const local = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const lo = Math.max(0, i - half);
    const hi = Math.min(n - 1, i + half);
    for (let j = lo; j <= hi; j++) s += (env[j]! / sd) * kern[j - i + half]!;
    local[i] = s;
  }
  const cum = new Float64Array(n);
  const back = new Int32Array(n).fill(-1);
  const periods = opts.periodsFrames;
  if (periods && periods.length !== n) {
    throw new RangeError(`periodsFrames has ${periods.length} values for ${n} envelope frames`);
  }
  let maxPeriod = period;
  if (periods) for (let t = 0; t < n; t++) maxPeriod = Math.max(maxPeriod, periods[t]!);
  // ln(lag) per lag: the transition cost −α·(ln lag − ln P(t))² with a per-frame period.
  const lnLag = new Float64Array(Math.round(2 * maxPeriod) + 2);
  for (let lag = 1; lag < lnLag.length; lag++) lnLag[lag] = Math.log(lag);
  for (let t = 0; t < n; t++) {
    const p = periods ? periods[t]! : period;
    const lnP = Math.log(p);
    const lagLo = Math.max(1, Math.round(p / 2));
    const lagHi = Math.max(lagLo, Math.round(2 * p));
    let bestV = -Infinity;
    let bestI = -1;
    for (let lag = lagLo; lag <= lagHi; lag++) {
      const j = t - lag;
      if (j < 0) break;
      const d = lnLag[lag]! - lnP;
      const val = cum[j]! - tight * d * d;
      if (val > bestV) {
        bestV = val;
        bestI = j;
      }
    }
    // A beat with no worthwhile predecessor starts a new chain.
    if (bestI >= 0 && bestV > 0) {
      cum[t] = local[t]! + bestV;
      back[t] = bestI;
    } else cum[t] = local[t]!;
  }
  // Last beat: the last local maximum of cum above half the median of local maxima.
  const maxima: number[] = [];
  for (let t = 1; t < n - 1; t++)
    if (cum[t]! >= cum[t - 1]! && cum[t]! > cum[t + 1]!) maxima.push(t);
  if (maxima.length === 0) return [];
  const med = percentile(
    maxima.map((t) => cum[t]!),
    0.5,
  );
  let last = maxima[maxima.length - 1]!;
  for (let k = maxima.length - 1; k >= 0; k--) {
    if (cum[maxima[k]!]! >= 0.5 * med) {
      last = maxima[k]!;
      break;
    }
  }
  const beats: number[] = [];
  for (let t = last; t >= 0; t = back[t]!) {
    beats.push(t);
    if (back[t]! < 0) break;
  }
  beats.reverse();
  // Trim weak leading/trailing beats.
  let rms = 0;
  for (const b of beats) rms += local[b]! ** 2;
  rms = Math.sqrt(rms / beats.length);
  let lo = 0;
  let hi = beats.length - 1;
  while (lo <= hi && local[beats[lo]!]! < 0.5 * rms) lo++;
  while (hi >= lo && local[beats[hi]!]! < 0.5 * rms) hi--;
  return beats.slice(lo, hi + 1);
}
