/**
 * Radix-2 FFT on Float32Array/Float64Array. Written by hand because the npm FFT packages are either
 * unmaintained or allocate per call; this one precomputes twiddles and bit-reversal once per size
 * and reuses its buffers, which matters at 100 frames per second over multi-hour files.
 */

const cache = new Map<number, Fft>();

/** A reusable FFT plan of size `size` (a power of two). Not thread-safe: one per worker. */
export class Fft {
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two >= 2, got ${size}`);
    }
    this.size = size;
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let i = 0; i < size / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / size);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / size);
    }
    this.rev = new Uint32Array(size);
    const bits = Math.log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.re = new Float64Array(size);
    this.im = new Float64Array(size);
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
    const n = this.size;
    const re = this.re;
    const im = this.im;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      re[j] = i < input.length ? input[i]! : 0;
      im[j] = 0;
    }
    this.transform();
    const half = n / 2;
    for (let k = 0; k <= half; k++) {
      outRe[k] = re[k]!;
      outIm[k] = im[k]!;
    }
  }

  /**
   * Power spectrum |X[k]|^2 of a real signal.
   * @param input - `size` real samples (already windowed).
   * @param out - receives `size/2 + 1` values.
   */
  powerSpectrum(input: ArrayLike<number>, out: Float32Array | Float64Array): void {
    const n = this.size;
    const re = this.re;
    const im = this.im;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      re[j] = i < input.length ? input[i]! : 0;
      im[j] = 0;
    }
    this.transform();
    const half = n / 2;
    for (let k = 0; k <= half; k++) out[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  }

  private transform(): void {
    const n = this.size;
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
