/**
 * Training a heritage model on an archive's own labelled files: multinomial logistic regression
 * on standardised descriptors with L2 regularisation, temperature scaling for calibration, and a
 * training report from grouped cross-validation (leave-one-source-out, so recordings of the same
 * source never sit on both sides). Every category weighs the same in the fit, and every source the
 * same within its category (a collection of 40 takes by one singer must not outvote four singers,
 * and a category with many sources must not become the default answer: an archive's own mix of
 * categories is unknown). The cross-validation scores the decisions as the analyzer states them:
 * the out-of-taxonomy rules first, then the model, with the confidence each report would state.
 * The report carries warnings whenever that cross-validation says the model is weak
 * (`weaknessWarnings`). Hand-written: a few hundred samples × 25 features need no ML library, and
 * this keeps the artifact a plain, inspectable JSON file.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { SonoError } from '../../errors.js';
import { brierScore, calibrationError, fitTemperature, reliabilityTable } from './calibration.js';
import { DESCRIPTOR_NAMES } from './descriptors.js';
import { UNCLASSIFIED } from './out-of-taxonomy.js';
import {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  softmax,
  type HeritageModel,
  type TrainingReport,
} from './model.js';

export interface LabelledSample {
  /** Descriptor values in `features` order. */
  readonly x: ArrayLike<number>;
  readonly label: string;
  /** Grouping for cross-validation (performer, collection, carrier batch…). */
  readonly source: string;
  /**
   * True when the out-of-taxonomy rules hold for this recording: the analyzer then reports
   * `unclassified` whatever the model says. @defaultValue false
   */
  readonly ruledOut?: boolean;
}

/**
 * How samples are weighted in the fit. `category`: every category the same total weight, every
 * source the same share of its category. `source`: every source the same weight (the recipe before
 * issue 9's calibration round; a category with more sources then gets a larger prior).
 */
export type Weighting = 'category' | 'source';

export interface TrainOptions {
  readonly name?: string;
  /** L2 penalty on the weights. @defaultValue 0.05 */
  readonly l2?: number;
  /** Gradient-descent iterations. @defaultValue 1500 */
  readonly iterations?: number;
  /** Feature names, the order of every `x`. @defaultValue DESCRIPTOR_NAMES */
  readonly features?: readonly string[];
  /** Confidence below which predictions are flagged uncertain. @defaultValue 0.5 */
  readonly uncertainBelow?: number;
  /** Timestamp written into the artifact (reproducible builds). @defaultValue now */
  readonly createdAt?: string;
  /** Sample weighting in the fit. @defaultValue 'category' */
  readonly weighting?: Weighting;
}

/**
 * When cross-validation calls a model weak. Fixed, documented thresholds (docs/HERITAGE.md):
 * below them an archivist should not accept its categories without listening.
 */
export const WEAKNESS_THRESHOLDS = {
  minAccuracy: 0.7,
  minMacroF1: 0.6,
  maxEce: 0.15,
  minCategoryRecall: 0.5,
} as const;

interface Fitted {
  readonly mean: number[];
  readonly std: number[];
  readonly weights: number[][];
  readonly bias: number[];
}

/** Per-sample weights so that every source sums to the same weight (mean weight 1). */
export function sourceWeights(sources: readonly string[]): number[] {
  const count = new Map<string, number>();
  for (const s of sources) count.set(s, (count.get(s) ?? 0) + 1);
  const n = sources.length;
  return sources.map((s) => n / (count.size * count.get(s)!));
}

/**
 * Per-sample weights so that every category sums to the same weight and, within a category, every
 * source to the same share (mean weight 1).
 */
export function categorySourceWeights(
  labels: readonly string[],
  sources: readonly string[],
): number[] {
  const perCategory = new Map<string, Map<string, number>>();
  labels.forEach((c, i) => {
    const m = perCategory.get(c) ?? new Map<string, number>();
    m.set(sources[i]!, (m.get(sources[i]!) ?? 0) + 1);
    perCategory.set(c, m);
  });
  const n = labels.length;
  return labels.map((c, i) => {
    const m = perCategory.get(c)!;
    return n / (perCategory.size * m.size * m.get(sources[i]!)!);
  });
}

