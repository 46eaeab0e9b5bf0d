/**
 * The `segmentation` analyzer: labels the whole recording as speech, music, speech over music,
 * noise, silence or singing (method: docs/SEGMENTATION.md).
 *
 * Streaming part (onFrame): per-frame descriptors folded into 0.1 s blocks (13 floats each).
 * Finish: window features (with the VAD probability track of `voice_activity`, when it ran) →
 * perceptron posteriors → Viterbi smoothing → minimum durations → segments covering 0..duration.
 */
import type { Analyzer, AnalyzerContext, FinishContext, SectionBase } from '../analyzer.js';
import { DEFAULT_FRAMER, type Frame } from '../frames.js';
import { SonoError } from '../../errors.js';
import { getVadTrack } from '../voice-activity/voice-activity-analyzer.js';
import { BLOCK_SEC, SegmentationDescriptors } from './descriptors.js';
import { computeWindowFeatures } from './features.js';
import {
  CompiledSegmenter,
  defaultSegmenterModelPath,
  loadSegmenterModel,
  SEGMENT_LABELS,
  type SegmentLabel,
} from './model.js';
import { mergeShortRuns, pathToRuns, viterbiPath } from './smoothing.js';

export const SEGMENTATION_ANALYZER_VERSION = '1.0.0';

/** Symbol key of the window features on a feature-collector section (training). */
export const SEGMENTATION_FEATURES: unique symbol = Symbol.for('sonoteca.segmentation.features');

export interface LabelledSegment {
  readonly label: SegmentLabel;
  /** Seconds. */
  readonly start: number;
  readonly end: number;
  /** Mean posterior of the label over the segment, 0–1. */
  readonly confidence: number;
}

export interface SegmentationSection extends SectionBase {
  readonly status: 'ok';
  readonly analyzer: { readonly name: string; readonly version: string };
  readonly model: { readonly version: string };
  /** Time resolution of the decisions, seconds. */
  readonly resolution_sec: number;
  /** Whether the voice_activity probabilities were available as a feature. */
  readonly vad_used: boolean;
  /** Gap-free, in time order, from 0 to the recording's duration. */
  readonly segments: readonly LabelledSegment[];
  /** Per label: total seconds and share of the duration (every label present, 0 when absent). */
  readonly summary: Readonly<
    Record<SegmentLabel, { readonly total_sec: number; readonly ratio: number }>
  >;
}

export interface SegmentationOptions {
  /** Model artefact path. @defaultValue `$SONOTECA_SEGMENTER_MODEL`, else models/segmenter.json */
  readonly modelPath?: string;
  /** Overrides the model's smoothing.switch_penalty. */
  readonly switchPenalty?: number;
  /** Overrides the model's smoothing.min_segment_sec. */
  readonly minSegmentSec?: number;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Smoothed segments from block posteriors (row-major [nBlocks × classes.length]): Viterbi with
 * the switch penalty, runs shorter than minSegmentSec merged, times in seconds covering
 * 0..durationSec (the last segment ends at durationSec).
 */
export function posteriorsToSegments(
  post: Float32Array,
  nBlocks: number,
  classes: readonly SegmentLabel[],
  opts: {
    readonly switchPenalty: number;
    readonly minSegmentSec: number;
    readonly durationSec: number;
  },
): LabelledSegment[] {
  const C = classes.length;
  const path = viterbiPath(post, nBlocks, C, opts.switchPenalty);
  const runs = mergeShortRuns(
    pathToRuns(path),
    post,
    C,
    Math.round(opts.minSegmentSec / BLOCK_SEC),
  );
  const segments: LabelledSegment[] = [];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    let s = 0;
    for (let t = run.startBlock; t < run.endBlock; t++) s += post[t * C + run.label]!;
    const start = r3(run.startBlock * BLOCK_SEC);
    const end = i === runs.length - 1 ? r3(opts.durationSec) : r3(run.endBlock * BLOCK_SEC);
    if (end <= start) continue;
    segments.push({
      label: classes[run.label]!,
      start,
      end,
      confidence: r3(s / (run.endBlock - run.startBlock)),
    });
  }
  return segments;
}

class SegmentationAnalyzer implements Analyzer<SegmentationSection> {
  readonly section = 'segmentation';
  readonly name = 'segmentation';
  readonly version = SEGMENTATION_ANALYZER_VERSION;
  readonly frameConfigs = [DEFAULT_FRAMER];
  private readonly descriptors = new SegmentationDescriptors(DEFAULT_FRAMER.sampleRateHz);

