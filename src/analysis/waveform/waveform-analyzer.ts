/**
 * The `waveform` analyzer: min/max peaks at a few resolutions and a coarse mel spectrogram,
 * computed in the analysis pass and stored with the report, so a viewer draws a 3-hour recording
 * without downloading or decoding its audio. Output size is bounded (see `peaks.ts`).
 */
import type { Analyzer, AnalyzerContext, FinishContext, SectionBase } from '../analyzer.js';
import { DEFAULT_FRAMER, type Frame } from '../frames.js';
import { ColumnAccumulator, decimatePeaks, encodePeaksInt8, PeakAccumulator } from './peaks.js';

export const WAVEFORM_ANALYZER_NAME = 'waveform';
export const WAVEFORM_ANALYZER_VERSION = '1.0.0';

/** Finest level: 256 samples per bin (16 ms at 16 kHz), halved until at most this many bins. */
export const MAX_PEAK_BINS = 32768;
export const INITIAL_BIN_SAMPLES = 256;
/** Coarser levels are 4× coarser each, down to at most this many bins (the overview). */
export const OVERVIEW_MAX_BINS = 2048;
export const MAX_SPECTROGRAM_COLUMNS = 4096;
/**
 * Frames averaged into one spectrogram column at most (evenly spaced; 16 × 10 ms hops). Columns
 * are ≤ 16 frames wide on recordings up to about 11 minutes, so those use every frame; on longer
 * ones the display spectrogram no longer forces the FFT and mel of every frame (technical runs,
 * where no other analyzer reads them).
 */
export const SPECTROGRAM_FRAMES_PER_COLUMN = 16;
/** Dynamic range of the quantised spectrogram (dB below its loudest cell). */
export const SPECTROGRAM_RANGE_DB = 80;

export interface PeakLevel {
  readonly samples_per_bin: number;
  readonly seconds_per_bin: number;
  readonly bins: number;
  /** Interleaved int8 min,max per bin (value/127 = amplitude), base64. */
  readonly data: string;
}

export interface WaveformSection extends SectionBase {
  readonly sample_rate_hz?: number;
  readonly duration_sec?: number;
  /** Finest first. */
  readonly levels?: readonly PeakLevel[];
  readonly spectrogram?: {
    readonly scale: 'mel';
    readonly n_mels: number;
    readonly seconds_per_column: number;
    readonly columns: number;
    /** dB of the byte value 255; byte 0 is `db_max - range_db` or below. */
    readonly db_max: number;
    readonly range_db: number;
    /** uint8, `n_mels` bytes per column (lowest band first), columns in time order, base64. */
    readonly data: string;
  };
}

const LN_TO_DB = 10 / Math.LN10;

export class WaveformAnalyzer implements Analyzer<WaveformSection> {
  readonly section = 'waveform';
  readonly name = WAVEFORM_ANALYZER_NAME;
  readonly version = WAVEFORM_ANALYZER_VERSION;
  readonly frameConfigs = [DEFAULT_FRAMER];
  private readonly peaks = new PeakAccumulator(INITIAL_BIN_SAMPLES, MAX_PEAK_BINS);
  private readonly spec = new ColumnAccumulator(
    DEFAULT_FRAMER.nMels ?? 40,
    MAX_SPECTROGRAM_COLUMNS,
    SPECTROGRAM_FRAMES_PER_COLUMN,
  );
  private rateHz = DEFAULT_FRAMER.sampleRateHz;

  start(ctx: AnalyzerContext): void {
    this.rateHz = ctx.analysisRateHz;
  }

  onSamples(block: Float32Array): void {
    this.peaks.push(block);
  }

  onFrame(frame: Frame): void {
    this.spec.push(() => frame.melLog);
  }

  finish(ctx: FinishContext): WaveformSection {
    const fine = this.peaks.result();
    const levels: PeakLevel[] = [];
    let cur = fine;
    let spb = this.peaks.binSamples;
    for (;;) {
      levels.push({
        samples_per_bin: spb,
        seconds_per_bin: spb / this.rateHz,
        bins: cur.mins.length,
        data: encodePeaksInt8(cur.mins, cur.maxs),
      });
      if (cur.mins.length <= OVERVIEW_MAX_BINS) break;
      cur = decimatePeaks(cur.mins, cur.maxs, 4);
      spb *= 4;
    }
    const { columns, means } = this.spec.result();
    const nMels = this.spec.dims;
    let dbMax = -Infinity;
    for (const v of means) dbMax = Math.max(dbMax, v * LN_TO_DB);
    const bytes = Buffer.alloc(means.length);
    for (let i = 0; i < means.length; i++) {
      const rel = (means[i]! * LN_TO_DB - dbMax + SPECTROGRAM_RANGE_DB) / SPECTROGRAM_RANGE_DB;
      bytes[i] = Math.max(0, Math.min(255, Math.round(rel * 255)));
    }
    const hopSec = DEFAULT_FRAMER.hopSamples / DEFAULT_FRAMER.sampleRateHz;
    return {
      status: 'ok',
      analyzer: { name: this.name, version: this.version },
      sample_rate_hz: this.rateHz,
      duration_sec: ctx.durationSec,
      levels,
      spectrogram: {
        scale: 'mel',
        n_mels: nMels,
        seconds_per_column: this.spec.framesPerColumn * hopSec,
        columns,
        db_max: Number.isFinite(dbMax) ? Math.round(dbMax * 100) / 100 : 0,
        range_db: SPECTROGRAM_RANGE_DB,
        data: bytes.toString('base64'),
      },
    };
  }
}
