/**
 * Heritage classification analyzer (section `heritage_classification`). Runs last: it reads the
 * sections finished before it (segmentation, speakers, music, instrumentation) plus its own
 * acoustic evidence, and scores every category of the model's taxonomy.
 */
import { statSync } from 'node:fs';
import type { Analyzer, AnalyzerContext, FinishContext, SectionBase } from '../analyzer.js';
import { DEFAULT_FRAMER, type Frame } from '../frames.js';
import { AcousticEvidenceCollector, type AcousticEvidence } from './acoustic-evidence.js';
import { createDefaultModel } from './default-model.js';
import { buildDescriptors, type Descriptor, type DescriptorName } from './descriptors.js';
import { contributions, loadModel, predictProbabilities, type HeritageModel } from './model.js';
import { outOfTaxonomyReasons, UNCLASSIFIED } from './out-of-taxonomy.js';
import { CREPE_TINY_MODEL_ID, OnnxCrepePitchEngine } from '../pitch/onnx-crepe-pitch-engine.js';
import { PitchEvidenceCollector, type PitchEvidence } from './pitch-evidence.js';
import { hasModel } from '../../models/registry.js';

export const HERITAGE_ANALYZER_NAME = 'heritage-classifier';
export const HERITAGE_ANALYZER_VERSION = '1.3.0';

export interface HeritageEvidence {
  readonly descriptor: string;
  readonly value: number;
  readonly raw: number | null;
  readonly unit: string;
  readonly source: string;
  /** Contribution to the predicted category's logit (weight × value, before temperature). */
  readonly contribution: number;
}

export interface HeritageSection extends SectionBase {
  readonly model: {
    readonly name: string;
    readonly trained: boolean;
    readonly temperature: number;
    readonly path: string | null;
    /** True when the model's own cross-validation says it is weak (see `warnings`). */
    readonly weak: boolean;
    /** The model's weakness warnings, copied from its training report. */
    readonly warnings: readonly string[];
  };
  readonly taxonomy: readonly string[];
  /** Calibrated probability of every category of the taxonomy. */
  readonly scores: Readonly<Record<string, number>>;
  /** A taxonomy category, or `unclassified` for audio outside the taxonomy. */
  readonly predicted_category: string;
  readonly confidence: number;
  /** Why the audio was ruled outside the taxonomy before the model ran (empty: it was not). */
  readonly unclassified_reasons: readonly string[];
  readonly uncertain: boolean;
  readonly uncertain_reasons: readonly string[];
  /** The descriptors that drove the decision, strongest first. */
  readonly evidence: readonly HeritageEvidence[];
  /** Every descriptor value (0..1 scaled), the input of the model and of `sonoteca train`. */
  readonly descriptors: Readonly<Record<string, number>>;
  readonly acoustic: AcousticEvidence;
  /** Pitch-contour evidence of the learned pitch tracker (CREPE tiny). */
  readonly pitch: PitchEvidence;
}

const modelCache = new Map<string, HeritageModel>();

/**
 * The model for a path (memoised per process by path, size and modification time, so a model
 * retrained in place is reloaded by a long-running worker), or the default model.
 */
export function resolveHeritageModel(path: string | undefined): HeritageModel {
  if (!path) return createDefaultModel();
  let key = path;
  try {
    const st = statSync(path);
    key = `${path}:${st.size}:${st.mtimeMs}`;
  } catch {
    // loadModel below reports the missing file with its code
  }
  let m = modelCache.get(key);
  if (!m) {
    m = loadModel(path);
    modelCache.set(key, m);
  }
  return m;
}

/** Maps a descriptor set onto a model's feature order (unknown features are 0). */
function featureVector(model: HeritageModel, descriptors: readonly Descriptor[]): Float64Array {
  const byName = new Map(descriptors.map((d) => [d.name as string, d.value]));
  return Float64Array.from(model.features, (f) => byName.get(f) ?? 0);
}

/** Pitch evidence when no pitch tracker ran (its descriptors are neutral, `pitch` is missing). */
export const NO_PITCH: PitchEvidence = Object.freeze({
  engine: null,
  model: null,
  bursts: 0,
  frames: 0,
  voiced_ratio: null,
  voiced_run_sec: null,
  steady_ratio: null,
  vibrato_ratio: null,
  median_f0_hz: null,
  f0_range_semitones: null,
  median_periodicity: null,
});

