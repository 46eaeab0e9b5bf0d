/**
 * Shape of the `quality_control` report section (JSON Schema:
 * docs/schema/sections/quality_control.schema.json). dB values of digital silence are `null`
 * (JSON has no -Infinity).
 */
import type { SectionBase } from '../analyzer.js';
import type { BandwidthResult } from './bandwidth.js';
import type { QcCheckResult, CheckStatus } from './profiles.js';
import type { ClipRun, SilenceRun } from './signal-stats.js';

export interface QcLoudness {
  /** BS.1770-4 integrated loudness, LUFS; null when every block is gated out (or < 0.4 s). */
  readonly integrated_lufs: number | null;
  /** EBU Tech 3342 loudness range, LU; null below 3 s or when gated out. */
  readonly loudness_range_lu: number | null;
  readonly max_momentary_lufs: number | null;
  readonly max_short_term_lufs: number | null;
  /** Highest true peak over channels, dBTP. */
  readonly true_peak_dbtp: number | null;
  readonly sample_peak_dbfs: number | null;
  /** BS.1770 channel weights used (1, 1.41 surround, 0 LFE). */
  readonly channel_weights: readonly number[];
  readonly method: string;
}

export interface QcChannel {
  readonly index: number;
  readonly sample_peak_dbfs: number | null;
  readonly true_peak_dbtp: number | null;
  readonly rms_dbfs: number | null;
  /** Mean sample value (fraction of full scale). */
  readonly dc_offset: number;
  /** DC offset as a level, dBFS; null when exactly 0. */
  readonly dc_offset_dbfs: number | null;
  readonly clipped_runs: number;
  readonly clipped_samples: number;
  /** Samples at or above the clip threshold, in runs or not. */
  readonly full_scale_samples: number;
}

export interface QcClipping {
  readonly threshold_dbfs: number;
  readonly min_run_samples: number;
  readonly total_runs: number;
  readonly total_clipped_samples: number;
  /** The first `max_stored_runs` runs, by start time. */
  readonly runs: readonly ClipRun[];
  readonly runs_truncated: boolean;
}

export interface QcSilence {
  readonly threshold_dbfs: number;
  readonly min_duration_sec: number;
  readonly total_runs: number;
  readonly total_duration_sec: number;
  readonly leading_sec: number;
  readonly trailing_sec: number;
  readonly internal_max_sec: number;
  readonly entire_file: boolean;
  readonly runs: readonly SilenceRun[];
  readonly runs_truncated: boolean;
}

export interface QcBandwidth extends BandwidthResult {
  readonly upsampled: boolean;
  readonly likely_source_rate_hz: number | null;
  readonly lossy_transcode_suspected: boolean;
  /** Content stops below half of Nyquist without a brick wall (e.g. an analogue source). */
  readonly band_limited: boolean;
}

export interface QcStereo {
  /** Channels compared (the first two). */
  readonly channels: readonly [number, number];
  /** Pearson correlation (DC removed); null when a channel is constant. */
  readonly correlation: number | null;
  /** Energy of L-R relative to L+R, dB; very low means dual mono, very high inverted polarity. */
  readonly side_to_mid_db: number | null;
  readonly dual_mono: boolean;
  readonly inverted_polarity: boolean;
  /** 10 log10(mean square L / mean square R), dB. */
  readonly balance_db: number | null;
}

export interface QualityControlSection extends SectionBase {
  readonly status: 'ok';
  readonly analyzer: { readonly name: string; readonly version: string };
  readonly sample_rate_hz: number;
  readonly channels: number;
  readonly frames: number;
  readonly duration_sec: number;
  readonly loudness: QcLoudness;
  readonly per_channel: readonly QcChannel[];
  readonly clipping: QcClipping;
  readonly silence: QcSilence;
  readonly bandwidth: QcBandwidth;
  /** Null for mono. */
  readonly stereo: QcStereo | null;
  /** Channels that are digital silence while another channel is not. */
  readonly silent_channels: readonly number[];
  /** Overall verdict of the profile. */
  readonly verdict: CheckStatus;
  readonly profile: {
    readonly name: string;
    readonly description: string | null;
    readonly checks: readonly QcCheckResult[];
  };
}