function trainingWeights(samples: readonly LabelledSample[], weighting: Weighting): number[] {
  const sources = samples.map((s) => s.source);
  return weighting === 'source'
    ? sourceWeights(sources)
    : categorySourceWeights(
        samples.map((s) => s.label),
        sources,
      );
}

/**
 * The confidence stated when the out-of-taxonomy rules decide: their precision on labelled files,
 * Laplace-smoothed ((correct + 1) / (fired + 2)), so a handful of firings cannot claim certainty.
 */
export function ruleConfidence(fired: number, correct: number): number {
  return (correct + 1) / (fired + 2);
}

function fitLogistic(
  xs: readonly ArrayLike<number>[],
  ys: readonly number[],
  nClasses: number,
  l2: number,
  iterations: number,
  sampleWeights?: readonly number[],
): Fitted {
  const n = xs.length;
  const nF = xs[0]?.length ?? 0;
  const mean = new Array<number>(nF).fill(0);
  const std = new Array<number>(nF).fill(0);
  for (const x of xs) for (let f = 0; f < nF; f++) mean[f]! += x[f]! / n;
  for (const x of xs) for (let f = 0; f < nF; f++) std[f]! += (x[f]! - mean[f]!) ** 2 / n;
  for (let f = 0; f < nF; f++) std[f] = Math.sqrt(std[f]!) > 1e-6 ? Math.sqrt(std[f]!) : 1;
  // flat row-major arrays: z[i * nF + f], w[c * nF + f]
  const z = new Float64Array(n * nF);
  for (let i = 0; i < n; i++)
    for (let f = 0; f < nF; f++) z[i * nF + f] = (xs[i]![f]! - mean[f]!) / std[f]!;
  const w = new Float64Array(nClasses * nF);
  const b = new Float64Array(nClasses);
  const gw = new Float64Array(nClasses * nF);
  const gb = new Float64Array(nClasses);
  const p = new Float64Array(nClasses);
  const lr = 0.5;
  for (let it = 0; it < iterations; it++) {
    gw.fill(0);
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < nClasses; c++) {
        let s = b[c]!;
        for (let f = 0; f < nF; f++) s += w[c * nF + f]! * z[i * nF + f]!;
        p[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < nClasses; c++) {
        p[c] = Math.exp(p[c]! - max);
        sum += p[c]!;
      }
      const wi = sampleWeights?.[i] ?? 1;
      for (let c = 0; c < nClasses; c++) {
        const d = (wi * (p[c]! / sum - (ys[i] === c ? 1 : 0))) / n;
        gb[c]! += d;
        for (let f = 0; f < nF; f++) gw[c * nF + f]! += d * z[i * nF + f]!;
      }
    }
    for (let c = 0; c < nClasses; c++) {
      b[c]! -= lr * gb[c]!;
      for (let f = 0; f < nF; f++) w[c * nF + f]! -= lr * (gw[c * nF + f]! + l2 * w[c * nF + f]!);
    }
  }
  const weights = Array.from({ length: nClasses }, (_, c) =>
    Array.from(w.subarray(c * nF, (c + 1) * nF)),
  );
  return { mean, std, weights, bias: Array.from(b) };
}

function logitsOf(m: Fitted, x: ArrayLike<number>): number[] {
  return m.weights.map((row, c) =>
    row.reduce((s, wf, f) => s + (wf * (x[f]! - m.mean[f]!)) / m.std[f]!, m.bias[c]!),
  );
}

function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** Macro-averaged F1 over the classes that occur in the labels. */
export function macroF1(confusion: readonly (readonly number[])[]): number {
  const k = confusion.length;
  const f1s: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    const actual = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    if (actual === 0) continue;
    const p = predicted > 0 ? tp / predicted : 0;
    const r = tp / actual;
    f1s.push(p + r > 0 ? (2 * p * r) / (p + r) : 0);
  }
  return f1s.length > 0 ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0;
}

