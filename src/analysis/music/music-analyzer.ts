/**
 * Music descriptors (section `music_analysis`): tempo and beats, key and mode, tuning, onset rate,
 * chroma summary, spectral shape, dynamic range, dominant-voice pitch range and vibrato,
 * percussiveness and a polyphony estimate — over the music regions of the segmentation (whole
 * file when there is none). See docs/MUSIC.md for the methods and their measured accuracy.
 *
 * Streaming and bounded: per 10 ms frame it keeps the onset strength (float32) and a broadband
 * byte; per 30 ms the f0 (float32) and periodicity byte; per 100 ms the short-term power; per
 * second the spectral-shape sums and a 120-bin pitch-class + 100-bin tuning histogram. About 2 kB
 * per second of audio (≈ 7 MB per hour). The key engine (basic-pitch) keeps at most 48 excerpts of
 * 1.99 s (≤ 6 MB) whatever the length; no other samples are kept.
 *
 * Tempo, key and tuning are stated only when the segmentation found music (`music_detected`);
 * otherwise each is `{status: 'not_applicable', reason}` while the low-level descriptors (voice,
 * polyphony, percussiveness, spectral shape) are still measured for the heritage classifier.
 */
import type { Analyzer, AnalyzerContext, FinishContext, SectionBase } from '../analyzer.js';
import { SonoError } from '../../errors.js';
import { DEFAULT_FRAMER, type Frame, type FramerConfig } from '../frames.js';
import {
  PC_BINS,
  TUNING_BINS,
  accumulatePitchClassPeaks,
  countActivePitchClasses,
  estimateTuningCents,
  findSpectralPeaks,
  foldChroma,
  rankKeys,
  type SpectralPeak,
} from '../../dsp/chroma.js';
import {
  compressMelPower,
  computeSpectralFlux,
  estimateLocalPeriods,
  estimateTempo,
  meanTempoOfBeats,
  percentile,
  pickOnsets,
  trackBeats,
} from '../../dsp/onset.js';
import { YinPitchEstimator } from '../../dsp/pitch.js';
import { spectralShapeOf } from './frame-shape.js';
import { GrowableFloat32, GrowableUint8 } from './growable.js';
import { selectMusicRegions, selectPerformanceSpans, type TimeRegion } from './regions.js';
import { analyseVoice, type VoiceDescriptors } from './voice.js';
import type { PitchClassEngine } from './engines/pitch-class-engine.js';
import { OnnxBasicPitchEngine } from './engines/onnx-basic-pitch-engine.js';
import type { ModelProvenance } from '../../models/registry.js';

export const MUSIC_ANALYZER_NAME = 'sonoteca-music';
export const MUSIC_ANALYZER_VERSION = '2.1.0';

/**
 * Long frames for chroma and tuning: 256 ms Hann windows without overlap (hop = window) and no
 * zero-padding. Overlap or padding doubled the cost without changing tuning (±0.1 cent on tones)
 * or key results on the fixtures and corpus.
 */
export const CHROMA_FRAMER: FramerConfig = Object.freeze({
  sampleRateHz: 16000,
  windowSamples: 4096,
  hopSamples: 4096,
  fftSize: 4096,
  nMels: 40,
  nMfcc: 20,
});

/** Tempo, key and tuning of a file where the segmentation found no music. */
const NO_MUSIC: NotApplicable = Object.freeze({
  status: 'not_applicable',
  reason: 'the segmentation found under 2 s of music or singing: no tempo, key or tuning is stated',
});

/**
 * Least contrast between the envelope's autocorrelation at 3 beats and at 2 / 4 beats for a metre
 * to be stated (accented generated 2/4, 3/4 and 4/4 clicks give 0.65–0.74; unaccented clicks < 0.2).
 */
const MIN_METER_CONTRAST = 0.25;

/** Beats listed in the report at most (the count is always complete). */
export const MAX_LISTED_BEATS = 2000;
/** Compression of mel power for the onset envelope (see compressMelPower). */
const ONSET_GAMMA = 1;
/** Frames quieter than this RMS (≈ −60 dBFS) are treated as silence. */
const SILENCE_RMS = 1e-3;
/** Pitch is estimated on every 3rd default frame (33 per second), enough for vibrato up to 10 Hz. */
const PITCH_DECIMATION = 3;

/**
 * What tempo, key and tuning say when the segmentation found no music: the descriptor does not
 * apply (a reading has no key), stated rather than left out.
 */
