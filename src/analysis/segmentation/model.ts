/**
 * The segmentation model: a one-hidden-layer perceptron (tanh) over standardised window
 * features, softmax over the classes. Written by hand (forward pass and, in `train.ts`, Adam)
 * because it is ~2,000 weights: an ML runtime would cost more to load than the model costs to run,
 * and the JSON artefact stays readable and retrainable by an archive.
 *
 * The artefact (`models/segmenter.json`, schema `docs/schema/segmenter-model.schema.json`) is
 * versioned by `format` + `format_version`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SonoError } from '../../errors.js';
import { FEATURE_NAMES, N_FEATURES } from './features.js';

export const SEGMENT_LABELS = [
  'speech',
  'music',
  'speech_over_music',
  'noise',
  'silence',
  'singing',
] as const;
export type SegmentLabel = (typeof SEGMENT_LABELS)[number];

export const SEGMENTER_FORMAT = 'sonoteca-segmenter';
export const SEGMENTER_FORMAT_VERSION = 1;

export interface SegmenterModel {
  readonly format: typeof SEGMENTER_FORMAT;
  readonly format_version: number;
  /** Model version (changes when retrained). */
  readonly version: string;
  readonly classes: readonly SegmentLabel[];
  readonly features: readonly string[];
  /** Standardisation: (x − mean) / std per feature. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** [hidden][feature] */
  readonly hidden_weights: readonly (readonly number[])[];
  readonly hidden_bias: readonly number[];
  /** [class][hidden] */
  readonly output_weights: readonly (readonly number[])[];
  readonly output_bias: readonly number[];
  /** Smoothing used by the analyzer (see docs/SEGMENTATION.md). */
  readonly smoothing: {
    /** Log-probability cost of switching label between consecutive 0.1 s blocks. */
    readonly switch_penalty: number;
    /** Segments shorter than this are merged into a neighbour, seconds. */
    readonly min_segment_sec: number;
  };
  /** Provenance: how and on what it was trained (free-form). */
  readonly training?: Readonly<Record<string, unknown>>;
}

/** Where the shipped model lives (resolved relative to this file: works from src/ and dist/). */
export function defaultSegmenterModelPath(): string {
  return fileURLToPath(new URL('../../../models/segmenter.json', import.meta.url));
}

function fail(path: string, detail: string): never {
  throw new SonoError('SONO_ERR_INVALID_MODEL', { path, detail });
}

const isNumArray = (a: unknown, n: number): a is number[] =>
  Array.isArray(a) && a.length === n && a.every((v) => typeof v === 'number' && Number.isFinite(v));

/** Checks a parsed artefact's structure and shapes; throws SONO_ERR_INVALID_MODEL. */
export function validateSegmenterModel(m: unknown, path = '<memory>'): SegmenterModel {
  if (typeof m !== 'object' || m === null) fail(path, 'not a JSON object');
  const o = m as Record<string, unknown>;
  if (o['format'] !== SEGMENTER_FORMAT) fail(path, `format is not "${SEGMENTER_FORMAT}"`);
  if (o['format_version'] !== SEGMENTER_FORMAT_VERSION) {
    fail(path, `format_version ${String(o['format_version'])} (this build reads 1)`);
  }
  const classes = o['classes'];
  if (
    !Array.isArray(classes) ||
    classes.length < 2 ||
    !classes.every((c) => (SEGMENT_LABELS as readonly string[]).includes(c as string))
  ) {
    fail(path, `classes must be a subset of ${SEGMENT_LABELS.join(', ')}`);
  }
  const feats = o['features'];
  if (!Array.isArray(feats) || feats.join(',') !== FEATURE_NAMES.join(',')) {
    fail(path, `features differ from this build's (${FEATURE_NAMES.join(', ')})`);
  }
  if (!isNumArray(o['mean'], N_FEATURES) || !isNumArray(o['std'], N_FEATURES)) {
    fail(path, `mean/std must be ${N_FEATURES} finite numbers`);
  }
  const hw = o['hidden_weights'];
  if (!Array.isArray(hw) || hw.length < 1 || !hw.every((r) => isNumArray(r, N_FEATURES))) {
    fail(path, `hidden_weights must be [hidden][${N_FEATURES}]`);
  }
  const h = hw.length;
  if (!isNumArray(o['hidden_bias'], h)) fail(path, `hidden_bias must have ${h} numbers`);
  const ow = o['output_weights'];
  if (!Array.isArray(ow) || ow.length !== classes.length || !ow.every((r) => isNumArray(r, h))) {
    fail(path, `output_weights must be [${classes.length}][${h}]`);
  }
  if (!isNumArray(o['output_bias'], classes.length)) fail(path, 'output_bias size');
  const sm = o['smoothing'] as Record<string, unknown> | undefined;
  if (
    !sm ||
    typeof sm['switch_penalty'] !== 'number' ||
    typeof sm['min_segment_sec'] !== 'number'
  ) {
    fail(path, 'smoothing.switch_penalty and smoothing.min_segment_sec are required');
  }
  return m as SegmenterModel;
}

