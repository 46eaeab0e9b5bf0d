/**
 * Calibration helpers: temperature scaling (Guo et al. 2017) and expected calibration error.
 * Hand-written: a one-parameter golden-section search and a binned average need no library.
 */
import { softmax } from './model.js';

/** Mean negative log-likelihood of the true labels under softmax(logits / T). */
export function negativeLogLikelihood(
  logits: readonly (readonly number[])[],
  labels: readonly number[],
  temperature: number,
): number {
  let nll = 0;
  for (let i = 0; i < logits.length; i++) {
    const p = softmax(logits[i]!, temperature)[labels[i]!]!;
    nll -= Math.log(Math.max(p, 1e-12));
  }
  return logits.length > 0 ? nll / logits.length : 0;
}

/**
 * The temperature in [0.05, 20] minimising the NLL (golden-section search on log T).
 * Returns 1 when there is nothing to fit.
 */
export function fitTemperature(
  logits: readonly (readonly number[])[],
  labels: readonly number[],
): number {
  if (logits.length === 0) return 1;
  let a = Math.log(0.05);
  let b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  const f = (lt: number): number => negativeLogLikelihood(logits, labels, Math.exp(lt));
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 60; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return Math.exp((a + b) / 2);
}

/**
 * Expected calibration error: the sample-weighted mean |accuracy − confidence| over `bins`
 * equal-width confidence bins of the top prediction.
 * @param probabilities - one probability vector per sample.
 * @param labels - true class index per sample.
 */
export function expectedCalibrationError(
  probabilities: readonly (readonly number[])[],
  labels: readonly number[],
  bins = 10,
): number {
  const confidences: number[] = [];
  const correct: boolean[] = [];
  probabilities.forEach((p, i) => {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    confidences.push(p[best]!);
    correct.push(best === labels[i]);
  });
  return calibrationError(confidences, correct, bins);
}

/** One equal-width confidence bin of a reliability table. */
export interface ReliabilityBin {
  /** Lower and upper edge of the bin (confidence). */
  readonly from: number;
  readonly to: number;
  readonly samples: number;
  readonly mean_confidence: number;
  readonly accuracy: number;
}

/**
 * The reliability table behind `calibrationError`: per non-empty bin of the same `bins`
 * equal-width bins, the number of samples, their mean stated confidence and their accuracy.
 */
export function reliabilityTable(
  confidences: readonly number[],
  correct: readonly boolean[],
  bins = 10,
): ReliabilityBin[] {
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const idx = confidences.flatMap((c, i) =>
      Math.min(bins - 1, Math.floor(c * bins)) === b ? [i] : [],
    );
    if (idx.length === 0) continue;
    out.push({
      from: b / bins,
      to: (b + 1) / bins,
      samples: idx.length,
      mean_confidence: idx.reduce((a, i) => a + confidences[i]!, 0) / idx.length,
      accuracy: idx.filter((i) => correct[i]).length / idx.length,
    });
  }
  return out;
}

/** Brier score of stated confidences: the mean of (confidence − correct)². */
export function brierScore(confidences: readonly number[], correct: readonly boolean[]): number {
  const n = confidences.length;
  return n === 0 ? 0 : confidences.reduce((a, c, i) => a + (c - (correct[i] ? 1 : 0)) ** 2, 0) / n;
}

/**
 * Expected calibration error of stated confidences (for decisions that are not the argmax of one
 * probability vector, such as a rule overriding the model): the sample-weighted mean
 * |accuracy − confidence| over `bins` equal-width confidence bins.
 */
export function calibrationError(
  confidences: readonly number[],
  correct: readonly boolean[],
  bins = 10,
): number {
  const n = confidences.length;
  if (n === 0) return 0;
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const c = confidences[i]!;
    const b = Math.min(bins - 1, Math.floor(c * bins));
    conf[b]! += c;
    acc[b]! += correct[i] ? 1 : 0;
    count[b]! += 1;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b]! > 0)
      ece += (count[b]! / n) * Math.abs(acc[b]! / count[b]! - conf[b]! / count[b]!);
  }
  return ece;
}