/** Classifies from finished sections and acoustic evidence (pure; used by the analyzer and eval). */
export function classifyHeritage(
  model: HeritageModel,
  sections: Readonly<Record<string, unknown>>,
  acoustic: AcousticEvidence,
  modelPath: string | null = null,
  pitch: PitchEvidence = NO_PITCH,
): HeritageSection {
  const set = buildDescriptors(sections, acoustic, pitch);
  const x = featureVector(model, set.descriptors);
  const probs = predictProbabilities(model, x);
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
  const sorted = [...probs].sort((a, b) => b - a);
  const outside = outOfTaxonomyReasons(set.descriptors, acoustic);
  // ruled outside: the rules' own smoothed precision on the model's training files (models
  // without that record: what the model leaves to "none of the categories")
  const unclassifiedIndex = model.taxonomy.indexOf(UNCLASSIFIED);
  const inTaxonomyTop = Math.max(...probs.filter((_, i) => i !== unclassifiedIndex));
  const confidence =
    outside.length > 0
      ? (model.out_of_taxonomy?.confidence ??
        Math.max(probs[unclassifiedIndex] ?? 0, 1 - inTaxonomyTop))
      : probs[best]!;
  const reasons: string[] = [];
  if (outside.length === 0) {
    if (confidence < model.uncertain_below)
      reasons.push(`confidence ${confidence.toFixed(2)} below ${model.uncertain_below}`);
    if (sorted.length > 1 && sorted[0]! - sorted[1]! < 0.1)
      reasons.push('top two categories within 0.1');
  }
  if (set.missing.length > 0) reasons.push(`sections not available: ${set.missing.join(', ')}`);
  if (acoustic.frames < 300) reasons.push('less than 3 s of audio');
  const warnings = model.training?.warnings ?? [];
  const predicted = outside.length > 0 ? UNCLASSIFIED : model.taxonomy[best]!;
  const relevant = warningsFor(model, predicted);
  if (relevant.length > 0) reasons.push(`the model's own cross-validation: ${relevant.join('; ')}`);
  const contrib = contributions(model, x, best);
  const byName = new Map(set.descriptors.map((d) => [d.name as string, d]));
  const evidence: HeritageEvidence[] = model.features
    .map((f, i) => {
      const d = byName.get(f);
      return {
        descriptor: f,
        value: round(x[i]!),
        raw: d?.raw === null || d?.raw === undefined ? null : round(d.raw),
        unit: d?.unit ?? '',
        source: d?.source ?? 'none',
        contribution: round(contrib[i]!),
      };
    })
    .filter((e) => Math.abs(e.contribution) > 1e-3)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const scores: Record<string, number> = {};
  model.taxonomy.forEach((c, i) => (scores[c] = round(probs[i]!)));
  const descriptors: Record<string, number> = {};
  for (const d of set.descriptors) descriptors[d.name as DescriptorName] = round(d.value);
  return {
    status: 'ok',
    analyzer: { name: HERITAGE_ANALYZER_NAME, version: HERITAGE_ANALYZER_VERSION },
    model: {
      name: model.name,
      trained: model.training !== null,
      temperature: round(model.temperature),
      path: modelPath,
      weak: model.training?.weak ?? warnings.length > 0,
      warnings,
    },
    taxonomy: model.taxonomy,
    scores,
    predicted_category: predicted,
    confidence: round(confidence),
    unclassified_reasons: outside,
    uncertain: reasons.length > 0,
    uncertain_reasons: reasons,
    evidence,
    descriptors,
    acoustic: {
      ...acoustic,
      snr_db: round(acoustic.snr_db),
      noise_flatness: round(acoustic.noise_flatness),
      clicks_per_min: round(acoustic.clicks_per_min),
      decay_db_per_sec:
        acoustic.decay_db_per_sec === null ? null : round(acoustic.decay_db_per_sec),
      quiet_ratio: round(acoustic.quiet_ratio),
      spectral_change: acoustic.spectral_change === null ? null : round(acoustic.spectral_change),
      syllabic_modulation:
        acoustic.syllabic_modulation === null ? null : round(acoustic.syllabic_modulation),
      centroid_hz: acoustic.centroid_hz === null ? null : Math.round(acoustic.centroid_hz),
      pure_tone_ratio: round(acoustic.pure_tone_ratio),
      active_ratio: round(acoustic.active_ratio),
    },
    pitch: roundPitch(pitch),
  };
}

/**
 * The model's weakness warnings that bear on this prediction: the global ones (accuracy, F1,
 * calibration, not validated) and those naming the predicted category. A warning about another
 * category stays in `model.warnings` without making every result uncertain.
 */
function warningsFor(model: HeritageModel, predicted: string): string[] {
  const perCategory = /^category ([^\s:]+)/;
  return (model.training?.warnings ?? []).filter((w) => {
    const m = perCategory.exec(w);
    return m === null || m[1] === predicted;
  });
}

function roundPitch(p: PitchEvidence): PitchEvidence {
  const r = (v: number | null): number | null => (v === null ? null : round(v));
  return {
    ...p,
    voiced_ratio: r(p.voiced_ratio),
    voiced_run_sec: r(p.voiced_run_sec),
    steady_ratio: r(p.steady_ratio),
    vibrato_ratio: r(p.vibrato_ratio),
    median_f0_hz: p.median_f0_hz === null ? null : Math.round(p.median_f0_hz * 10) / 10,
    f0_range_semitones: r(p.f0_range_semitones),
    median_periodicity: r(p.median_periodicity),
  };
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}

export class HeritageAnalyzer implements Analyzer<HeritageSection> {
  readonly section = 'heritage_classification';
  readonly name = HERITAGE_ANALYZER_NAME;
  readonly version = HERITAGE_ANALYZER_VERSION;
  readonly frameConfigs = [DEFAULT_FRAMER];
  private readonly collector = new AcousticEvidenceCollector();
  private readonly pitch: PitchEvidenceCollector;
  private readonly model: HeritageModel;
  private readonly modelPath: string | null;

  constructor(ctx: AnalyzerContext) {
    this.modelPath = ctx.options.modelPath ?? null;
    // loaded here so a bad --model fails the file before decoding starts
    this.model = resolveHeritageModel(ctx.options.modelPath);
    this.pitch = new PitchEvidenceCollector(
      hasModel(CREPE_TINY_MODEL_ID) ? new OnnxCrepePitchEngine() : null,
      ctx.analysisRateHz,
    );
  }

  async start(): Promise<void> {
    await this.pitch.start();
  }

  onSamples(block: Float32Array, startSample: number): Promise<void> {
    return this.pitch.onSamples(block, startSample);
  }

  onFrame(frame: Frame): void {
    this.collector.onFrame(frame);
  }

  finish(ctx: FinishContext): HeritageSection {
    return classifyHeritage(
      this.model,
      ctx.sections,
      this.collector.finish(),
      this.modelPath,
      this.pitch.finish(),
    );
  }
}

export function createHeritageAnalyzers(ctx: AnalyzerContext): Analyzer[] {
  return [new HeritageAnalyzer(ctx)];
}
