/**
 * The `quality_control` analyzer: signal QC on the native-rate, all-channel stream.
 *
 * One streaming pass (`onNative`) feeds four constant-memory accumulators: the BS.1770-4 loudness
 * meter (integrated loudness, LRA), the true-peak meter, sample statistics (peak, RMS, DC,
 * clipped runs, digital-silence runs, stereo sums) and the subsampled long-term spectrum for the
 * effective bandwidth. `finish` turns them into the section and evaluates the QC profile
 * (`options.profile`, a built-in name or a JSON file; see docs/QC-PROFILES.md), whose format
 * checks read `ctx.audioInfo`.
 *
 * Options (`options.analyzerOptions['quality-control']`, all optional): the `SignalStatsOptions`
 * (`clipThresholdDbfs`, `clipMinRunSamples`, `silenceThresholdDbfs`, `silenceMinDurationSec`,
 * `maxStoredRuns`) and `bandwidthHopSec`.
 */
import type { AudioInfo } from '../../audio/types.js';
import { LoudnessMeter } from '../../dsp/loudness.js';
import { TruePeakMeter } from '../../dsp/true-peak.js';
import { SonoError } from '../../errors.js';
import type {
  Analyzer,
  AnalyzerContext,
  AnalyzerFactory,
  FinishContext,
  SectionBase,
} from '../analyzer.js';
import { BandwidthEstimator, likelySourceRateHz } from './bandwidth.js';
import { evaluateProfile, resolveQcProfile, type QcMeasures, type QcProfile } from './profiles.js';
import { SignalStats, type SignalStatsOptions } from './signal-stats.js';
import type { QcBandwidth, QcChannel, QcStereo, QualityControlSection } from './types.js';

export const QC_ANALYZER_NAME = 'quality-control';
export const QC_ANALYZER_VERSION = '1.0.0';

export interface QualityControlOptions extends SignalStatsOptions {
  /** Seconds between spectrum frames for the bandwidth estimate. @defaultValue duration / 150, at most 2 */
  readonly bandwidthHopSec?: number;
}

export type {
  QualityControlSection,
  QcBandwidth,
  QcChannel,
  QcStereo,
  QcLoudness,
  QcClipping,
  QcSilence,
} from './types.js';
export {
  resolveQcProfile,
  evaluateProfile,
  BUILTIN_PROFILES,
  QC_METRICS,
  type QcProfile,
} from './profiles.js';

const db20 = (x: number): number | null => (x > 0 ? 20 * Math.log10(x) : null);
const db10 = (x: number): number | null => (x > 0 ? 10 * Math.log10(x) : null);
const round = (x: number | null, digits = 3): number | null =>
  x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits));