const cache = new Map<string, SegmenterModel>();

/** Loads (once per path) and validates a segmenter artefact. */
export function loadSegmenterModel(path = defaultSegmenterModelPath()): SegmenterModel {
  const hit = cache.get(path);
  if (hit) return hit;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SonoError(
      'SONO_ERR_MODEL_LOAD',
      { model: path, detail: e instanceof Error ? e.message : String(e) },
      { cause: e },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(path, `not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const model = validateSegmenterModel(json, path);
  cache.set(path, model);
  return model;
}

/** A model compiled to flat Float32 arrays for the forward pass. */
export class CompiledSegmenter {
  readonly nClasses: number;
  readonly nHidden: number;
  private readonly mean: Float32Array;
  private readonly invStd: Float32Array;
  private readonly w1: Float32Array;
  private readonly b1: Float32Array;
  private readonly w2: Float32Array;
  private readonly b2: Float32Array;
  private readonly x = new Float32Array(N_FEATURES);
  private readonly h: Float32Array;

  constructor(readonly model: SegmenterModel) {
    this.nClasses = model.classes.length;
    this.nHidden = model.hidden_weights.length;
    this.mean = Float32Array.from(model.mean);
    this.invStd = Float32Array.from(model.std, (s) => (s > 1e-9 ? 1 / s : 0));
    this.w1 = Float32Array.from(model.hidden_weights.flat());
    this.b1 = Float32Array.from(model.hidden_bias);
    this.w2 = Float32Array.from(model.output_weights.flat());
    this.b2 = Float32Array.from(model.output_bias);
    this.h = new Float32Array(this.nHidden);
  }

  /**
   * Class posteriors of every row.
   * @param features - row-major [n × N_FEATURES]
   * @returns row-major [n × nClasses], rows summing to 1
   */
  predict(features: Float32Array, n: number): Float32Array {
    const F = N_FEATURES;
    const H = this.nHidden;
    const C = this.nClasses;
    const out = new Float32Array(n * C);
    for (let r = 0; r < n; r++) {
      for (let f = 0; f < F; f++)
        this.x[f] = (features[r * F + f]! - this.mean[f]!) * this.invStd[f]!;
      for (let j = 0; j < H; j++) {
        let s = this.b1[j]!;
        for (let f = 0; f < F; f++) s += this.w1[j * F + f]! * this.x[f]!;
        this.h[j] = Math.tanh(s);
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = this.b2[c]!;
        for (let j = 0; j < H; j++) s += this.w2[c * H + j]! * this.h[j]!;
        out[r * C + c] = s;
        if (s > max) max = s;
      }
      let z = 0;
      for (let c = 0; c < C; c++) {
        const e = Math.exp(out[r * C + c]! - max);
        out[r * C + c] = e;
        z += e;
      }
      for (let c = 0; c < C; c++) out[r * C + c]! /= z;
    }
    return out;
  }
}
