/**
 * The instrument-family model artifact (`models/instrumentation.json`, schema
 * docs/schema/instrumentation-model.schema.json): feature standardisation plus a small multi-layer
 * perceptron with one sigmoid output per family (multi-label: several families may sound at once).
 * Trained by scripts/instruments/train.ts; only the forward pass lives here.
 *
 * Hand-written because a 57→16→7 network needs ~40 lines of arithmetic, while an ONNX export
 * would need a Python training stack the recipe does not otherwise use.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SonoError } from '../../errors.js';

export const INSTRUMENT_FAMILIES = [
  'voice',
  'strings',
  'brass',
  'woodwind',
  'keyboard',
  'plucked',
  'percussion',
] as const;
export type InstrumentFamily = (typeof INSTRUMENT_FAMILIES)[number];

export const INSTRUMENTATION_MODEL_FORMAT = 'sonoteca-instrumentation-model';

export interface DenseLayer {
  /** Row-major weights, outputs × inputs. */
  readonly weights: number[];
  readonly bias: number[];
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: 'relu' | 'sigmoid' | 'linear';
}

export interface InstrumentationModel {
  readonly format: typeof INSTRUMENTATION_MODEL_FORMAT;
  /** Artifact format version (this layout). */
  readonly format_version: 1;
  /** Version of the trained model (date + recipe revision). */
  readonly model_version: string;
  readonly families: readonly string[];
  readonly feature_names: readonly string[];
  readonly window_sec: number;
  readonly feature_mean: number[];
  readonly feature_std: number[];
  readonly layers: readonly DenseLayer[];
  /** Per-family decision thresholds chosen on the training data (score ≥ threshold → present). */
  readonly thresholds: number[];
  /** What the recipe measured: data, held-out metrics. Free-form but documented in docs/MUSIC.md. */
  readonly training_report: Record<string, unknown>;
}

/**
 * The family's precision held out by source, as the recipe measured it
 * (`training_report.held_out.per_family[family].precision`); undefined when the artifact does not
 * record one. It is what a stated tag is worth on sources the model was not trained on, so the
 * catalogue statements (src/metadata/evidence.ts) read it.
 */
export function heldOutPrecision(model: InstrumentationModel, family: string): number | undefined {
  const heldOut = model.training_report['held_out'] as
    { per_family?: Record<string, { precision?: unknown }> } | undefined;
  const p = heldOut?.per_family?.[family]?.precision;
  return typeof p === 'number' && p >= 0 && p <= 1 ? p : undefined;
}

/** Default artifact location (repository / package root `models/`). */
export function defaultInstrumentationModelPath(): string {
  return fileURLToPath(new URL('../../../models/instrumentation.json', import.meta.url));
}

const loaded = new Map<string, InstrumentationModel>();

/** Loads and validates a model artifact (memoised by path). */
export function loadInstrumentationModel(
  path = defaultInstrumentationModelPath(),
): InstrumentationModel {
  const hit = loaded.get(path);
  if (hit) return hit;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SonoError(
      'SONO_ERR_MODEL_LOAD',
      { model: path, detail: (e as Error).message },
      { cause: e },
    );
  }
  const m = raw as InstrumentationModel;
  const bad = (detail: string): never => {
    throw new SonoError('SONO_ERR_INVALID_MODEL', { path, detail });
  };
  if (m?.format !== INSTRUMENTATION_MODEL_FORMAT)
    bad(`format is not ${INSTRUMENTATION_MODEL_FORMAT}`);
  if (m.format_version !== 1) bad(`unsupported format_version ${String(m.format_version)}`);
  const nIn = m.feature_names?.length ?? 0;
  if (m.feature_mean?.length !== nIn || m.feature_std?.length !== nIn)
    bad('feature statistics do not match feature_names');
  if (!Array.isArray(m.layers) || m.layers.length === 0) bad('no layers');
  let width = nIn;
  for (const [i, l] of m.layers.entries()) {
    if (l.inputs !== width)
      bad(`layer ${i} expects ${l.inputs} inputs, previous width is ${width}`);
    if (l.weights?.length !== l.inputs * l.outputs || l.bias?.length !== l.outputs)
      bad(`layer ${i} has wrong sizes`);
    width = l.outputs;
  }
  if (width !== m.families?.length || m.thresholds?.length !== width)
    bad('output width does not match families/thresholds');
  loaded.set(path, m);
  return m;
}

/** Family scores (sigmoid outputs, 0..1) of one window feature vector. */
export function predictFamilies(
  model: InstrumentationModel,
  features: ArrayLike<number>,
): Float64Array {
  let x = new Float64Array(features.length);
  for (let i = 0; i < x.length; i++)
    x[i] = (features[i]! - model.feature_mean[i]!) / model.feature_std[i]!;
  for (const l of model.layers) {
    const y = new Float64Array(l.outputs);
    for (let o = 0; o < l.outputs; o++) {
      let s = l.bias[o]!;
      const row = o * l.inputs;
      for (let i = 0; i < l.inputs; i++) s += l.weights[row + i]! * x[i]!;
      y[o] =
        l.activation === 'relu'
          ? Math.max(0, s)
          : l.activation === 'sigmoid'
            ? 1 / (1 + Math.exp(-s))
            : s;
    }
    x = y;
  }
  return x;
}