export interface NotApplicable {
  readonly status: 'not_applicable';
  readonly reason: string;
}

/** Engine name of the model-free key path (spectral-peak chroma, `dsp/chroma.ts`). */
export const DSP_CHROMA_ENGINE = 'dsp-spectral-peaks';

export interface TempoAlternative {
  readonly bpm: number;
  /** Tempogram score (autocorrelation × tempo prior) relative to the chosen tempo. */
  readonly relative_score: number;
}

/** Which measurement `TempoSection.bpm` states. */
export type TempoDefinition = 'mean_over_beats' | 'dominant_periodicity';

export interface TempoSection {
  /**
   * The tempo stated: `mean_bpm` when enough beats were tracked (`definition:
   * "mean_over_beats"`), else `local_bpm` (`"dominant_periodicity"`).
   */
  readonly bpm: number;
  readonly definition: TempoDefinition;
  /**
   * Mean tempo over the tracked beats: beat intervals per minute of the time they span, rubato,
   * ritardandi and held notes included (the beat tracker follows the local tempo). Null with
   * fewer than 8 beat intervals.
   */
  readonly mean_bpm: number | null;
  /** Dominant periodicity of the onset envelope (autocorrelation tempogram with a tempo prior). */
  readonly local_bpm: number;
  /** The spans the tempo describes: music regions with the short rests and decays between them. */
  readonly analysed_regions: readonly TimeRegion[];
  readonly confidence: number;
  /** Half and double of `bpm` (within 30–300 BPM), the usual octave confusions. */
  readonly alternatives: readonly TempoAlternative[];
  readonly meter: {
    readonly grouping: 'duple' | 'triple';
    /** Contrast of the envelope's autocorrelation at 3 vs 2 and 4 beats, in [0, 1]. */
    readonly confidence: number;
  } | null;
  readonly beat_count: number;
  readonly beats: readonly number[];
  readonly beats_truncated: boolean;
  readonly engine: string;
}

export interface KeyEstimate {
  readonly key: string;
  readonly mode: 'major' | 'minor';
  readonly label: string;
  readonly confidence: number;
  readonly correlation: number;
  readonly runner_up: {
    readonly key: string;
    readonly mode: 'major' | 'minor';
    readonly label: string;
    readonly correlation: number;
  };
  readonly profile: string;
  /**
   * How the pitch-class profile was measured: `onnx-basic-pitch+dsp-spectral-peaks` (the model's
   * note profile averaged with the spectral-peak chroma) or `dsp-spectral-peaks` alone.
   */
  readonly engine: string;
  readonly model: ModelProvenance | null;
  /** Seconds of music the engine ran on (the model runs on a subsample). */
  readonly analysed_sec: number;
}

export interface MusicAnalysisSection extends SectionBase {
  readonly music_detected?: boolean;
  readonly regions_source?: 'segmentation' | 'whole_file';
  readonly analysed_regions?: readonly TimeRegion[];
  readonly analysed_sec?: number;
  readonly tempo?: TempoSection | NotApplicable | null;
  readonly key?: KeyEstimate | NotApplicable | null;
  readonly tuning?:
    { readonly a4_hz: number; readonly deviation_cents: number } | NotApplicable | null;
  readonly onset_rate_per_sec?: number;
  readonly chroma_mean?: readonly number[] | null;
  readonly spectral?: {
    readonly centroid_hz: { readonly mean: number; readonly std: number };
    readonly rolloff_hz: { readonly mean: number; readonly std: number };
    readonly flatness: { readonly mean: number; readonly std: number };
  } | null;
  readonly dynamic_range_db?: number | null;
  readonly loudness_dbfs?: { readonly p10: number; readonly p95: number } | null;
  readonly voice?: VoiceDescriptors | null;
  readonly percussiveness?: number;
  readonly polyphony_estimate?: number | null;
  readonly monophonic_ratio?: number | null;
}

/** The descriptor when it applies (neither null nor `not_applicable`). */
export function applicable<T extends object>(v: T | NotApplicable | null | undefined): T | null {
  return v && !('status' in v && v.status === 'not_applicable') ? (v as T) : null;
}

