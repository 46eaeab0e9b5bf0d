/**
 * Voice matching across recordings: cosine similarity of L2-normalised speaker embeddings (the
 * `embedding` of each diarized speaker, issue 14) turned into a probability that two voices are
 * the same person by a logistic calibration fitted per embedding model on speakers known to be
 * the same or different (AMI participants; see eval/voices.ts). Pure functions, no I/O.
 */

/** The embedding a diarized speaker carries (`speaker_recognition.speakers[i].embedding`). */
export interface SpeakerEmbedding {
  /** Model id of the registry (embeddings of different models are never compared). */
  readonly model: string;
  /** L2-normalised. */
  readonly vector: readonly number[];
}

/** p(same person | cosine c) = 1 / (1 + exp(−(slope·c + intercept))). */
export interface VoiceCalibration {
  readonly slope: number;
  readonly intercept: number;
  /** True when fitted on labelled pairs for this model; false for the generic default. */
  readonly calibrated: boolean;
  /** Where the fit came from (evaluation, date). */
  readonly source: string;
}

/**
 * Fitted calibrations by model id (add a row when a model's calibration is fitted).
 * Models without a row use DEFAULT_CALIBRATION and their scores say `calibrated: false`.
 *
 * Recipe: `npm run eval -- voices` prints the fit (logistic regression of same/different on the
 * cosine, fitCalibration below) over every cross-recording pair of diarized speakers of the
 * corpus AMI excerpts, labelled with their RTTM participant; paste its slope and intercept here.
 */
export const CALIBRATIONS: Readonly<Record<string, VoiceCalibration>> = Object.freeze({
  // 86 trials, only 4 same-participant: a coarse fit (docs/EVALUATION.md, voice matching).
  'campplus-sv-zh-en-16k': Object.freeze({
    slope: 13.068,
    intercept: -9.874,
    calibrated: true,
    source:
      'eval/voices.ts 2026-12-01: 86 cross-recording AMI speaker pairs (4 same participant, 82 different), pipeline embeddings of the neural diarizer',
  }),
});

/** Probability 0.5 at cosine 0.6, 0.05/0.95 at about 0.45/0.75: a cautious generic guess. */
export const DEFAULT_CALIBRATION: VoiceCalibration = Object.freeze({
  slope: 20,
  intercept: -12,
  calibrated: false,
  source: 'generic default (not fitted for this model)',
});

/**
 * Proposed names need at least this probability (with the CAM++ fit: cosine ≥ 0.756; on the eval
 * trials 1 of 82 different-speaker pairs and 2 of 4 same-speaker pairs reach it).
 */
export const SUGGESTION_MIN_SCORE = 0.5;

export function calibrationFor(model: string): VoiceCalibration {
  return CALIBRATIONS[model] ?? DEFAULT_CALIBRATION;
}

/** Cosine similarity (vectors need not be normalised); 0 for mismatched or zero vectors. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

export function calibratedScore(cosine: number, cal: VoiceCalibration): number {
  return 1 / (1 + Math.exp(-(cal.slope * cosine + cal.intercept)));
}

/**
 * Fits the logistic calibration by gradient descent on cross-entropy (two parameters, a few
 * hundred pairs: no library needed).
 */
export function fitCalibration(
  pairs: readonly { readonly cosine: number; readonly same: boolean }[],
  source: string,
): VoiceCalibration {
  let a = 10;
  let b = -5;
  const lr = 0.5;
  for (let it = 0; it < 5000; it++) {
    let ga = 0;
    let gb = 0;
    for (const p of pairs) {
      const q = 1 / (1 + Math.exp(-(a * p.cosine + b)));
      const e = q - (p.same ? 1 : 0);
      ga += e * p.cosine;
      gb += e;
    }
    a -= (lr * ga) / pairs.length;
    b -= (lr * gb) / pairs.length;
  }
  return { slope: a, intercept: b, calibrated: true, source };
}

/** Equal error rate of same/different scores (threshold swept over the scores). */
export function equalErrorRate(
  pairs: readonly { readonly score: number; readonly same: boolean }[],
): { eer: number; threshold: number } {
  const pos = pairs.filter((p) => p.same).length;
  const neg = pairs.length - pos;
  if (pos === 0 || neg === 0) return { eer: NaN, threshold: NaN };
  const sorted = [...pairs].sort((x, y) => y.score - x.score);
  let tp = 0;
  let fp = 0;
  let best = { gap: Infinity, eer: 1, threshold: 0 };
  for (const p of sorted) {
    if (p.same) tp++;
    else fp++;
    const frr = 1 - tp / pos;
    const far = fp / neg;
    const gap = Math.abs(frr - far);
    if (gap < best.gap) best = { gap, eer: (frr + far) / 2, threshold: p.score };
  }
  return { eer: best.eer, threshold: best.threshold };
}
