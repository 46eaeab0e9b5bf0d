/**
 * Training a heritage model on an archive's own labelled files: multinomial logistic regression
 * on standardised descriptors with L2 regularisation, temperature scaling for calibration, and a
 * training report from grouped cross-validation (leave-one-source-out, so recordings of the same
 * source never sit on both sides). Hand-written: a few hundred samples × 18 features need no ML
 * library, and this keeps the artifact a plain, inspectable JSON file.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { SonoError } from '../../errors.js';
import { expectedCalibrationError, fitTemperature } from './calibration.js';
import { DESCRIPTOR_NAMES } from './descriptors.js';
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
}

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
}

interface Fitted {
  readonly mean: number[];
  readonly std: number[];
  readonly weights: number[][];
  readonly bias: number[];
}

function fitLogistic(
  xs: readonly ArrayLike<number>[],
  ys: readonly number[],
  nClasses: number,
  l2: number,
  iterations: number,
): Fitted {
  const n = xs.length;
  const nF = xs[0]?.length ?? 0;
  const mean = new Array<number>(nF).fill(0);
  const std = new Array<number>(nF).fill(0);
  for (const x of xs) for (let f = 0; f < nF; f++) mean[f]! += x[f]! / n;
  for (const x of xs) for (let f = 0; f < nF; f++) std[f]! += (x[f]! - mean[f]!) ** 2 / n;
  for (let f = 0; f < nF; f++) std[f] = Math.sqrt(std[f]!) > 1e-6 ? Math.sqrt(std[f]!) : 1;
  const z = xs.map((x) => Array.from({ length: nF }, (_, f) => (x[f]! - mean[f]!) / std[f]!));
  const w = Array.from({ length: nClasses }, () => new Array<number>(nF).fill(0));
  const b = new Array<number>(nClasses).fill(0);
  const lr = 0.5;
  for (let it = 0; it < iterations; it++) {
    const gw = Array.from({ length: nClasses }, () => new Array<number>(nF).fill(0));
    const gb = new Array<number>(nClasses).fill(0);
    for (let i = 0; i < n; i++) {
      const logits = w.map((row, c) => row.reduce((s, wf, f) => s + wf * z[i]![f]!, b[c]!));
      const p = softmax(logits);
      for (let c = 0; c < nClasses; c++) {
        const d = p[c]! - (ys[i] === c ? 1 : 0);
        gb[c]! += d / n;
        for (let f = 0; f < nF; f++) gw[c]![f]! += (d * z[i]![f]!) / n;
      }
    }
    for (let c = 0; c < nClasses; c++) {
      b[c]! -= lr * gb[c]!;
      for (let f = 0; f < nF; f++) w[c]![f]! -= lr * (gw[c]![f]! + l2 * w[c]![f]!);
    }
  }
  return { mean, std, weights: w, bias: b };
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
    );
    for (const i of testIdx) logits[i] = logitsOf(m, samples[i]!.x);
  }
  return { logits, labels };
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
  const sources = new Set(samples.map((s) => s.source));
  const notes: string[] = [];
  let temperature = 1;
  let accuracy: number | null = null;
  let f1: number | null = null;
  let ece: number | null = null;
  const confusion = taxonomy.map(() => taxonomy.map(() => 0));
  if (sources.size >= 2) {
    const cv = crossValidatedLogits(samples, taxonomy, l2, iterations);
    temperature = fitTemperature(cv.logits, cv.labels);
    const probs = cv.logits.map((l) => softmax(l, temperature));
    let correct = 0;
    probs.forEach((p, i) => {
      const pred = argmax(p);
      confusion[cv.labels[i]!]![pred]! += 1;
      if (pred === cv.labels[i]) correct++;
    });
    accuracy = correct / samples.length;
    f1 = macroF1(confusion);
    ece = expectedCalibrationError(probs, cv.labels);
    notes.push(
      'temperature fitted on the pooled out-of-fold logits, so the ECE is slightly optimistic',
    );
    for (const c of taxonomy) {
      const srcs = new Set(samples.filter((s) => s.label === c).map((s) => s.source));
      if (srcs.size < 2)
        notes.push(
          `category ${c} has a single source: it is never seen in training when that source is held out`,
        );
    }
  } else {
    notes.push(
      'a single source: no cross-validation possible, no accuracy or calibration reported',
    );
  }
  const labels = samples.map((s) => taxonomy.indexOf(s.label));
  const m = fitLogistic(
    samples.map((s) => s.x),
    labels,
    taxonomy.length,
    l2,
    iterations,
  );
  const perCategory: Record<string, number> = {};
  for (const c of taxonomy) perCategory[c] = samples.filter((s) => s.label === c).length;
  const training: TrainingReport = {
    samples: samples.length,
    per_category: perCategory,
    sources: sources.size,
    cross_validation: 'leave-one-source-out',
    accuracy,
    macro_f1: f1,
    expected_calibration_error: ece,
    confusion,
    l2,
    notes,
  };
  return {
    format: MODEL_FORMAT,
    format_version: MODEL_FORMAT_VERSION,
    name: opts.name ?? 'sonoteca-trained-heritage',
    created_at: new Date().toISOString(),
    taxonomy,
    features: [...features],
    standardize: { mean: m.mean, std: m.std },
    weights: m.weights,
    bias: m.bias,
    temperature,
    uncertain_below: opts.uncertainBelow ?? 0.5,
    training,
  };
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
