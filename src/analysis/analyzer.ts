/**
 * The contract between the pipeline and every analyzer.
 *
 * An analyzer never decodes or does I/O on the audio file: the pipeline decodes once and pushes
 * (a) mono analysis-rate sample blocks, (b) shared frames of the framer configs it asks for, and
 * (c) native-rate interleaved samples for QC. At the end `finish()` returns its report section.
 * Analyzers run in the order of the stage registry, so `finish()` may read the sections of
 * analyzers that finished before it (e.g. music descriptors read the segmentation).
 */
import type { AudioInfo } from '../audio/types.js';
import type { Frame, FramerConfig } from './frames.js';

/** Status every report section carries. `not_run` sections hold no values, never made-up ones. */
export type SectionStatus = 'ok' | 'not_run' | 'failed';

export interface SectionBase {
  readonly status: SectionStatus;
  /** Name and version of what produced the section (absent when not_run). */
  readonly analyzer?: { readonly name: string; readonly version: string };
  /** Why the section is not_run or failed. */
  readonly reason?: string;
  /** For failed sections: the coded error. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** Options every analyzer may read; each analyzer documents which ones it uses. */
export interface AnalyzeOptions {
  /** QC profile name. @defaultValue 'preservation-master' */
  readonly profile?: string;
  readonly minSpeakers?: number;
  readonly maxSpeakers?: number;
  /** Path of a trained heritage model (`sonoteca train`); default model when absent. */
  readonly modelPath?: string;
  /** Extra analyzer-specific options, keyed by analyzer id. */
  readonly analyzerOptions?: Readonly<Record<string, unknown>>;
}

export interface AnalyzerContext {
  readonly audioInfo: AudioInfo;
  /** Analysis stream sample rate (Hz). */
  readonly analysisRateHz: number;
  readonly options: AnalyzeOptions;
}

export interface FinishContext extends AnalyzerContext {
  /** Exact decoded duration in seconds. */
  readonly durationSec: number;
  /** Sections already finished, keyed by section name (e.g. `segmentation`). */
  readonly sections: Readonly<Record<string, unknown>>;
}

export interface Analyzer<R extends SectionBase = SectionBase> {
  /** Report section this analyzer fills, e.g. `quality_control`, `segmentation`. */
  readonly section: string;
  readonly name: string;
  readonly version: string;
  /** Framer configs whose frames `onFrame` should receive. */
  readonly frameConfigs?: readonly FramerConfig[];
  /** Called once before any data, may load models. */
  start?(ctx: AnalyzerContext): void | Promise<void>;
  /** Mono float32 blocks at the analysis rate, in order. May return a promise (backpressure). */
  onSamples?(block: Float32Array, startSample: number): void | Promise<void>;
  /** Shared frames (valid only during the call). */
  onFrame?(frame: Frame): void;
  /** Native-rate interleaved float32 (valid only during the call). */
  onNative?(interleaved: Float32Array, channels: number): void;
  finish(ctx: FinishContext): R | Promise<R>;
}

/** Creates the analyzers of one stage for one file (fresh state per file). */
export type AnalyzerFactory = (ctx: AnalyzerContext) => Analyzer[];

/** A section placeholder for analyzers that did not run. */
export function notRun(reason: string): SectionBase {
  return { status: 'not_run', reason };
}
