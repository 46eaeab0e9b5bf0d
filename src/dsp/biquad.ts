/**
 * Second-order IIR sections (biquads). Hand-written because the per-sample work is a handful of
 * multiply-adds that must run over hours of multichannel audio without allocation; npm filter
 * packages allocate per call or work on plain arrays.
 *
 * Convention: `H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)` (a0 normalised to 1).
 * State: 2 doubles per channel (transposed direct form II), kept in a `Float64Array`.
 */

export interface BiquadCoefficients {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

/** Magnitude response |H(e^{jω})| in dB of a biquad at `freqHz` for a rate `sampleRateHz`. */
export function biquadResponseDb(
  c: BiquadCoefficients,
  freqHz: number,
  sampleRateHz: number,
): number {
  const w = (2 * Math.PI * freqHz) / sampleRateHz;
  const cos1 = Math.cos(w);
  const sin1 = Math.sin(w);
  const cos2 = Math.cos(2 * w);
  const sin2 = Math.sin(2 * w);
  const nr = c.b0 + c.b1 * cos1 + c.b2 * cos2;
  const ni = -(c.b1 * sin1 + c.b2 * sin2);
  const dr = 1 + c.a1 * cos1 + c.a2 * cos2;
  const di = -(c.a1 * sin1 + c.a2 * sin2);
  return 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di));
}

/** Magnitude response in dB of a cascade of biquads. */
export function cascadeResponseDb(
  sections: readonly BiquadCoefficients[],
  freqHz: number,
  sampleRateHz: number,
): number {
  let db = 0;
  for (const s of sections) db += biquadResponseDb(s, freqHz, sampleRateHz);
  return db;
}

/**
 * Filters one channel of an interleaved buffer in place into `out` (contiguous, `frames` long).
 * @param input - interleaved samples, `frames * stride` long.
 * @param channel - channel index read (offset into each frame).
 * @param stride - channels per frame.
 * @param state - 2 doubles (z1, z2), updated so successive calls continue the stream.
 */
export function processBiquadStrided(
  c: BiquadCoefficients,
  input: ArrayLike<number>,
  channel: number,
  stride: number,
  frames: number,
  state: Float64Array,
  out: Float64Array | Float32Array,
): void {
  const { b0, b1, b2, a1, a2 } = c;
  let z1 = state[0]!;
  let z2 = state[1]!;
  for (let i = 0, j = channel; i < frames; i++, j += stride) {
    const x = input[j]!;
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    out[i] = y;
  }
  state[0] = z1;
  state[1] = z2;
}
