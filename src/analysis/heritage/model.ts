/**
 * The heritage model artifact: a linear softmax classifier over named descriptors, with a
 * temperature for calibrated probabilities. The default model (hand-set, documented weights) and
 * models trained by `sonoteca train` share this format (`docs/schema/heritage-model.schema.json`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SonoError } from '../../errors.js';

export const MODEL_FORMAT = 'sonoteca-heritage-model';
export const MODEL_FORMAT_VERSION = 1;

const trainingReportSchema = z.object({
  samples: z.number().int().nonnegative(),
  per_category: z.record(z.string(), z.number().int().nonnegative()),
  sources: z.number().int().nonnegative(),
  cross_validation: z.string(),
  accuracy: z.number().nullable(),
  macro_f1: z.number().nullable(),
  /** Of the confidences the reports state (rules + model), 10 equal-width bins. */
  expected_calibration_error: z.number().nullable(),
  /** Sample weighting of the fit (`category` or `source`; absent: `source`, older models). */
  weighting: z.string().optional(),
  /** Leave-one-source-out accuracy of the model alone, without the out-of-taxonomy rules. */
  model_alone_accuracy: z.number().nullable().optional(),
  /** Brier score of the stated confidences (mean of (confidence − correct)²). */
  brier_score: z.number().nullable().optional(),
  /** The reliability table behind the ECE (non-empty bins only). */
  reliability: z
    .array(
      z.object({
        from: z.number(),
        to: z.number(),
        samples: z.number().int().nonnegative(),
        mean_confidence: z.number(),
        accuracy: z.number(),
      }),
    )
    .optional(),
  confusion: z.array(z.array(z.number().int().nonnegative())),
  l2: z.number(),
  notes: z.array(z.string()),
  /** Distinct sources per category (a category with one source cannot be validated). */
  sources_per_category: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** Cross-validated recall per category (null: not validated). */
  per_category_recall: z.record(z.string(), z.number().nullable()).optional(),
  /** True when the cross-validation says the model is weak; `warnings` says why. */
  weak: z.boolean().optional(),
  /** Copied into every report made with the model (`heritage_classification.model.warnings`). */
  warnings: z.array(z.string()).optional(),
});

export const heritageModelSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  format_version: z.literal(MODEL_FORMAT_VERSION),
  name: z.string().min(1),
  created_at: z.string(),
  /** Categories, any taxonomy. */
  taxonomy: z.array(z.string().min(1)).min(2),
  /** Descriptor names (see descriptors.ts), the order of every weight row. */
  features: z.array(z.string().min(1)).min(1),
  /** Per-feature standardisation applied before the weights (null: use raw 0..1 values). */
  standardize: z
    .object({ mean: z.array(z.number()), std: z.array(z.number().positive()) })
    .nullable(),
  /** weights[category][feature]. */
  weights: z.array(z.array(z.number())),
  bias: z.array(z.number()),
  /** Softmax temperature fitted for calibration (probabilities = softmax(logits / T)). */
  temperature: z.number().positive(),
  /**
   * The out-of-taxonomy rules on the training files: how often they fired, how often the label was
   * `unclassified`, and the confidence a report states when they decide ((correct + 1) /
   * (fired + 2)). Absent (older models): the report states what the model leaves outside the
   * taxonomy.
   */
  out_of_taxonomy: z
    .object({
      fired: z.number().int().nonnegative(),
      correct: z.number().int().nonnegative(),
      confidence: z.number().min(0).max(1),
    })
    .optional(),
  /** Below this confidence the result is flagged `uncertain`. */
  uncertain_below: z.number().min(0).max(1),
  training: trainingReportSchema.nullable(),
});

export type HeritageModel = z.infer<typeof heritageModelSchema>;
export type TrainingReport = z.infer<typeof trainingReportSchema>;

/** Checks shapes beyond what the schema can say (row lengths). Throws SONO_ERR_INVALID_MODEL. */
export function validateModel(raw: unknown, path = '<memory>'): HeritageModel {
  const parsed = heritageModelSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new SonoError('SONO_ERR_INVALID_MODEL', {
      path,
      detail: first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'schema mismatch',
    });
  }
  const m = parsed.data;
  const nF = m.features.length;
  const bad =
    m.weights.length !== m.taxonomy.length
      ? `weights has ${m.weights.length} rows for ${m.taxonomy.length} categories`
      : m.bias.length !== m.taxonomy.length
        ? `bias has ${m.bias.length} values for ${m.taxonomy.length} categories`
        : m.weights.some((r) => r.length !== nF)
          ? `every weight row needs ${nF} values`
          : m.standardize && (m.standardize.mean.length !== nF || m.standardize.std.length !== nF)
            ? `standardize needs ${nF} means and stds`
            : undefined;
  if (bad) throw new SonoError('SONO_ERR_INVALID_MODEL', { path, detail: bad });
  return m;
}

/** Loads and validates a model file. */
export function loadModel(path: string): HeritageModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SonoError(
      'SONO_ERR_MODEL_LOAD',
      { model: path, detail: (e as Error).message },
      { cause: e },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SonoError('SONO_ERR_INVALID_MODEL', {
      path,
      detail: `not JSON: ${(e as Error).message}`,
    });
  }
  return validateModel(raw, path);
}

/** Raw logits of a feature vector (in `model.features` order). */
export function modelLogits(model: HeritageModel, x: ArrayLike<number>): number[] {
  const nF = model.features.length;
  return model.weights.map((row, c) => {
    let s = model.bias[c]!;
    for (let f = 0; f < nF; f++) {
      const v = model.standardize
        ? (x[f]! - model.standardize.mean[f]!) / model.standardize.std[f]!
        : x[f]!;
      s += row[f]! * v;
    }
    return s;
  });
}

/** Numerically stable softmax of logits / temperature. */
export function softmax(logits: readonly number[], temperature = 1): number[] {
  const scaled = logits.map((l) => l / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Calibrated probabilities of a feature vector, in `model.taxonomy` order. */
export function predictProbabilities(model: HeritageModel, x: ArrayLike<number>): number[] {
  return softmax(modelLogits(model, x), model.temperature);
}

/** Per-feature contribution (weight × value) to each category's logit, for the evidence list. */
export function contributions(
  model: HeritageModel,
  x: ArrayLike<number>,
  category: number,
): number[] {
  const row = model.weights[category]!;
  return model.features.map((_, f) => {
    const v = model.standardize
      ? (x[f]! - model.standardize.mean[f]!) / model.standardize.std[f]!
      : x[f]!;
    return row[f]! * v;
  });
}
