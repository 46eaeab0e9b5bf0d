/**
 * Per-speaker descriptors from the compact frame features: pitch (f0 mean and 5th–95th percentile
 * range over voiced frames), speech rate from syllable nuclei, mean loudness.
 *
 * Syllable nuclei follow De Jong & Wempe (2009, Behavior Research Methods 41(2)) — the Praat
 * script archivists and phoneticians use: peaks of the intensity contour that are (a) above a
 * threshold set relative to the loud end of the recording, (b) separated from the previous peak
 * by a dip of at least `minDipDb`, and (c) voiced. Hand-written: no JavaScript library implements it.
 */

export interface NucleiOptions {
  /** Peaks quieter than (99th-percentile level − this) are ignored. @defaultValue 25 */
  readonly silenceBelowMaxDb?: number;
  /** Minimum dip between two counted peaks, dB. @defaultValue 2 */
  readonly minDipDb?: number;
  /** Intensity smoothing, frames (moving average). @defaultValue 5 (50 ms at 10 ms hop) */
  readonly smoothFrames?: number;
}

/** Percentile (0..100) of a numeric array (linear interpolation); NaN for an empty array. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const pos = (p / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/**
 * Frame indices of syllable nuclei in an intensity contour.
 * @param levelDb - frame level, dB (one value per hop), length T.
 * @param voiced - whether each frame is voiced (f0 found), length T.
 * @param speech - optional mask: only frames with speech[i] = true may hold a nucleus.
 */
export function findSyllableNuclei(
  levelDb: ArrayLike<number>,
  voiced: ArrayLike<boolean>,
  speech?: ArrayLike<boolean>,
  opts: NucleiOptions = {},
): number[] {
  const t = levelDb.length;
  if (t === 0) return [];
  const minDip = opts.minDipDb ?? 2;
  const half = Math.floor((opts.smoothFrames ?? 5) / 2);
  const sm = new Float64Array(t);
  for (let i = 0; i < t; i++) {
    let s = 0;
    let c = 0;
    for (let k = Math.max(0, i - half); k <= Math.min(t - 1, i + half); k++) {
      s += levelDb[k]!;
      c++;
    }
    sm[i] = s / c;
  }
  const ref: number[] = [];
  for (let i = 0; i < t; i++) if (!speech || speech[i]) ref.push(sm[i]!);
  const threshold = percentile(ref, 99) - (opts.silenceBelowMaxDb ?? 25);
  const peaks: number[] = [];
  for (let i = 1; i < t - 1; i++) {
    if (sm[i]! > sm[i - 1]! && sm[i]! >= sm[i + 1]! && sm[i]! >= threshold) peaks.push(i);
  }
  // Keep a peak when the dip since the last kept peak is deep enough (De Jong & Wempe's "mindip");
  // when it is not, the two peaks are one nucleus and the louder one stands for it.
  const kept: number[] = [];
  for (const p of peaks) {
    const last = kept[kept.length - 1];
    if (last === undefined) {
      kept.push(p);
      continue;
    }
    let dip = Infinity;
    for (let k = last; k <= p; k++) dip = Math.min(dip, sm[k]!);
    if (Math.min(sm[last]!, sm[p]!) - dip >= minDip) kept.push(p);
    else if (sm[p]! > sm[last]!) kept[kept.length - 1] = p;
  }
  return kept.filter((p) => voiced[p] && (!speech || speech[p]));
}

/** Energy-average of levels in dB: 10·log10(mean(10^(L/10))). NaN when empty. */
export function meanLevelDb(levels: ArrayLike<number>): number {
  if (levels.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < levels.length; i++) s += 10 ** (levels[i]! / 10);
  return 10 * Math.log10(s / levels.length);
}
