/**
 * Band-limited resampling of a short mono excerpt (windowed-sinc interpolation, Kaiser window).
 * Used to feed models trained at another rate (basic-pitch: 22 050 Hz) from the 16 kHz analysis
 * stream. The excerpt is resampled as a whole; samples outside it count as zero.
 */

/** Zero-order modified Bessel function of the first kind (series; converges fast for x < 30). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

/** Kernel samples per input sample (linear interpolation between them: error < 1e-6). */
const TABLE_STEPS = 512;
const tables = new Map<string, Float64Array>();

/** The windowed-sinc kernel 2·fc·sinc(2·fc·d)·kaiser(d / half) at d = k / TABLE_STEPS, memoised. */
function kernelTable(fc: number, half: number, beta: number): Float64Array {
  const key = `${fc}|${half}|${beta}`;
  let t = tables.get(key);
  if (!t) {
    const n = Math.ceil(half * TABLE_STEPS) + 2;
    t = new Float64Array(n);
    const i0b = besselI0(beta);
    for (let k = 0; k < n; k++) {
      const d = k / TABLE_STEPS;
      const r = d / half;
      if (r > 1) break;
      const w = besselI0(beta * Math.sqrt(1 - r * r)) / i0b;
      const arg = 2 * fc * d;
      t[k] = 2 * fc * (arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg)) * w;
    }
    tables.set(key, t);
  }
  return t;
}

export interface ResampleOptions {
  /** Zero crossings of the sinc on each side of a target sample. @defaultValue 16 */
  readonly halfTaps?: number;
  /** Kaiser window β (≈ 80 dB stop-band at 8.6). @defaultValue 8.6 */
  readonly kaiserBeta?: number;
  /** Cut-off as a fraction of the lower Nyquist rate. @defaultValue 0.95 */
  readonly rolloff?: number;
}

/**
 * @param x - samples at `fromHz`, shape [n].
 * @param fromHz - input sample rate (Hz).
 * @param toHz - output sample rate (Hz).
 * @param nOut - output length. @defaultValue round(n × toHz / fromHz)
 * @returns samples at `toHz`, shape [nOut]; output sample j sits at input time j / toHz.
 */
export function resampleSinc(
  x: Float32Array,
  fromHz: number,
  toHz: number,
  nOut = Math.round((x.length * toHz) / fromHz),
  opts: ResampleOptions = {},
): Float32Array {
  if (!(fromHz > 0) || !(toHz > 0)) {
    throw new RangeError(`resampleSinc: sample rates must be > 0 (got ${fromHz} → ${toHz})`);
  }
  const halfTaps = opts.halfTaps ?? 16;
  const beta = opts.kaiserBeta ?? 8.6;
  // Cut-off in cycles per input sample.
  const fc = (0.5 * (opts.rolloff ?? 0.95) * Math.min(fromHz, toHz)) / fromHz;
  // Half-width of the kernel in input samples.
  const half = halfTaps / (2 * fc);
  const kernel = kernelTable(fc, half, beta);
  const out = new Float32Array(nOut);
  const step = fromHz / toHz;
  for (let j = 0; j < nOut; j++) {
    const t = j * step;
    const a = Math.max(0, Math.ceil(t - half));
    const b = Math.min(x.length - 1, Math.floor(t + half));
    let s = 0;
    for (let i = a; i <= b; i++) {
      const p = Math.abs(i - t) * TABLE_STEPS;
      const k = Math.floor(p);
      const f = p - k;
      s += x[i]! * (kernel[k]! * (1 - f) + kernel[k + 1]! * f);
    }
    out[j] = s;
  }
  return out;
}
