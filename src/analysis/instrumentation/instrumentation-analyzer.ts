/**
 * Instrument-family tags (section `instrumentation`): the window features of features.ts over the
 * music regions (whole file when no segmentation, or when it found no music — then flagged
 * `music_detected: false`), scored by the trained model of model.ts, averaged over windows.
 */
import type { Analyzer, AnalyzerContext, FinishContext, SectionBase } from '../analyzer.js';
import { DEFAULT_FRAMER, type Frame, type FramerConfig } from '../frames.js';
import { selectMusicRegions, type TimeRegion } from '../music/regions.js';
import { InstrumentFeatureAccumulator, BLOCK_SEC, WINDOW_BLOCKS } from './features.js';
import {
  heldOutPrecision,
  loadInstrumentationModel,
  predictFamilies,
  type InstrumentationModel,
} from './model.js';

export const INSTRUMENTATION_ANALYZER_NAME = 'sonoteca-instrumentation';
export const INSTRUMENTATION_ANALYZER_VERSION = '1.1.0';
/** Regions listed in `per_region` at most. */
export const MAX_LISTED_REGIONS = 100;

export interface FamilyTag {
  readonly family: string;
  /** Mean model score over the analysed windows, 0..1. */
  readonly score: number;
  /** Fraction of windows whose score reaches the family's threshold. */
  readonly coverage: number;
  /** score ≥ the family's decision threshold. */
  readonly present: boolean;
  /**
   * The model's precision for this family held out by source (its training report), null when the
   * artifact records none: how often a `present` tag was right on sources it had not seen.
   */
  readonly held_out_precision: number | null;
}

export interface InstrumentationSection extends SectionBase {
  readonly model_version?: string;
  readonly music_detected?: boolean;
  readonly windows_analysed?: number;
  readonly window_sec?: number;
  /** Every family, highest score first. */
  readonly tags?: readonly FamilyTag[];
  /** Families judged present, highest score first. */
  readonly present?: readonly string[];
  readonly per_region?: readonly {
    readonly start: number;
    readonly end: number;
    readonly tags: readonly { readonly family: string; readonly score: number }[];
  }[];
}

/** Analyzer options (`analyzerOptions.instrumentation`). */
export interface InstrumentationOptions {
  /** Path of a model artifact; the shipped `models/instrumentation.json` by default. */
  readonly modelPath?: string;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

export class InstrumentationAnalyzer implements Analyzer<InstrumentationSection> {
  readonly section = 'instrumentation';
  readonly name = INSTRUMENTATION_ANALYZER_NAME;
  readonly version = INSTRUMENTATION_ANALYZER_VERSION;
  readonly frameConfigs: readonly FramerConfig[] = [DEFAULT_FRAMER];
  private model: InstrumentationModel | undefined;
  private readonly acc = new InstrumentFeatureAccumulator();

  constructor(private readonly modelPath?: string) {}

  start(ctx: AnalyzerContext): void {
    const opts = ctx.options.analyzerOptions?.['instrumentation'] as
      InstrumentationOptions | undefined;
    this.model = loadInstrumentationModel(this.modelPath ?? opts?.modelPath);
  }

  onFrame(frame: Frame): void {
    this.acc.onFrame(frame);
  }

  finish(ctx: FinishContext): InstrumentationSection {
    const model = this.model ?? loadInstrumentationModel(this.modelPath);
    const selection = selectMusicRegions(ctx.sections['segmentation'], ctx.durationSec);
    const fam = model.families;
    const sum = new Float64Array(fam.length);
    const hits = new Float64Array(fam.length);
    let windows = 0;
    const perRegion: NonNullable<InstrumentationSection['per_region']>[number][] = [];
    for (const r of selection.regions as TimeRegion[]) {
      const rs = new Float64Array(fam.length);
      let rn = 0;
      for (const b of this.acc.windowStarts(r.start, r.end)) {
        const f = this.acc.windowFeatures(b);
        if (!f) continue;
        const p = predictFamilies(model, f);
        for (let i = 0; i < fam.length; i++) {
          sum[i]! += p[i]!;
          rs[i]! += p[i]!;
          if (p[i]! >= model.thresholds[i]!) hits[i]! += 1;
        }
        windows++;
        rn++;
      }
      if (rn > 0 && selection.source === 'segmentation' && perRegion.length < MAX_LISTED_REGIONS) {
        perRegion.push({
          start: r3(r.start),
          end: r3(r.end),
          tags: fam
            .map((family, i) => ({ family, score: r3(rs[i]! / rn) }))
            .sort((a, b) => b.score - a.score)
            .slice(0, 3),
        });
      }
    }
    if (windows === 0) {
      return {
        status: 'not_run',
        reason: `no non-silent ${WINDOW_BLOCKS * BLOCK_SEC}-s window in the analysed regions`,
      };
    }
    const tags: FamilyTag[] = fam
      .map((family, i) => ({
        family,
        score: r3(sum[i]! / windows),
        coverage: r3(hits[i]! / windows),
        present: sum[i]! / windows >= model.thresholds[i]!,
        held_out_precision: heldOutPrecision(model, family) ?? null,
      }))
      .sort((a, b) => b.score - a.score);
    return {
      status: 'ok',
      analyzer: { name: this.name, version: this.version },
      model_version: model.model_version,
      music_detected: selection.musicDetected,
      windows_analysed: windows,
      window_sec: WINDOW_BLOCKS * BLOCK_SEC,
      tags,
      present: tags.filter((t) => t.present).map((t) => t.family),
      ...(perRegion.length > 0 ? { per_region: perRegion } : {}),
    };
  }
}