/** Out-of-fold logits by leave-one-source-out, with the true label indices. */
export function crossValidatedLogits(
  samples: readonly LabelledSample[],
  taxonomy: readonly string[],
  l2: number,
  iterations: number,
  weighting: Weighting = 'category',
): { logits: number[][]; labels: number[] } {
  const labels = samples.map((s) => taxonomy.indexOf(s.label));
  const logits: number[][] = new Array<number[]>(samples.length);
  const sources = [...new Set(samples.map((s) => s.source))];
  for (const held of sources) {
    const trainIdx = samples.flatMap((s, i) => (s.source === held ? [] : [i]));
    const testIdx = samples.flatMap((s, i) => (s.source === held ? [i] : []));
    if (trainIdx.length === 0) continue;
    const m = fitLogistic(
      trainIdx.map((i) => samples[i]!.x),
      trainIdx.map((i) => labels[i]!),
      taxonomy.length,
      l2,
      iterations,
      trainingWeights(
        trainIdx.map((i) => samples[i]!),
        weighting,
      ),
    );
    for (const i of testIdx) logits[i] = logitsOf(m, samples[i]!.x);
  }
  return { logits, labels };
}

/**
 * The temperature fitted on the out-of-fold logits of the files the out-of-taxonomy rules let
 * through: the model's probabilities are stated only for them (a ruled-out file states the rules'
 * confidence). All files when the rules took every one.
 */
export function calibrationTemperature(
  logits: readonly (readonly number[])[],
  labels: readonly number[],
  ruledOut: readonly boolean[],
): number {
  const kept = logits.flatMap((_, i) => (ruledOut[i] ? [] : [i]));
  const idx = kept.length > 0 ? kept : logits.map((_, i) => i);
  return fitTemperature(
    idx.map((i) => logits[i]!),
    idx.map((i) => labels[i]!),
  );
}

/** Leave-one-source-out decisions and confidences as the analyzer would state them. */
export interface StatedCrossValidation {
  /** Out-of-fold logits of the model. */
  readonly logits: number[][];
  readonly labels: number[];
  /** Model probabilities; each held-out source scaled by a temperature fitted on the others. */
  readonly probabilities: number[][];
  /** The decision: `unclassified` where the rules hold (−1 if the taxonomy lacks it), else the model's. */
  readonly predicted: number[];
  /** The confidence the report states (the rules' precision on the other sources when they decide). */
  readonly confidence: number[];
}

/**
 * Leave-one-source-out cross-validation of what the reports state: for each held-out source the
 * model is fitted on the other sources, its temperature is fitted on the other sources'
 * out-of-fold logits (`calibrationTemperature`), and the rules' confidence is their smoothed
 * precision on the other sources (`ruleConfidence`); the held-out source's own labels tune
 * nothing. (The other sources' out-of-fold logits come from models that saw the held-out source:
 * a fully nested fit would need a model per pair of sources.)
 */
export function crossValidateStated(
  samples: readonly LabelledSample[],
  taxonomy: readonly string[],
  l2: number,
  iterations: number,
  weighting: Weighting = 'category',
): StatedCrossValidation {
  const { logits, labels } = crossValidatedLogits(samples, taxonomy, l2, iterations, weighting);
  const sources = samples.map((s) => s.source);
  const ruled = samples.map((s) => s.ruledOut === true);
  const unc = taxonomy.indexOf(UNCLASSIFIED);
  const n = samples.length;
  const probabilities = new Array<number[]>(n);
  const predicted = new Array<number>(n);
  const confidence = new Array<number>(n);
  for (const held of new Set(sources)) {
    const rest = sources.flatMap((s, i) => (s === held ? [] : [i]));
    const t = calibrationTemperature(
      rest.map((i) => logits[i]!),
      rest.map((i) => labels[i]!),
      rest.map((i) => ruled[i]!),
    );
    const fired = rest.filter((i) => ruled[i]);
    const rc = ruleConfidence(fired.length, fired.filter((i) => labels[i] === unc).length);
    sources.forEach((s, i) => {
      if (s !== held) return;
      const p = softmax(logits[i]!, t);
      probabilities[i] = p;
      const best = argmax(p);
      predicted[i] = ruled[i] ? unc : best;
      confidence[i] = ruled[i] ? rc : p[best]!;
    });
  }
  return { logits, labels, probabilities, predicted, confidence };
}

