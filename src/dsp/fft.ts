/**
 * Real-input FFT on Float32Array/Float64Array. Written by hand because the npm FFT packages are
 * either unmaintained or allocate per call; this one precomputes twiddles and bit-reversal once per
 * size and reuses its buffers, which matters at 100 frames per second over multi-hour files.
 *
 * A real signal of N samples is packed into an N/2-point complex FFT (even samples as real parts,
 * odd samples as imaginary parts) and the spectrum is recovered with one extra twiddle pass, so a
 * frame costs about half of a plain complex transform.
 */

const cache = new Map<number, Fft>();

/** A reusable FFT plan of size `size` (a power of two, >= 4). Not thread-safe: one per worker. */
export class Fft {
  readonly size: number;
  /** Half-size complex transform. */
  private readonly half: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Twiddles of the full size for the real-spectrum split: cos/sin(2πk/N), k = 0..N/2. */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly rev: Uint32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`);
    }
    this.size = size;
    const m = size / 2;
    this.half = m;
    this.cos = new Float64Array(m / 2);
    this.sin = new Float64Array(m / 2);
    for (let i = 0; i < m / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / m);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / m);
    }
    this.splitCos = new Float64Array(m + 1);
    this.splitSin = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.rev = new Uint32Array(m);
    const bits = Math.log2(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
  }

  /** Memoised plan for a size. */
  static of(size: number): Fft {
    let f = cache.get(size);
    if (!f) {
      f = new Fft(size);
      cache.set(size, f);
    }
    return f;
  }

  /**
   * Forward transform of a real signal.
   * @param input - `size` real samples (shorter input is zero-padded).
   * @param outRe - receives `size/2 + 1` real parts.
   * @param outIm - receives `size/2 + 1` imaginary parts.
   */
  realForward(
    input: ArrayLike<number>,
    outRe: Float64Array | Float32Array,
    outIm: Float64Array | Float32Array,
  ): void {
    this.load(input);
    this.transform();
    const m = this.half;
    for (let k = 0; k <= m; k++) {
      this.split(k);
      outRe[k] = this.xr;
      outIm[k] = this.xi;
    }
  }

  /**
   * Power spectrum |X[k]|^2 of a real signal.
   * @param input - `size` real samples (already windowed).
   * @param out - receives `size/2 + 1` values.
   */
  powerSpectrum(input: ArrayLike<number>, out: Float32Array | Float64Array): void {
    this.load(input);
    this.transform();
    const m = this.half;
    for (let k = 0; k <= m; k++) {
      this.split(k);
      out[k] = this.xr * this.xr + this.xi * this.xi;
    }
  }

  private xr = 0;
  private xi = 0;

  /** X[k] from the half-size transform Z (stored in re/im), into xr/xi. */
  private split(k: number): void {
    const m = this.half;
    const a = k === m ? 0 : k;
    const b = k === 0 ? 0 : m - k;
    const zr = this.re[a]!;
    const zi = this.im[a]!;
    const wr = this.re[b]!;
    const wi = this.im[b]!;
    // even part E = (Z[k] + conj Z[M-k]) / 2, odd part O = (Z[k] - conj Z[M-k]) / 2i
    const er = (zr + wr) / 2;
    const ei = (zi - wi) / 2;
    const or = (zi + wi) / 2;
    const oi = -(zr - wr) / 2;
    // X[k] = E + e^{-2πik/N} O
    const c = this.splitCos[k]!;
    const s = this.splitSin[k]!;
    this.xr = er + c * or + s * oi;
    this.xi = ei + c * oi - s * or;
  }

  /** Packs even samples into re, odd samples into im, in bit-reversed order. */
  private load(input: ArrayLike<number>): void {
    const m = this.half;
    const rev = this.rev;
    const n = input.length;
    for (let i = 0; i < m; i++) {
      const j = rev[i]!;
      const e = 2 * i;
      this.re[j] = e < n ? input[e]! : 0;
      this.im[j] = e + 1 < n ? input[e + 1]! : 0;
    }
  }

  private transform(): void {
    const n = this.half;
    const re = this.re;
    const im = this.im;
    const cos = this.cos;
    const sin = this.sin;
    for (let len = 2; len <= n; len <<= 1) {
      const halfLen = len >> 1;
      const step = n / len;
      for (let i = 0; i < n; i += len) {
        for (let j = 0, t = 0; j < halfLen; j++, t += step) {
          const wr = cos[t]!;
          const wi = sin[t]!;
          const a = i + j;
          const b = a + halfLen;
          const xr = re[b]! * wr - im[b]! * wi;
          const xi = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - xr;
          im[b] = im[a]! - xi;
          re[a] = re[a]! + xr;
          im[a] = im[a]! + xi;
        }
      }
    }
  }
}
