/**
 * Pitch range and vibrato of the dominant voice from a compact f0 track (YIN, one value per pitch
 * frame: NaN = not analysed (silent), 0 = unvoiced, else Hz) and its periodicity.
 *
 * Vibrato per note: voiced runs (single-frame octave slips removed) are cut into notes at pitch jumps
 * > 120 cents; each note of at least `minNoteSec` has its cents contour linearly detrended and a Hann-windowed DFT scanned over
 * 3–9 Hz; the note has vibrato when the peak lies in 4–8 Hz, its sinusoid amplitude is ≥ 10 cents
 * and it explains ≥ 40 % of the contour variance. Rate and extent are duration-weighted medians
 * over vibrato notes. Extent is the semi-amplitude (± cents around the mean pitch), the convention
 * of Sundberg and of Prame 1997.
 */

export interface VoiceDescriptors {
  /** 5th and 95th percentile of f0 in voiced frames, Hz. */
  readonly pitch_range_hz: readonly [number, number];
  /** Width of that range, semitones. */
  readonly pitch_range_semitones: number;
  readonly median_f0_hz: number;
  /** Fraction of non-silent analysed frames that are clearly periodic. */
  readonly voiced_ratio: number;
  /** Median vibrato rate over notes with vibrato, Hz; null when no note has vibrato. */
  readonly vibrato_rate_hz: number | null;
  /** Median vibrato semi-extent (± cents); null when no note has vibrato. */
  readonly vibrato_extent_cents: number | null;
  /** Fraction of analysed note time that carries vibrato. */
  readonly vibrato_ratio: number;
  /** Notes (≥ minNoteSec) analysed for vibrato. */
  readonly notes_analysed: number;
}

export interface VoiceOptions {
  /** Pitch frames per second. */
  readonly frameRateHz: number;
  /** Periodicity (0..1) a frame needs to count as voiced. @defaultValue 0.8 */
  readonly minPeriodicity?: number;
  /** Shortest note analysed for vibrato (two cycles at 6 Hz). @defaultValue 0.4 */
  readonly minNoteSec?: number;
  /** Fewer voiced frames than this (or voiced ratio < 0.1) → null. @defaultValue 1 s worth */
  readonly minVoicedFrames?: number;
}

/**
 * @param f0 - f0 per pitch frame (NaN silent, 0 unvoiced, Hz).
 * @param periodicity - per frame, 0..255 (periodicity × 255).
 * @param ranges - [startFrame, endFrame) ranges to analyse.
 * @returns null when there is no dominant voice (too few voiced frames).
 */