/** Trains a model on labelled samples; the training report comes from leave-one-source-out CV. */
export function trainHeritageModel(
  samples: readonly LabelledSample[],
  opts: TrainOptions = {},
): HeritageModel {
  const features = opts.features ?? DESCRIPTOR_NAMES;
  const l2 = opts.l2 ?? 0.05;
  const iterations = opts.iterations ?? 1500;
  const taxonomy = [...new Set(samples.map((s) => s.label))].sort();
  if (taxonomy.length < 2) {
    throw new SonoError('SONO_ERR_INVALID_LABELS', {
      path: '(labels)',
      detail: `need at least 2 categories, got ${taxonomy.length} (${taxonomy.join(', ') || 'none'})`,
    });
  }
  for (const s of samples) {
    if (s.x.length !== features.length) {
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: 'x',
        detail: `sample has ${s.x.length} features, expected ${features.length}`,
      });
    }
  }
  const weighting = opts.weighting ?? 'category';
  const sources = new Set(samples.map((s) => s.source));
  const labels = samples.map((s) => taxonomy.indexOf(s.label));
  const ruled = samples.map((s) => s.ruledOut === true);
  const unc = taxonomy.indexOf(UNCLASSIFIED);
  const notes: string[] = [];
  let temperature = 1;
  let accuracy: number | null = null;
  let modelAlone: number | null = null;
  let f1: number | null = null;
  let ece: number | null = null;
  let brier: number | null = null;
  let reliability: TrainingReport['reliability'] = [];
  const confusion = taxonomy.map(() => taxonomy.map(() => 0));
  if (sources.size >= 2) {
    const cv = crossValidateStated(samples, taxonomy, l2, iterations, weighting);
    temperature = calibrationTemperature(cv.logits, cv.labels, ruled);
    const correct = cv.predicted.map((p, i) => p === cv.labels[i]);
    cv.predicted.forEach((p, i) => {
      if (p >= 0) confusion[cv.labels[i]!]![p]! += 1;
    });
    accuracy = correct.filter(Boolean).length / samples.length;
    modelAlone =
      cv.probabilities.filter((p, i) => argmax(p) === cv.labels[i]).length / samples.length;
    f1 = macroF1(confusion);
    ece = calibrationError(cv.confidence, correct);
    brier = brierScore(cv.confidence, correct);
    reliability = reliabilityTable(cv.confidence, correct);
    notes.push(
      'accuracy, recall, confusion and calibration score the decisions as the analyzer states them: the out-of-taxonomy rules first, then the model',
      "for each held-out source the temperature and the rules' confidence are fitted on the other sources only",
    );
    if (unc < 0 && ruled.some(Boolean))
      notes.push(
        `the taxonomy has no ${UNCLASSIFIED} category: the ${ruled.filter(Boolean).length} file(s) the rules take count as wrong and are not in the confusion matrix`,
      );
  } else {
    notes.push(
      'a single source: no cross-validation possible, no accuracy or calibration reported',
    );
  }
  const m = fitLogistic(
    samples.map((s) => s.x),
    labels,
    taxonomy.length,
    l2,
    iterations,
    trainingWeights(samples, weighting),
  );
  const fired = ruled.filter(Boolean).length;
  const firedCorrect = ruled.filter((r, i) => r && labels[i] === unc).length;
  const perCategory: Record<string, number> = {};
  const sourcesPerCategory: Record<string, number> = {};
  const recall: Record<string, number | null> = {};
  taxonomy.forEach((c, i) => {
    perCategory[c] = samples.filter((s) => s.label === c).length;
    sourcesPerCategory[c] = new Set(samples.filter((s) => s.label === c).map((s) => s.source)).size;
    const n = perCategory[c];
    // ruled-out files of a taxonomy without `unclassified` are in no confusion cell: divide by n
    recall[c] = accuracy === null || n === 0 ? null : confusion[i]![i]! / n;
  });
  const base = {
    samples: samples.length,
    per_category: perCategory,
    sources_per_category: sourcesPerCategory,
    sources: sources.size,
    cross_validation: 'leave-one-source-out',
    weighting,
    accuracy,
    model_alone_accuracy: modelAlone,
    macro_f1: f1,
    expected_calibration_error: ece,
    brier_score: brier,
    reliability,
    per_category_recall: recall,
    confusion,
    l2,
    notes,
  };
  const warnings = weaknessWarnings(base);
  const training: TrainingReport = { ...base, weak: warnings.length > 0, warnings };
  return {
    format: MODEL_FORMAT,
    format_version: MODEL_FORMAT_VERSION,
    name: opts.name ?? 'sonoteca-trained-heritage',
    created_at: opts.createdAt ?? new Date().toISOString(),
    taxonomy,
    features: [...features],
    standardize: { mean: m.mean, std: m.std },
    weights: m.weights,
    bias: m.bias,
    temperature,
    out_of_taxonomy: {
      fired,
      correct: firedCorrect,
      confidence: ruleConfidence(fired, firedCorrect),
    },
    uncertain_below: opts.uncertainBelow ?? 0.5,
    training,
  };
}

