/**
 * Mel filter bank and DCT-II for MFCC, memoised by (sampleRateHz, fftSize, nMels).
 * Slaney-style mel scale (as librosa's default `htk=False`), triangular filters normalised to
 * unit area ("slaney" norm).
 */

export function hzToMel(hz: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logStep : hz / fSp;
}

export function melToHz(mel: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return mel >= minLogMel ? minLogHz * Math.exp(logStep * (mel - minLogMel)) : fSp * mel;
}

/** Sparse triangular filter: weights over bins [start, start + weights.length). */
export interface MelFilter {
  readonly start: number;
  readonly weights: Float32Array;
}

const bankCache = new Map<string, readonly MelFilter[]>();

/**
 * Mel filter bank.
 * @param sampleRateHz - sample rate of the signal.
 * @param fftSize - FFT size; filters apply to `fftSize/2 + 1` power bins.
 * @param nMels - number of bands.
 * @param fMinHz - lowest edge. @defaultValue 0
 * @param fMaxHz - highest edge. @defaultValue sampleRateHz / 2
 */
export function melFilterBank(
  sampleRateHz: number,
  fftSize: number,
  nMels: number,
  fMinHz = 0,
  fMaxHz = sampleRateHz / 2,
): readonly MelFilter[] {
  const key = `${sampleRateHz}:${fftSize}:${nMels}:${fMinHz}:${fMaxHz}`;
  const hit = bankCache.get(key);
  if (hit) return hit;
  const nBins = fftSize / 2 + 1;
  const binHz = sampleRateHz / fftSize;
  const melMin = hzToMel(fMinHz);
  const melMax = hzToMel(fMaxHz);
  const edges: number[] = [];
  for (let i = 0; i < nMels + 2; i++)
    edges.push(melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1)));
  const bank: MelFilter[] = [];
  for (let m = 0; m < nMels; m++) {
    const lo = edges[m]!;
    const mid = edges[m + 1]!;
    const hi = edges[m + 2]!;
    const norm = 2 / (hi - lo);
    const start = Math.max(0, Math.floor(lo / binHz));
    const end = Math.min(nBins - 1, Math.ceil(hi / binHz));
    const w = new Float32Array(Math.max(0, end - start + 1));
    for (let k = start; k <= end; k++) {
      const f = k * binHz;
      const v = f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
      w[k - start] = Math.max(0, v) * norm;
    }
    bank.push({ start, weights: w });
  }
  bankCache.set(key, bank);
  return bank;
}

/** Applies a mel bank to a power spectrum. `out` has `bank.length` values. */
export function applyMelBank(
  power: ArrayLike<number>,
  bank: readonly MelFilter[],
  out: Float32Array,
): void {
  for (let m = 0; m < bank.length; m++) {
    const { start, weights } = bank[m]!;
    let s = 0;
    for (let i = 0; i < weights.length; i++) s += weights[i]! * power[start + i]!;
    out[m] = s;
  }
}

const dctCache = new Map<string, Float32Array>();

/** Orthonormal DCT-II matrix (nOut x nIn), row-major. */
export function dctMatrix(nIn: number, nOut: number): Float32Array {
  const key = `${nIn}:${nOut}`;
  let m = dctCache.get(key);
  if (!m) {
    m = new Float32Array(nIn * nOut);
    for (let k = 0; k < nOut; k++) {
      const scale = k === 0 ? Math.sqrt(1 / nIn) : Math.sqrt(2 / nIn);
      for (let n = 0; n < nIn; n++)
        m[k * nIn + n] = scale * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * nIn));
    }
    dctCache.set(key, m);
  }
  return m;
}