export function analyseVoice(
  f0: ArrayLike<number>,
  periodicity: ArrayLike<number>,
  ranges: readonly (readonly [number, number])[],
  opts: VoiceOptions,
): VoiceDescriptors | null {
  const fps = opts.frameRateHz;
  const minPer = Math.round((opts.minPeriodicity ?? 0.8) * 255);
  const minNote = Math.max(4, Math.round((opts.minNoteSec ?? 0.4) * fps));
  const minVoiced = opts.minVoicedFrames ?? Math.round(fps);
  const voicedVals: number[] = [];
  let nonSilent = 0;
  const notes: number[][] = [];
  for (const [a, b] of ranges) {
    let cur: number[] = [];
    const close = (): void => {
      if (cur.length >= minNote) notes.push(cur);
      cur = [];
    };
    for (let i = a; i < b; i++) {
      const f = f0[i]!;
      if (Number.isNaN(f)) {
        close();
        continue;
      }
      nonSilent++;
      if (!(f > 0) || periodicity[i]! < minPer) {
        close();
        continue;
      }
      voicedVals.push(f);
      // Single-frame octave (and fifth) slips of YIN, replaced by the median of 3 voiced
      // neighbours, would otherwise cut notes in two.
      const isV = (j: number): boolean =>
        j >= a && j < b && f0[j]! > 0 && periodicity[j]! >= minPer;
      let fm = f;
      if (isV(i - 1) && isV(i + 1)) {
        const x = f0[i - 1]!;
        const z = f0[i + 1]!;
        const med = Math.max(Math.min(x, f), Math.min(Math.max(x, f), z));
        // Only outliers (> 300 cents from the median) are replaced, so vibrato peaks stay intact.
        if (Math.abs(1200 * Math.log2(f / med)) > 300) fm = med;
      }
      const c = 1200 * Math.log2(fm / 440);
      if (cur.length > 0 && Math.abs(c - cur[cur.length - 1]!) > 120) close();
      cur.push(c);
    }
    close();
  }
  if (voicedVals.length < minVoiced || voicedVals.length < 0.1 * nonSilent) return null;
  voicedVals.sort((x, y) => x - y);
  const q = (p: number): number =>
    voicedVals[Math.min(voicedVals.length - 1, Math.floor(p * voicedVals.length))]!;
  const lo = q(0.05);
  const hi = q(0.95);
  const vib: { rate: number; extent: number; w: number }[] = [];
  let noteFrames = 0;
  let vibFrames = 0;
  for (const note of notes) {
    noteFrames += note.length;
    const v = detectVibrato(note, fps);
    if (v) {
      vib.push({ ...v, w: note.length });
      vibFrames += note.length;
    }
  }
  return {
    pitch_range_hz: [round2(lo), round2(hi)],
    pitch_range_semitones: round2(12 * Math.log2(hi / lo)),
    median_f0_hz: round2(q(0.5)),
    voiced_ratio: round3(voicedVals.length / Math.max(1, nonSilent)),
    vibrato_rate_hz: vib.length ? round2(weightedMedian(vib.map((x) => [x.rate, x.w]))) : null,
    vibrato_extent_cents: vib.length
      ? round2(weightedMedian(vib.map((x) => [x.extent, x.w])))
      : null,
    vibrato_ratio: round3(noteFrames > 0 ? vibFrames / noteFrames : 0),
    notes_analysed: notes.length,
  };
}

/** Vibrato of one note's cents contour, or null. */
export function detectVibrato(
  cents: readonly number[],
  frameRateHz: number,
): { rate: number; extent: number } | null {
  const n = cents.length;
  // Linear detrend (least squares).
  let st = 0;
  let sc = 0;
  let stt = 0;
  let stc = 0;
  for (let i = 0; i < n; i++) {
    st += i;
    sc += cents[i]!;
    stt += i * i;
    stc += i * cents[i]!;
  }
  const slope = (n * stc - st * sc) / (n * stt - st * st || 1);
  const icpt = (sc - slope * st) / n;
  const x = new Float64Array(n);
  let variance = 0;
  for (let i = 0; i < n; i++) {
    x[i] = cents[i]! - (icpt + slope * i);
    variance += x[i]! ** 2;
  }
  variance /= n;
  if (!(variance > 1)) return null;
  let wSum = 0;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
    wSum += w[i]!;
  }
  let bestRate = 0;
  let bestAmp = 0;
  for (let rate = 3; rate <= 9.0001; rate += 0.05) {
    const om = (2 * Math.PI * rate) / frameRateHz;
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      re += w[i]! * x[i]! * Math.cos(om * i);
      im -= w[i]! * x[i]! * Math.sin(om * i);
    }
    const amp = (2 * Math.hypot(re, im)) / wSum;
    if (amp > bestAmp) {
      bestAmp = amp;
      bestRate = rate;
    }
  }
  const explained = (bestAmp * bestAmp) / 2 / variance;
  if (bestRate < 4 || bestRate > 8 || bestAmp < 10 || explained < 0.4) return null;
  return { rate: bestRate, extent: bestAmp };
}

function weightedMedian(pairs: [number, number][]): number {
  pairs.sort((a, b) => a[0] - b[0]);
  const total = pairs.reduce((s, p) => s + p[1], 0);
  let acc = 0;
  for (const [v, w] of pairs) {
    acc += w;
    if (acc >= total / 2) return v;
  }
  return pairs[pairs.length - 1]![0];
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