/**
 * Calibrated out-of-fold probabilities: each held-out source gets the temperature fitted on the
 * other sources' out-of-fold logits, so its own labels never tune its calibration.
 */
export function leaveOneSourceOutCalibrated(
  logits: readonly (readonly number[])[],
  labels: readonly number[],
  sources: readonly string[],
): number[][] {
  const out: number[][] = new Array<number[]>(logits.length);
  for (const held of new Set(sources)) {
    const rest = sources.flatMap((s, i) => (s === held ? [] : [i]));
    const t = fitTemperature(
      rest.map((i) => logits[i]!),
      rest.map((i) => labels[i]!),
    );
    sources.forEach((s, i) => {
      if (s === held) out[i] = softmax(logits[i]!, t);
    });
  }
  return out;
}

/** What the cross-validation says is weak about a model (empty: nothing). */
export function weaknessWarnings(t: Omit<TrainingReport, 'weak' | 'warnings'>): string[] {
  const w: string[] = [];
  const th = WEAKNESS_THRESHOLDS;
  if (t.accuracy === null) {
    w.push('not cross-validated (fewer than two sources): its accuracy is unknown');
    return w;
  }
  const pct = (v: number): string => `${(100 * v).toFixed(0)} %`;
  if (t.accuracy < th.minAccuracy)
    w.push(`cross-validated accuracy ${pct(t.accuracy)} is below ${pct(th.minAccuracy)}`);
  if (t.macro_f1 !== null && t.macro_f1 < th.minMacroF1)
    w.push(`cross-validated macro F1 ${pct(t.macro_f1)} is below ${pct(th.minMacroF1)}`);
  if (t.expected_calibration_error !== null && t.expected_calibration_error > th.maxEce)
    w.push(
      `calibration error (ECE) ${t.expected_calibration_error.toFixed(2)} is above ${th.maxEce}: confidences overstate or understate accuracy`,
    );
  for (const [c, r] of Object.entries(t.per_category_recall ?? {})) {
    const nSources = t.sources_per_category?.[c] ?? 0;
    if (nSources < 2)
      w.push(`category ${c} has one source: it cannot be validated on a source it has not seen`);
    else if (r !== null && r < th.minCategoryRecall)
      w.push(
        `category ${c}: cross-validated recall ${pct(r)} is below ${pct(th.minCategoryRecall)}`,
      );
  }
  return w;
}

export interface LabelRow {
  /** Absolute path of the audio file. */
  readonly path: string;
  readonly category: string;
  /** Source group; defaults to the file path (leave-one-file-out). */
  readonly source: string;
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/**
 * Parses a labels CSV: a header with `path` and `category` columns (and optionally `source`);
 * relative paths are resolved against the CSV's folder.
 */
export function parseLabelsCsv(text: string, csvPath: string): LabelRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = lines[0] ? splitCsvLine(lines[0]).map((h) => h.toLowerCase()) : [];
  const pi = header.indexOf('path');
  const ci = header.indexOf('category');
  const si = header.indexOf('source');
  if (pi < 0 || ci < 0) {
    throw new SonoError('SONO_ERR_INVALID_LABELS', {
      path: csvPath,
      detail: `the header must name "path" and "category" columns (got: ${header.join(', ') || 'nothing'})`,
    });
  }
  const base = dirname(resolve(csvPath));
  return lines.slice(1).map((line, i) => {
    const cells = splitCsvLine(line);
    const p = cells[pi] ?? '';
    const category = cells[ci] ?? '';
    if (!p || !category) {
      throw new SonoError('SONO_ERR_INVALID_LABELS', {
        path: csvPath,
        detail: `line ${i + 2}: empty path or category`,
      });
    }
    const abs = isAbsolute(p) ? p : resolve(base, p);
    return { path: abs, category, source: (si >= 0 ? cells[si] : undefined) || abs };
  });
}