const maxOrNull = (xs: readonly (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length > 0 ? Math.max(...v) : null;
};

/**
 * Spectrum frames are a subsample: ~150 per file (never more than one per 2 s), enough for a
 * stable long-term average, so the FFT cost per audio second stays small on long files.
 */
export function defaultBandwidthHopSec(durationSec: number): number {
  if (!(durationSec > 0)) return 0.5;
  return Math.min(2, durationSec / 150);
}

/** Brick-wall cutoffs typical of lossy encoders' low-pass filters (MP3, AAC, Vorbis). */
const LOSSY_CUTOFF_RANGE_HZ: readonly [number, number] = [15000, 20500];

const PCM_CODEC = /^(pcm|ieee[_ ]?float|lpcm)/i;

class QualityControlAnalyzer implements Analyzer<SectionBase> {
  readonly section = 'quality_control';
  readonly name = QC_ANALYZER_NAME;
  readonly version = QC_ANALYZER_VERSION;
  private readonly audioInfo: AudioInfo;
  private readonly profile: QcProfile;
  private readonly opts: QualityControlOptions;
  private readonly sampleRateHz: number;
  private channels = 0;
  private loudness?: LoudnessMeter;
  private truePeak?: TruePeakMeter;
  private stats?: SignalStats;
  private bandwidth?: BandwidthEstimator;

  constructor(ctx: AnalyzerContext, profile: QcProfile, opts: QualityControlOptions) {
    this.audioInfo = ctx.audioInfo;
    this.profile = profile;
    this.opts = opts;
    this.sampleRateHz = ctx.audioInfo.sample_rate;
  }

  private init(channels: number): void {
    if (!(this.sampleRateHz > 0))
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: 'audioInfo.sample_rate',
        detail: `not a positive rate: ${this.sampleRateHz}`,
      });
    this.channels = channels;
    this.loudness = new LoudnessMeter(this.sampleRateHz, channels);
    this.truePeak = new TruePeakMeter(channels);
    this.stats = new SignalStats(this.sampleRateHz, channels, this.opts);
    this.bandwidth = new BandwidthEstimator(this.sampleRateHz, channels, {
      hopSec: this.opts.bandwidthHopSec ?? defaultBandwidthHopSec(this.audioInfo.duration),
      ...(this.opts.silenceThresholdDbfs !== undefined
        ? { silenceThresholdDbfs: this.opts.silenceThresholdDbfs }
        : {}),
    });
  }

  onNative(interleaved: Float32Array, channels: number): void {
    if (this.channels === 0) this.init(channels);
    else if (channels !== this.channels)
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: 'channels',
        detail: `native stream changed from ${this.channels} to ${channels} channels`,
      });
    if (interleaved.length % channels !== 0)
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: 'interleaved',
        detail: `${interleaved.length} samples is not a whole number of ${channels}-channel frames`,
      });
    this.loudness!.process(interleaved);
    this.truePeak!.process(interleaved);
    this.stats!.process(interleaved);
    this.bandwidth!.process(interleaved);
  }

  finish(_ctx: FinishContext): SectionBase {
    const stats = this.stats;
    if (!stats || stats.frames === 0)
      return {
        status: 'not_run',
        reason: 'no native-rate samples were decoded',
      };
    const loud = this.loudness!;
    const tp = this.truePeak!;
    const bw = this.bandwidth!;
    tp.flush();
    stats.finish();
    const rate = this.sampleRateHz;
    const nCh = this.channels;
    const frames = stats.frames;
    const tpLin = tp.peaksLinear();

    const perChannel: QcChannel[] = [];
    for (let c = 0; c < nCh; c++) {
      const dc = stats.sum[c]! / frames;
      perChannel.push({
        index: c,
        sample_peak_dbfs: round(db20(stats.peak[c]!)),
        // The interpolated peak is never below the sample peak in reality; the filter's ripple
        // can read a hair lower on isolated samples, so report the larger.
        true_peak_dbtp: round(db20(Math.max(tpLin[c]!, stats.peak[c]!))),
        rms_dbfs: round(db10(stats.sumSq[c]! / frames)),
        dc_offset: Number(dc.toPrecision(6)),
        dc_offset_dbfs: round(db20(Math.abs(dc))),
        clipped_runs: stats.clippedRunCount[c]!,
        clipped_samples: stats.clippedSamples[c]!,
        full_scale_samples: stats.fullScaleSamples[c]!,
      });
    }
    const silentChannels: number[] = [];
    const anyLive = perChannel.some((ch) => (ch.sample_peak_dbfs ?? -Infinity) > -90);
    if (nCh > 1 && anyLive)
      for (const ch of perChannel)
        if (ch.sample_peak_dbfs === null || ch.sample_peak_dbfs <= -90)
          silentChannels.push(ch.index);

    const bandwidth = this.bandwidthSection(bw);
    const stereo = nCh >= 2 ? this.stereoSection(stats) : null;
    const totalRuns = perChannel.reduce((s, c) => s + c.clipped_runs, 0);
    const totalClipped = perChannel.reduce((s, c) => s + c.clipped_samples, 0);
    const truePeakDbtp = maxOrNull(perChannel.map((c) => c.true_peak_dbtp));
    const samplePeakDbfs = maxOrNull(perChannel.map((c) => c.sample_peak_dbfs));
    const integrated = round(loud.integratedLoudnessLufs());
    const lra = round(loud.loudnessRangeLu());
    const durationSec = frames / rate;

    const info = this.audioInfo;
    const measures: QcMeasures = {
      lossless: info.lossless,
      pcm: PCM_CODEC.test(info.codec),
      sample_rate_hz: info.sample_rate,
      bit_depth: info.bit_depth,
      channels: nCh,
      duration_sec: durationSec,
      integrated_loudness_lufs: integrated,
      loudness_range_lu: lra,
      max_momentary_lufs: loud.maxMomentaryLufs(),
      max_short_term_lufs: loud.maxShortTermLufs(),
      true_peak_dbtp: truePeakDbtp,
      sample_peak_dbfs: samplePeakDbfs,
      dc_offset_max: Math.max(...perChannel.map((c) => Math.abs(c.dc_offset))),
      clipped_runs: totalRuns,
      clipped_samples: totalClipped,
      silence_entire: stats.silenceEntire,
      silence_leading_sec: stats.silenceLeadingFrames / rate,
      silence_trailing_sec: stats.silenceTrailingFrames / rate,
      silence_internal_max_sec: stats.silenceInternalMaxFrames / rate,
      silence_internal_total_sec: stats.silenceInternalTotalFrames / rate,
      effective_bandwidth_hz: bandwidth.effective_bandwidth_hz,
      effective_bandwidth_ratio: bandwidth.bandwidth_ratio,
      upsampled: bandwidth.upsampled,
      lossy_transcode_suspected: bandwidth.lossy_transcode_suspected,
      stereo_correlation: stereo?.correlation ?? null,
      dual_mono: stereo ? stereo.dual_mono : null,
      inverted_polarity: stereo ? stereo.inverted_polarity : null,
      channel_balance_abs_db:
        stereo?.balance_db === null || stereo === null ? null : Math.abs(stereo.balance_db),
      silent_channel: nCh > 1 ? silentChannels.length > 0 : null,
    };
    const verdict = evaluateProfile(this.profile, measures);

    const section: QualityControlSection = {
      status: 'ok',
      analyzer: { name: this.name, version: this.version },
      sample_rate_hz: rate,
      channels: nCh,
      frames,
      duration_sec: round(durationSec, 6)!,
      loudness: {
        integrated_lufs: integrated,
        loudness_range_lu: lra,
        max_momentary_lufs: round(loud.maxMomentaryLufs()),
        max_short_term_lufs: round(loud.maxShortTermLufs()),
        true_peak_dbtp: truePeakDbtp,
        sample_peak_dbfs: samplePeakDbfs,
        channel_weights: loud.channelWeights,
        method:
          'ITU-R BS.1770-4 (K-weighting for the native rate, 400 ms blocks / 75 % overlap, ' +
          'gates -70 LUFS and -10 LU); LRA per EBU Tech 3342 (3 s blocks at 10 Hz, -20 LU gate, ' +
          '10-95 %); true peak by 4x polyphase oversampling (BS.1770-4 Annex 2)',
      },
      per_channel: perChannel,
      clipping: {
        threshold_dbfs: round(20 * Math.log10(stats.clipLevel), 4)!,
        min_run_samples: stats.clipMinRun,
        total_runs: totalRuns,
        total_clipped_samples: totalClipped,
        runs: stats.clipRuns.map((r) => ({
          ...r,
          start_sec: round(r.start_sec, 6)!,
          end_sec: round(r.end_sec, 6)!,
        })),
        runs_truncated: totalRuns > stats.clipRuns.length,
      },
      silence: {
        threshold_dbfs: round(20 * Math.log10(stats.silenceLevel), 2)!,
        min_duration_sec: round(stats.silenceMinFrames / rate, 6)!,
        total_runs: stats.silenceRunCount,
        total_duration_sec: round(stats.silenceTotalFrames / rate, 6)!,
        leading_sec: round(stats.silenceLeadingFrames / rate, 6)!,
        trailing_sec: round(stats.silenceTrailingFrames / rate, 6)!,
        internal_max_sec: round(stats.silenceInternalMaxFrames / rate, 6)!,
        entire_file: stats.silenceEntire,
        runs: stats.silenceRuns.map((r) => ({
          ...r,
          start_sec: round(r.start_sec, 6)!,
          end_sec: round(r.end_sec, 6)!,
          duration_sec: round(r.duration_sec, 6)!,
        })),
        runs_truncated: stats.silenceRunCount > stats.silenceRuns.length,
      },
      bandwidth,
      stereo,
      silent_channels: silentChannels,
      verdict: verdict.verdict,
      profile: {
        name: this.profile.name,
        description: this.profile.description ?? null,
        checks: verdict.checks,
      },
    };
    return section;
  }

  private bandwidthSection(bw: BandwidthEstimator): QcBandwidth {
    const r = bw.result();
    const nyq = r.nyquist_hz;
    const cutoff = r.cutoff_hz;
    const hasWall = cutoff !== null && cutoff <= 0.9 * nyq;
    const inLossyRange =
      cutoff !== null && cutoff >= LOSSY_CUTOFF_RANGE_HZ[0] && cutoff <= LOSSY_CUTOFF_RANGE_HZ[1];
    const source = hasWall ? likelySourceRateHz(cutoff, this.sampleRateHz) : null;
    // A lossy file's own encoder low-pass is not evidence of upsampling.
    const upsampled = source !== null && (this.audioInfo.lossless || !inLossyRange);
    const lossyTranscode = hasWall && inLossyRange && this.audioInfo.lossless;
    const bandLimited =
      !hasWall && r.bandwidth_ratio !== null && r.bandwidth_ratio < 0.5 && r.frames_analyzed > 0;
    return {
      ...r,
      effective_bandwidth_hz: round(r.effective_bandwidth_hz, 1),
      bandwidth_ratio: round(r.bandwidth_ratio, 4),
      cutoff_hz: round(r.cutoff_hz, 1),
      cutoff_drop_db: round(r.cutoff_drop_db, 1),
      upsampled,
      likely_source_rate_hz: upsampled ? source : null,
      lossy_transcode_suspected: lossyTranscode,
      band_limited: bandLimited,
    };
  }

  private stereoSection(stats: SignalStats): QcStereo {
    const s = stats.stereoSums();
    const n = s.frames;
    const covLR = s.sumLR / n - (s.sumL / n) * (s.sumR / n);
    const varL = s.sumLL / n - (s.sumL / n) ** 2;
    const varR = s.sumRR / n - (s.sumR / n) ** 2;
    const correlation =
      varL > 0 && varR > 0 ? Math.max(-1, Math.min(1, covLR / Math.sqrt(varL * varR))) : null;
    // Σ(L-R)² and Σ(L+R)² from the same sums (exactly 0 for bit-identical channels).
    const side = Math.max(0, s.sumLL + s.sumRR - 2 * s.sumLR);
    const mid = Math.max(0, s.sumLL + s.sumRR + 2 * s.sumLR);
    const total = s.sumLL + s.sumRR;
    const sideToMid = mid > 0 && side > 0 ? 10 * Math.log10(side / mid) : null;
    return {
      channels: [0, 1],
      correlation: round(correlation, 5),
      side_to_mid_db: round(sideToMid, 2),
      dual_mono: total > 0 && side <= 1e-6 * total,
      inverted_polarity: total > 0 && (mid <= 1e-6 * total || (correlation ?? 0) <= -0.9),
      balance_db: s.sumLL > 0 && s.sumRR > 0 ? round(10 * Math.log10(s.sumLL / s.sumRR)) : null,
    };
  }
}

function readOptions(ctx: AnalyzerContext): QualityControlOptions {
  const raw = ctx.options.analyzerOptions?.[QC_ANALYZER_NAME];
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null)
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: `analyzerOptions.${QC_ANALYZER_NAME}`,
      detail: 'must be an object',
    });
  return raw as QualityControlOptions;
}

/** Creates the QC analyzer for one file. Resolves the profile now, so a bad one fails early. */
export function createQualityControlAnalyzer(ctx: AnalyzerContext): Analyzer {
  const profile = resolveQcProfile(ctx.options.profile);
  return new QualityControlAnalyzer(ctx, profile, readOptions(ctx));
}

/** Stage factory for `src/pipeline/stages.ts`. */
export const createQualityControlStage: AnalyzerFactory = (ctx) => [
  createQualityControlAnalyzer(ctx),
];