export interface MusicAnalyzerOptions {
  /**
   * Key engine; null keeps the spectral-peak chroma. @defaultValue basic-pitch when its model is
   * present
   */
  readonly pitchEngine?: PitchClassEngine | null;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

export class MusicAnalyzer implements Analyzer<MusicAnalysisSection> {
  readonly section = 'music_analysis';
  readonly name = MUSIC_ANALYZER_NAME;
  readonly version = MUSIC_ANALYZER_VERSION;
  readonly frameConfigs: readonly FramerConfig[] = [DEFAULT_FRAMER, CHROMA_FRAMER];

  private readonly fps = DEFAULT_FRAMER.sampleRateHz / DEFAULT_FRAMER.hopSamples;
  private readonly chromaFps = CHROMA_FRAMER.sampleRateHz / CHROMA_FRAMER.hopSamples;
  // Per default frame.
  private readonly onsetEnv = new GrowableFloat32(4096);
  private readonly broadband = new GrowableUint8(4096);
  private prevMel: Float32Array | null = null;
  private prevMelLog: Float32Array | null = null;
  private readonly melScratch = new Float32Array(DEFAULT_FRAMER.nMels ?? 40);
  // Per 100 ms.
  private readonly stPower = new GrowableFloat32(1024);
  // Per pitch frame.
  private readonly f0 = new GrowableFloat32(2048);
  private readonly periodicity = new GrowableUint8(2048);
  /**
   * YIN runs on the frame decimated to 8 kHz ([1 2 1]/4 low-pass, keep every 2nd sample): a
   * quarter of the cost at 16 kHz, and f0 up to 1 kHz loses nothing that matters for range and
   * vibrato (parabolic lag interpolation keeps errors to a few cents).
   */
  private readonly decimated = new Float32Array(DEFAULT_FRAMER.windowSamples / 2);
  private readonly yin = new YinPitchEstimator({ sampleRateHz: 8000, minF0Hz: 63, maxF0Hz: 1000 });
  // Per second: [count, Σc, Σc², Σr, Σr², Σf, Σf²].
  private readonly spectralSums = new GrowableFloat32(7 * 256);
  // Per second: PC_BINS + TUNING_BINS histogram values.
  private readonly harmonicHist = new GrowableFloat32((PC_BINS + TUNING_BINS) * 256);
  // Per chroma frame: active pitch classes (255 = silent).
  private readonly notes = new GrowableUint8(1024);
  private readonly peaks: SpectralPeak[] = [];
  private readonly pcScratch = new Float64Array(PC_BINS);
  private readonly tuneScratch = new Float64Array(TUNING_BINS);

  private readonly pitchEngine: PitchClassEngine | null;

  constructor(opts: MusicAnalyzerOptions = {}) {
    this.pitchEngine =
      opts.pitchEngine !== undefined
        ? opts.pitchEngine
        : OnnxBasicPitchEngine.available()
          ? new OnnxBasicPitchEngine()
          : null;
  }