  constructor(private readonly opts: SegmentationOptions) {
    for (const [name, v, hi] of [
      ['switchPenalty', opts.switchPenalty, 1000],
      ['minSegmentSec', opts.minSegmentSec, 3600],
    ] as const) {
      if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= hi)) {
        throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
          name: `segmentation.${name}`,
          detail: `${String(v)} is not in [0, ${hi}]`,
        });
      }
    }
  }

  start(ctx: AnalyzerContext): void {
    if (ctx.analysisRateHz !== DEFAULT_FRAMER.sampleRateHz) {
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: 'analysisRateHz',
        detail: `${ctx.analysisRateHz} Hz; segmentation needs ${DEFAULT_FRAMER.sampleRateHz} Hz`,
      });
    }
    // Load (and validate) the model before decoding starts, so a bad model fails early.
    this.loadModel();
  }

  private loadModel(): CompiledSegmenter {
    const path =
      this.opts.modelPath ?? process.env['SONOTECA_SEGMENTER_MODEL'] ?? defaultSegmenterModelPath();
    return new CompiledSegmenter(loadSegmenterModel(path));
  }

  onFrame(frame: Frame): void {
    this.descriptors.onFrame(frame);
  }

  finish(ctx: FinishContext): SegmentationSection {
    const seg = this.loadModel();
    const model = seg.model;
    const blocks = this.descriptors.finish();
    const track = getVadTrack(ctx.sections);
    const { features, nBlocks } = computeWindowFeatures(blocks, track);
    const post = seg.predict(features, nBlocks);
    const segments = posteriorsToSegments(post, nBlocks, model.classes, {
      switchPenalty: this.opts.switchPenalty ?? model.smoothing.switch_penalty,
      minSegmentSec: this.opts.minSegmentSec ?? model.smoothing.min_segment_sec,
      durationSec: ctx.durationSec,
    });
    const duration = ctx.durationSec;
    const summary = {} as Record<SegmentLabel, { total_sec: number; ratio: number }>;
    for (const l of SEGMENT_LABELS) summary[l] = { total_sec: 0, ratio: 0 };
    for (const sgm of segments) summary[sgm.label].total_sec += sgm.end - sgm.start;
    for (const l of SEGMENT_LABELS) {
      const t = summary[l].total_sec;
      summary[l] = {
        total_sec: r3(t),
        // segment ends are rounded to the millisecond, so the sum may pass the duration by < 1 ms
        ratio: duration > 0 ? Math.min(1, Math.round((t / duration) * 1e4) / 1e4) : 0,
      };
    }
    const section: SegmentationSection = {
      status: 'ok',
      analyzer: { name: this.name, version: this.version },
      model: { version: model.version },
      resolution_sec: BLOCK_SEC,
      vad_used: track !== undefined,
      segments,
      summary,
    };
    return section;
  }
}

/** Creates the `segmentation` analyzer of one file. */
export function createSegmentationAnalyzer(
  ctx: AnalyzerContext,
  opts?: SegmentationOptions,
): Analyzer<SegmentationSection> {
  const fromCtx = (ctx.options.analyzerOptions?.['segmentation'] ?? {}) as SegmentationOptions;
  return new SegmentationAnalyzer({ ...fromCtx, ...opts });
}

/** What the feature collector returns: the model inputs of every 0.1 s block. */
export interface SegmentationFeaturesSection extends SectionBase {
  readonly status: 'ok';
  readonly [SEGMENTATION_FEATURES]: { readonly features: Float32Array; readonly nBlocks: number };
}

/**
 * An analyzer computing only the segmentation's window features (no model), under section
 * `segmentation_features`; used by `scripts/train-segmenter.ts` and the evaluation so training
 * sees exactly the analyzer's inputs. Not registered as a pipeline stage.
 */
export function createSegmentationFeatureCollector(): Analyzer<SegmentationFeaturesSection> {
  const descriptors = new SegmentationDescriptors(DEFAULT_FRAMER.sampleRateHz);
  return {
    section: 'segmentation_features',
    name: 'segmentation-features',
    version: SEGMENTATION_ANALYZER_VERSION,
    frameConfigs: [DEFAULT_FRAMER],
    onFrame: (frame) => descriptors.onFrame(frame),
    finish: (ctx) => {
      const section = { status: 'ok' as const };
      Object.defineProperty(section, SEGMENTATION_FEATURES, {
        value: computeWindowFeatures(descriptors.finish(), getVadTrack(ctx.sections)),
        enumerable: true,
      });
      return section as SegmentationFeaturesSection;
    },
  };
}
