/**
 * Decoding CREPE's output: 360 pitch-bin probabilities per frame, 20 cents apart, bin 0 at
 * 1997.38 cents re 10 Hz (31.7 Hz); the last bin is 9177 cents (1.98 kHz). As torchcrepe's
 * `weighted_argmax` decoder: the probability-weighted mean of the bins within ±4 of the peak;
 * the peak probability is the frame's periodicity (torchcrepe's voicing confidence).
 */

export const CREPE_PITCH_BINS = 360;
export const CREPE_CENTS_PER_BIN = 20;
export const CREPE_CENTS_OFFSET = 1997.3794084376191;
/** Samples per CREPE frame (16 kHz). */
export const CREPE_WINDOW_SAMPLES = 1024;

export interface CrepeFrame {
  /** Pitch in cents re 10 Hz. */
  readonly cents: number;
  /** Peak bin probability, 0..1. */
  readonly periodicity: number;
}

/** Cents re 10 Hz → Hz. */
export function centsToHz(cents: number): number {
  return 10 * 2 ** (cents / 1200);
}

/**
 * Decodes one frame.
 * @param probabilities - the model output, `CREPE_PITCH_BINS` values per frame.
 * @param offset - index of the frame's first bin in `probabilities`.
 */
export function decodeCrepeFrame(probabilities: ArrayLike<number>, offset = 0): CrepeFrame {
  let peak = 0;
  for (let b = 1; b < CREPE_PITCH_BINS; b++) {
    if (probabilities[offset + b]! > probabilities[offset + peak]!) peak = b;
  }
  const lo = Math.max(0, peak - 4);
  const hi = Math.min(CREPE_PITCH_BINS, peak + 5);
  let num = 0;
  let den = 0;
  for (let b = lo; b < hi; b++) {
    const p = probabilities[offset + b]!;
    num += p * (CREPE_CENTS_OFFSET + CREPE_CENTS_PER_BIN * b);
    den += p;
  }
  return {
    cents: den > 0 ? num / den : CREPE_CENTS_OFFSET + CREPE_CENTS_PER_BIN * peak,
    periodicity: probabilities[offset + peak]!,
  };
}