  start(ctx: AnalyzerContext): void {
    if (ctx.analysisRateHz !== 16000) {
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: 'analysisRateHz',
        detail: `${ctx.analysisRateHz} Hz; the music analyzer needs the 16000 Hz analysis stream`,
      });
    }
  }

  onSamples(block: Float32Array, startSample: number): void {
    this.pitchEngine?.onSamples(block, startSample);
  }

  onFrame(frame: Frame): void {
    if (frame.config.windowSamples === CHROMA_FRAMER.windowSamples) this.onChromaFrame(frame);
    else this.onDefaultFrame(frame);
  }

  private onDefaultFrame(frame: Frame): void {
    const idx = frame.index;
    const mel = compressMelPower(frame.melLog, this.melScratch, ONSET_GAMMA);
    if (this.prevMel && this.prevMelLog) {
      this.onsetEnv.push(computeSpectralFlux(this.prevMel, mel, 0).flux);
      // Broadband attacks are judged on plain log power (level-independent).
      const { broadbandFraction } = computeSpectralFlux(this.prevMelLog, frame.melLog);
      this.broadband.push(Math.round(broadbandFraction * 255));
    } else {
      this.prevMel = new Float32Array(mel.length);
      this.prevMelLog = new Float32Array(mel.length);
      this.onsetEnv.push(0);
      this.broadband.push(0);
    }
    this.prevMelLog.set(frame.melLog);
    this.prevMel.set(mel);
    const rms = frame.rms;
    // Short-term power: mean square over 10 frames (100 ms).
    this.stPower.addAt(Math.floor(idx / 10), (rms * rms) / 10);
    if (idx % PITCH_DECIMATION === 0) {
      if (rms < SILENCE_RMS) {
        this.f0.push(NaN);
        this.periodicity.push(0);
      } else {
        const x = frame.samples;
        const y = this.decimated;
        for (let i = 0; i < y.length; i++) {
          const j = 2 * i;
          y[i] = 0.25 * (j > 0 ? x[j - 1]! : x[j]!) + 0.5 * x[j]! + 0.25 * x[j + 1]!;
        }
        const est = this.yin.estimate(y);
        this.f0.push(est.f0Hz);
        this.periodicity.push(Math.round(est.periodicity * 255));
      }
    }
    if (rms >= SILENCE_RMS) {
      const shape = spectralShapeOf(frame);
      if (shape) {
        const base = 7 * Math.floor(frame.centerSec);
        const s = this.spectralSums;
        s.addAt(base, 1);
        s.addAt(base + 1, shape.centroidHz);
        s.addAt(base + 2, shape.centroidHz ** 2);
        s.addAt(base + 3, shape.rolloffHz);
        s.addAt(base + 4, shape.rolloffHz ** 2);
        s.addAt(base + 5, shape.flatness);
        s.addAt(base + 6, shape.flatness ** 2);
      }
    }
  }

  private onChromaFrame(frame: Frame): void {
    if (frame.rms < SILENCE_RMS) {
      this.notes.push(255);
      return;
    }
    const c = frame.config;
    findSpectralPeaks(frame.power, c.sampleRateHz, c.fftSize, 50, 5000, 60, this.peaks);
    this.notes.push(countActivePitchClasses(this.peaks));
    this.pcScratch.fill(0);
    this.tuneScratch.fill(0);
    accumulatePitchClassPeaks(this.peaks, this.pcScratch, this.tuneScratch, 1);
    const base = (PC_BINS + TUNING_BINS) * Math.floor(frame.centerSec);
    const h = this.harmonicHist;
    for (let i = 0; i < PC_BINS; i++)
      if (this.pcScratch[i]! > 0) h.addAt(base + i, this.pcScratch[i]!);
    for (let i = 0; i < TUNING_BINS; i++)
      if (this.tuneScratch[i]! > 0) h.addAt(base + PC_BINS + i, this.tuneScratch[i]!);
  }

  /**
   * Tempo over performance spans: the global tempo (`estimateTempo`) sets the metrical level, the
   * beat tracker follows the local tempo around it (`estimateLocalPeriods`), and the mean over
   * the tracked beats is stated when there are enough of them.
   */
  private measureTempo(
    spans: readonly TimeRegion[],
    fr: (r: TimeRegion, rate: number, len: number) => [number, number],
  ): TempoSection | null {
    const segs: { seg: Float32Array; offset: number; span: TimeRegion }[] = [];
    for (const span of spans) {
      const [a, b] = fr(span, this.fps, this.onsetEnv.length);
      if (b > a) segs.push({ seg: Float32Array.from(this.onsetEnv.view(a, b)), offset: a, span });
    }
    const est = estimateTempo(
      segs.map((e) => e.seg),
      { frameRateHz: this.fps },
    );
    if (!est || !(est.bpm > 0)) return null;
    const beats: number[] = [];
    const beatSegs: number[][] = [];
    let count = 0;
    for (const { seg, offset } of segs) {
      const periodsFrames = estimateLocalPeriods(seg, { frameRateHz: this.fps, bpm: est.bpm });
      const tracked = trackBeats(seg, { frameRateHz: this.fps, bpm: est.bpm, periodsFrames });
      beatSegs.push(tracked);
      for (const b of tracked) {
        count++;
        // The onset envelope's frame i measures the change into frame i (its centre).
        if (beats.length < MAX_LISTED_BEATS)
          beats.push(
            r3(
              (offset + b) / this.fps +
                DEFAULT_FRAMER.windowSamples / 2 / DEFAULT_FRAMER.sampleRateHz,
            ),
          );
      }
    }
    const mean = meanTempoOfBeats(beatSegs, this.fps);
    const bpm = mean ?? est.bpm;
    const alternatives: TempoAlternative[] = [];
    for (const [k, rel] of [
      [0.5, est.halfTempoRatio],
      [2, est.doubleTempoRatio],
    ] as const) {
      if (bpm * k >= 30 && bpm * k <= 300)
        alternatives.push({ bpm: r2(bpm * k), relative_score: r3(rel) });
    }
    const [m2, m3, m4] = est.beatMultiples;
    const duple = Math.max(m2, m4);
    const contrast = Math.abs(m3 - duple) / Math.max(m3, duple);
    // Undetermined (null) when a multiple is out of range or the accents do not differ enough.
    const meter =
      Number.isFinite(contrast) && contrast >= MIN_METER_CONTRAST
        ? {
            grouping: m3 > duple ? ('triple' as const) : ('duple' as const),
            confidence: r3(contrast),
          }
        : null;
    return {
      bpm: r2(bpm),
      definition: mean !== null ? 'mean_over_beats' : 'dominant_periodicity',
      mean_bpm: mean !== null ? r2(mean) : null,
      local_bpm: r2(est.bpm),
      analysed_regions: segs.map(({ span }) => ({ start: r3(span.start), end: r3(span.end) })),
      confidence: r3(est.confidence),
      alternatives,
      meter,
      engine: 'dsp-onset-autocorrelation',
      beat_count: count,
      beats,
      beats_truncated: count > beats.length,
    };
  }

  async finish(ctx: FinishContext): Promise<MusicAnalysisSection> {
    const analyzer = { name: this.name, version: this.version };
    const selection = selectMusicRegions(ctx.sections['segmentation'], ctx.durationSec);
    const regions = selection.regions.filter((r) => r.end - r.start > 0);
    const analysedSec = regions.reduce((s, r) => s + (r.end - r.start), 0);
    // Non-silent content inside the regions?
    let loudFrames = 0;
    for (const r of regions) {
      const a = Math.floor(r.start * 10);
      const b = Math.ceil(r.end * 10);
      for (let i = a; i < b && i < this.stPower.length; i++)
        if (this.stPower.get(i) >= SILENCE_RMS ** 2) loudFrames++;
    }
    if (analysedSec <= 0 || loudFrames === 0) {
      return {
        status: 'not_run',
        reason: 'no audio above the silence threshold (-60 dBFS) in the analysed regions',
      };
    }
    const fr = (r: TimeRegion, rate: number, len: number): [number, number] => [
      Math.max(0, Math.floor(r.start * rate)),
      Math.min(len, Math.ceil(r.end * rate)),
    ];

    // --- tempo, beats, onsets --------------------------------------------------------------------
    const envSegs: { seg: Float32Array; offset: number }[] = [];
    for (const r of regions) {
      const [a, b] = fr(r, this.fps, this.onsetEnv.length);
      if (b > a) envSegs.push({ seg: Float32Array.from(this.onsetEnv.view(a, b)), offset: a });
    }
    // Without music the tempo is not stated (NO_MUSIC below), so the beats are not tracked.
    const tempo = selection.musicDetected
      ? this.measureTempo(
          selectPerformanceSpans(ctx.sections['segmentation'], regions, ctx.durationSec),
          fr,
        )
      : null;
    let onsetCount = 0;
    let broadSum = 0;
    for (const { seg, offset } of envSegs) {
      for (const o of pickOnsets(seg, { frameRateHz: this.fps })) {
        onsetCount++;
        broadSum += this.broadband.get(offset + o) / 255;
      }
    }

    // --- harmonic content: tuning, chroma, key -----------------------------------------------------
    const pc = new Float64Array(PC_BINS);
    const tune = new Float64Array(TUNING_BINS);
    const stride = PC_BINS + TUNING_BINS;
    const nSec = Math.ceil(this.harmonicHist.length / stride);
    for (const r of regions) {
      const [a, b] = fr(r, 1, nSec);
      for (let s = a; s < b; s++) {
        for (let i = 0; i < PC_BINS; i++) pc[i]! += this.harmonicHist.get(s * stride + i);
        for (let i = 0; i < TUNING_BINS; i++)
          tune[i]! += this.harmonicHist.get(s * stride + PC_BINS + i);
      }
    }
    const dev = estimateTuningCents(tune);
    const tuning =
      dev === null ? null : { a4_hz: r2(440 * 2 ** (dev / 1200)), deviation_cents: r2(dev) };
    let key: KeyEstimate | null = null;
    let chromaMean: number[] | null = null;
    if (dev !== null) {
      const chroma = foldChroma(pc, dev);
      chromaMean = Array.from(chroma, r3);
      // The model's note posteriors when it heard notes in the music regions, else this chroma.
      const learned = selection.musicDetected ? await this.pitchEngine?.profileOver(regions) : null;
      // With the model: the mean of its note profile and the spectral-peak chroma (both max 1),
      // two independent measurements of the same pitch classes; Krumhansl profiles. Without it:
      // the chroma alone with the Temperley profiles (docs/MUSIC.md, measured choices).
      const profile = learned ? 'krumhansl' : 'temperley';
      const pcProfile = learned
        ? learned.profile.map((v, i) => 0.5 * v + 0.5 * chroma[i]!)
        : chroma;
      const ranked = rankKeys(pcProfile, profile);
      const best = ranked[0]!;
      const second = ranked[1]!;
      key = {
        key: best.key,
        mode: best.mode,
        label: `${best.key} ${best.mode}`,
        confidence: r3(Math.max(0, Math.min(1, best.correlation))),
        correlation: r3(best.correlation),
        runner_up: {
          key: second.key,
          mode: second.mode,
          label: `${second.key} ${second.mode}`,
          correlation: r3(second.correlation),
        },
        profile,
        engine: learned ? `${this.pitchEngine!.name}+${DSP_CHROMA_ENGINE}` : DSP_CHROMA_ENGINE,
        model: learned ? this.pitchEngine!.model : null,
        analysed_sec: r2(learned ? learned.analysedSec : analysedSec),
      };
    }

    // --- spectral shape ----------------------------------------------------------------------------
    const sums = new Float64Array(7);
    const nSpecSec = Math.ceil(this.spectralSums.length / 7);
    for (const r of regions) {
      const [a, b] = fr(r, 1, nSpecSec);
      for (let s = a; s < b; s++)
        for (let i = 0; i < 7; i++) sums[i]! += this.spectralSums.get(7 * s + i);
    }
    const n = sums[0]!;
    const ms = (i: number, digits: (v: number) => number): { mean: number; std: number } => {
      const m = sums[i]! / n;
      return { mean: digits(m), std: digits(Math.sqrt(Math.max(0, sums[i + 1]! / n - m * m))) };
    };
    const spectral =
      n > 0 ? { centroid_hz: ms(1, r2), rolloff_hz: ms(3, r2), flatness: ms(5, r3) } : null;

    // --- dynamic range ------------------------------------------------------------------------------
    const stDb: number[] = [];
    for (const r of regions) {
      const [a, b] = fr(r, 10, this.stPower.length);
      for (let i = a; i < b; i++) {
        const p = this.stPower.get(i);
        if (p >= SILENCE_RMS ** 2) stDb.push(10 * Math.log10(p));
      }
    }
    const p10 = stDb.length ? percentile(stDb, 0.1) : NaN;
    const p95 = stDb.length ? percentile(stDb, 0.95) : NaN;

    // --- voice ------------------------------------------------------------------------------------
    const pitchFps = this.fps / PITCH_DECIMATION;
    const voice = analyseVoice(
      this.f0.view(),
      this.periodicity.view(),
      regions.map((r) => fr(r, pitchFps, this.f0.length)),
      { frameRateHz: pitchFps },
    );

    // --- polyphony ----------------------------------------------------------------------------------
    const counts: number[] = [];
    for (const r of regions) {
      const [a, b] = fr(r, this.chromaFps, this.notes.length);
      for (let i = a; i < b; i++) {
        const v = this.notes.get(i);
        if (v !== 255 && v > 0) counts.push(v);
      }
    }
    const polyphony = counts.length ? r2(counts.reduce((s, v) => s + v, 0) / counts.length) : null;
    const mono = counts.length ? r3(counts.filter((v) => v === 1).length / counts.length) : null;

    return {
      status: 'ok',
      analyzer,
      music_detected: selection.musicDetected,
      regions_source: selection.source,
      analysed_regions: regions.map((r) => ({ start: r3(r.start), end: r3(r.end) })),
      analysed_sec: r3(analysedSec),
      ...(selection.musicDetected
        ? { tempo, key, tuning }
        : { tempo: NO_MUSIC, key: NO_MUSIC, tuning: NO_MUSIC }),
      onset_rate_per_sec: r3(onsetCount / analysedSec),
      chroma_mean: chromaMean,
      spectral,
      dynamic_range_db: stDb.length ? r2(p95 - p10) : null,
      loudness_dbfs: stDb.length ? { p10: r2(p10), p95: r2(p95) } : null,
      voice,
      percussiveness: r3(onsetCount > 0 ? broadSum / onsetCount : 0),
      polyphony_estimate: polyphony,
      monophonic_ratio: mono,
    };
  }
}
