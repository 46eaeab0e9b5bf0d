/**
 * True-peak level per ITU-R BS.1770-4 Annex 2: 4x oversampling with the Recommendation's
 * 48-coefficient interpolation filter split into 4 polyphase branches of 12 taps, then the
 * maximum absolute value. Float arithmetic, so the Annex's 12.04 dB pre-attenuation for integer
 * implementations is not needed.
 *
 * Hand-written (no library): it is 48 multiply-adds per sample, and a rigorous bound lets most
 * blocks skip the filter entirely (below).
 */

/** BS.1770-4 Annex 2 interpolation filter, phase p of 4: y[4n+p] = Σ_k h_p[k] x[n-k]. */
export const BS1770_TRUE_PEAK_PHASES: readonly (readonly number[])[] = Object.freeze([
  [
    0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875,
    0.1373291015625, 0.97216796875, -0.102294921875, 0.047607421875, -0.026611328125,
    0.014892578125, -0.00830078125,
  ],
  [
    -0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.16650390625, 0.465087890625,
    0.77978515625, -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375,
  ],
  [
    -0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625, -0.2003173828125, 0.77978515625,
    0.465087890625, -0.16650390625, 0.089111328125, -0.0517578125, 0.029296875, -0.0291748046875,
  ],
  [
    -0.00830078125, 0.014892578125, -0.026611328125, 0.047607421875, -0.102294921875, 0.97216796875,
    0.1373291015625, -0.0594482421875, 0.033203125, -0.0196533203125, 0.010986328125,
    0.001708984375,
  ],
]);

const TAPS = 12;
const HISTORY = TAPS - 1;
/** Samples per skip-test block. */
const BLOCK = 64;

/** Largest L1 norm of a phase: |y| <= L1 * max|x| over the 12 input samples it reads. */
const MAX_L1 = Math.max(
  ...BS1770_TRUE_PEAK_PHASES.map((ph) => ph.reduce((s, v) => s + Math.abs(v), 0)),
);

/**
 * Streaming true-peak meter over interleaved float input (any channel count, any rate; the
 * filter is defined on normalised frequency, so 4x oversampling applies at every rate).
 * Memory: 11 past samples per channel plus one scratch buffer the size of the largest chunk.
 */
export class TruePeakMeter {
  readonly channels: number;
  /** Linear true peak per channel so far. */
  private readonly peak: Float64Array;
  /** Per channel: HISTORY past samples then the current chunk, contiguous. */
  private bufs: Float64Array[];

  constructor(channels: number) {
    if (!Number.isInteger(channels) || channels < 1)
      throw new RangeError(`channels must be a positive integer, got ${channels}`);
    this.channels = channels;
    this.peak = new Float64Array(channels);
    this.bufs = Array.from({ length: channels }, () => new Float64Array(HISTORY + 4096));
  }

  /** Consumes `frames` interleaved frames (default: all of `interleaved`). */
  process(interleaved: Float32Array, frames = interleaved.length / this.channels): void {
    const nCh = this.channels;
    for (let c = 0; c < nCh; c++) {
      let buf = this.bufs[c]!;
      if (buf.length < HISTORY + frames) {
        const grown = new Float64Array(HISTORY + frames);
        grown.set(buf.subarray(0, HISTORY));
        buf = grown;
        this.bufs[c] = buf;
      }
      for (let i = 0, j = c; i < frames; i++, j += nCh) buf[HISTORY + i] = interleaved[j]!;
      let peak = this.peak[c]!;
      // Output n (input index HISTORY + n) reads buf[n .. n + HISTORY].
      for (let start = 0; start < frames; start += BLOCK) {
        const end = Math.min(frames, start + BLOCK);
        let maxAbs = 0;
        for (let i = start; i < end + HISTORY; i++) {
          // Math.abs/Math.max compile branch-free; `v < 0 ? -v : v` mispredicts on audio.
          maxAbs = Math.max(maxAbs, Math.abs(buf[i]!));
        }
        // Rigorous skip: no interpolated value in this block can exceed the running peak.
        if (maxAbs * MAX_L1 <= peak) continue;
        // Unrolled 4 x 12 taps over a shift register x0 (oldest) .. x11 (newest); tap j uses
        // h_p[11 - j] of BS1770_TRUE_PEAK_PHASES (test/dsp/true-peak.test.ts checks it against them).
        let x0 = buf[start + 0]!;
        let x1 = buf[start + 1]!;
        let x2 = buf[start + 2]!;
        let x3 = buf[start + 3]!;
        let x4 = buf[start + 4]!;
        let x5 = buf[start + 5]!;
        let x6 = buf[start + 6]!;
        let x7 = buf[start + 7]!;
        let x8 = buf[start + 8]!;
        let x9 = buf[start + 9]!;
        let x10 = buf[start + 10]!;
        for (let n = start; n < end; n++) {
          const x11 = buf[n + 11]!;
          const y0 =
            -0.00830078125 * x0 +
            0.014892578125 * x1 -
            0.026611328125 * x2 +
            0.047607421875 * x3 -
            0.102294921875 * x4 +
            0.97216796875 * x5 +
            0.1373291015625 * x6 -
            0.0594482421875 * x7 +
            0.033203125 * x8 -
            0.0196533203125 * x9 +
            0.010986328125 * x10 +
            0.001708984375 * x11;
          const y1 =
            -0.0189208984375 * x0 +
            0.0330810546875 * x1 -
            0.0582275390625 * x2 +
            0.1015625 * x3 -
            0.2003173828125 * x4 +
            0.77978515625 * x5 +
            0.465087890625 * x6 -
            0.16650390625 * x7 +
            0.089111328125 * x8 -
            0.0517578125 * x9 +
            0.029296875 * x10 -
            0.0291748046875 * x11;
          const y2 =
            -0.0291748046875 * x0 +
            0.029296875 * x1 -
            0.0517578125 * x2 +
            0.089111328125 * x3 -
            0.16650390625 * x4 +
            0.465087890625 * x5 +
            0.77978515625 * x6 -
            0.2003173828125 * x7 +
            0.1015625 * x8 -
            0.0582275390625 * x9 +
            0.0330810546875 * x10 -
            0.0189208984375 * x11;
          const y3 =
            0.001708984375 * x0 +
            0.010986328125 * x1 -
            0.0196533203125 * x2 +
            0.033203125 * x3 -
            0.0594482421875 * x4 +
            0.1373291015625 * x5 +
            0.97216796875 * x6 -
            0.102294921875 * x7 +
            0.047607421875 * x8 -
            0.026611328125 * x9 +
            0.014892578125 * x10 -
            0.00830078125 * x11;
          const m = Math.max(Math.abs(y0), Math.abs(y1), Math.abs(y2), Math.abs(y3));
          if (m > peak) peak = m;
          x0 = x1;
          x1 = x2;
          x2 = x3;
          x3 = x4;
          x4 = x5;
          x5 = x6;
          x6 = x7;
          x7 = x8;
          x8 = x9;
          x9 = x10;
          x10 = x11;
        }
      }
      this.peak[c] = peak;
      buf.copyWithin(0, frames, frames + HISTORY);
    }
  }

  /** Flushes the filter tail (the last samples' interpolated neighbours) with zeros. */
  flush(): void {
    this.process(new Float32Array(HISTORY * this.channels));
  }

  /** Linear true peak of each channel (a copy). */
  peaksLinear(): Float64Array {
    return this.peak.slice();
  }
}

/** Linear amplitude to dB (20 log10); 0 → -Infinity. */
export function amplitudeToDb(linear: number): number {
  return 20 * Math.log10(linear);
}
