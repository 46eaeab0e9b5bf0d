/**
 * QC profiles: a named list of checks, each comparing one measured metric against thresholds and
 * yielding `pass | warn | fail`; the profile's verdict is the worst of its checks.
 *
 * Two profiles ship (documented in docs/QC-PROFILES.md): `preservation-master` (IASA TC-04 /
 * FADGI style) and `access-copy`. A profile can also be a JSON file of the same shape
 * (`--profile ./my-profile.json`), validated with zod.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SonoError } from '../../errors.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** Every metric a check can read, with its unit; values come from `QcMeasures`. */
export const QC_METRICS = {
  lossless: 'boolean: the codec is PCM or lossless (from the probe)',
  pcm: 'boolean: the codec is uncompressed PCM (integer or float)',
  sample_rate_hz: 'Hz (from the probe)',
  bit_depth: 'bits per sample (from the probe; missing for lossy codecs)',
  channels: 'channel count',
  duration_sec: 'decoded duration, s',
  integrated_loudness_lufs: 'integrated loudness, LUFS (BS.1770-4)',
  loudness_range_lu: 'loudness range, LU (EBU Tech 3342)',
  max_momentary_lufs: 'highest 400 ms loudness, LUFS',
  max_short_term_lufs: 'highest 3 s loudness, LUFS',
  true_peak_dbtp: 'highest true peak over channels, dBTP',
  sample_peak_dbfs: 'highest sample peak over channels, dBFS',
  dc_offset_max: 'largest |DC offset| over channels, fraction of full scale (0.001 = -60 dBFS)',
  clipped_runs: 'number of clipped-sample runs, all channels',
  clipped_samples: 'samples inside clipped runs, all channels',
  silence_entire: 'boolean: the whole file is digital silence',
  silence_leading_sec: 'digital silence at the start, s',
  silence_trailing_sec: 'digital silence at the end, s',
  silence_internal_max_sec: 'longest digital-silence run inside the file (not at either end), s',
  silence_internal_total_sec: 'total digital silence inside the file, s',
  effective_bandwidth_hz: 'highest frequency with content, Hz',
  effective_bandwidth_ratio: 'effective bandwidth / Nyquist',
  upsampled: 'boolean: brick-wall cutoff at the Nyquist of a lower standard rate',
  lossy_transcode_suspected: 'boolean: codec-style cutoff (15–20.5 kHz) in a lossless file',
  stereo_correlation: 'Pearson correlation of the first two channels (-1..1)',
  dual_mono: 'boolean: the first two channels are identical (difference < -60 dB)',
  inverted_polarity: 'boolean: channel correlation <= -0.9 (one channel polarity-inverted)',
  channel_balance_abs_db: '|level difference| between the first two channels, dB',
  silent_channel: 'boolean: a channel is digital silence while another is not',
} as const;

export type QcMetric = keyof typeof QC_METRICS;
export type QcMeasures = Readonly<Partial<Record<QcMetric, number | boolean | null>>>;

const METRIC_NAMES = Object.keys(QC_METRICS) as [QcMetric, ...QcMetric[]];
const statusSchema = z.enum(['pass', 'warn', 'fail']);

export const qcCheckSchema = z
  .strictObject({
    id: z.string().min(1),
    metric: z.enum(METRIC_NAMES),
    description: z.string().optional(),
    /** fail / warn when value > threshold */
    fail_above: z.number().optional(),
    warn_above: z.number().optional(),
    /** fail / warn when value < threshold */
    fail_below: z.number().optional(),
    warn_below: z.number().optional(),
    /** boolean metrics: fail / warn when value === this */
    fail_if: z.boolean().optional(),
    warn_if: z.boolean().optional(),
    /** fail / warn when |value - target| > tolerance */
    target: z.number().optional(),
    warn_tolerance: z.number().nonnegative().optional(),
    fail_tolerance: z.number().nonnegative().optional(),
    /** Status when the metric could not be measured (e.g. bit depth of an MP3). */
    on_missing: statusSchema.optional(),
  })
  .refine(
    (c) =>
      [
        c.fail_above,
        c.warn_above,
        c.fail_below,
        c.warn_below,
        c.fail_if,
        c.warn_if,
        c.warn_tolerance,
        c.fail_tolerance,
      ].some((v) => v !== undefined),
    { message: 'a check needs at least one threshold' },
  )
  .refine(
    (c) =>
      (c.warn_tolerance === undefined && c.fail_tolerance === undefined) || c.target !== undefined,
    { message: 'warn_tolerance / fail_tolerance need a target' },
  );

export const qcProfileSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  checks: z.array(qcCheckSchema).min(1),
});

export type QcCheck = z.infer<typeof qcCheckSchema>;
export type QcProfile = z.infer<typeof qcProfileSchema>;

export interface QcCheckResult {
  readonly id: string;
  readonly metric: QcMetric;
  readonly value: number | boolean | null;
  readonly status: CheckStatus;
  readonly message: string;
}

export interface QcVerdict {
  readonly profile: string;
  readonly verdict: CheckStatus;
  readonly checks: readonly QcCheckResult[];
}

export const PRESERVATION_MASTER: QcProfile = {
  name: 'preservation-master',
  description:
    'Preservation master (IASA TC-04 / FADGI style): PCM or lossless, >= 48 kHz, >= 24 bit, ' +
    'no clipping, little DC offset, true peak below 0 dBTP, no long digital silence mid-file, ' +
    'full bandwidth (no upsampling or lossy history).',
  checks: [
    { id: 'codec_lossless', metric: 'lossless', fail_if: false },
    { id: 'sample_rate', metric: 'sample_rate_hz', fail_below: 48000 },
    { id: 'bit_depth', metric: 'bit_depth', fail_below: 24, on_missing: 'fail' },
    { id: 'not_silent', metric: 'silence_entire', fail_if: true },
    { id: 'clipping', metric: 'clipped_runs', fail_above: 0 },
    { id: 'dc_offset', metric: 'dc_offset_max', warn_above: 0.001, fail_above: 0.005 },
    { id: 'true_peak', metric: 'true_peak_dbtp', warn_above: -1, fail_above: 0 },
    {
      id: 'internal_silence',
      metric: 'silence_internal_max_sec',
      warn_above: 1,
      fail_above: 5,
    },
    // An upsampled file is not a master: its content is that of the lower rate (IASA TC-04).
    { id: 'upsampled', metric: 'upsampled', fail_if: true },
    { id: 'lossy_history', metric: 'lossy_transcode_suspected', fail_if: true },
    { id: 'polarity', metric: 'inverted_polarity', warn_if: true, on_missing: 'pass' },
    { id: 'dead_channel', metric: 'silent_channel', warn_if: true, on_missing: 'pass' },
  ],
};

export const ACCESS_COPY: QcProfile = {
  name: 'access-copy',
  description:
    'Access / listening copy: lossy allowed, loudness near -16 LUFS (streaming practice, ' +
    'AES TD1008), true peak at or below -1 dBTP, no clipping, no silent file.',
  checks: [
    { id: 'not_silent', metric: 'silence_entire', fail_if: true },
    { id: 'sample_rate', metric: 'sample_rate_hz', warn_below: 44100, fail_below: 22050 },
    {
      id: 'loudness',
      metric: 'integrated_loudness_lufs',
      target: -16,
      warn_tolerance: 1,
      fail_tolerance: 3,
      on_missing: 'fail',
    },
    { id: 'true_peak', metric: 'true_peak_dbtp', fail_above: -1 },
    { id: 'clipping', metric: 'clipped_runs', warn_above: 0 },
    { id: 'dc_offset', metric: 'dc_offset_max', warn_above: 0.005 },
    { id: 'polarity', metric: 'inverted_polarity', warn_if: true, on_missing: 'pass' },
    { id: 'dead_channel', metric: 'silent_channel', warn_if: true, on_missing: 'pass' },
  ],
};

export const BUILTIN_PROFILES: Readonly<Record<string, QcProfile>> = Object.freeze({
  [PRESERVATION_MASTER.name]: PRESERVATION_MASTER,
  [ACCESS_COPY.name]: ACCESS_COPY,
});

/** True when `nameOrPath` should be read as a file rather than a built-in name. */
function looksLikePath(nameOrPath: string): boolean {
  return /[/\\]/.test(nameOrPath) || /\.json$/i.test(nameOrPath);
}

/** Validates a parsed profile object; throws SONO_ERR_INVALID_CONFIG naming `source`. */
export function parseQcProfile(raw: unknown, source: string): QcProfile {
  const r = qcProfileSchema.safeParse(raw);
  if (!r.success) {
    const detail = r.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new SonoError('SONO_ERR_INVALID_CONFIG', { name: `QC profile ${source}`, detail });
  }
  return r.data;
}

/**
 * A built-in profile by name, or a JSON profile file by path.
 * Throws SONO_ERR_UNKNOWN_PROFILE (unknown name), SONO_ERR_PATH_NOT_FOUND (missing file) or
 * SONO_ERR_INVALID_CONFIG (unreadable JSON, schema violations).
 */
export function resolveQcProfile(nameOrPath: string | undefined): QcProfile {
  const key = nameOrPath ?? PRESERVATION_MASTER.name;
  const builtin = BUILTIN_PROFILES[key];
  if (builtin) return builtin;
  if (!looksLikePath(key))
    throw new SonoError('SONO_ERR_UNKNOWN_PROFILE', {
      name: key,
      known: Object.keys(BUILTIN_PROFILES).join(', '),
    });
  let text: string;
  try {
    text = readFileSync(key, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new SonoError('SONO_ERR_PATH_NOT_FOUND', { path: key });
    throw new SonoError('SONO_ERR_INVALID_CONFIG', {
      name: `QC profile ${key}`,
      detail: e instanceof Error ? e.message : String(e),
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SonoError('SONO_ERR_INVALID_CONFIG', {
      name: `QC profile ${key}`,
      detail: `not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
  return parseQcProfile(raw, key);
}

const RANK: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

function worse(a: CheckStatus, b: CheckStatus): CheckStatus {
  return RANK[b] > RANK[a] ? b : a;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 0.01 ? 5 : 2);
}

/** Evaluates one check against the measures. */
export function evaluateCheck(check: QcCheck, measures: QcMeasures): QcCheckResult {
  const value = measures[check.metric];
  const base = { id: check.id, metric: check.metric };
  if (value === undefined || value === null || (typeof value === 'number' && !isFinite(value))) {
    const status = check.on_missing ?? 'warn';
    return { ...base, value: null, status, message: `${check.metric} not measurable` };
  }
  const reasons: { status: CheckStatus; text: string }[] = [];
  if (typeof value === 'boolean') {
    if (check.fail_if !== undefined && value === check.fail_if)
      reasons.push({ status: 'fail', text: `${check.metric} is ${value}` });
    else if (check.warn_if !== undefined && value === check.warn_if)
      reasons.push({ status: 'warn', text: `${check.metric} is ${value}` });
  } else {
    const rules: [CheckStatus, number | undefined, (t: number) => boolean, string][] = [
      ['fail', check.fail_above, (t) => value > t, '>'],
      ['fail', check.fail_below, (t) => value < t, '<'],
      ['warn', check.warn_above, (t) => value > t, '>'],
      ['warn', check.warn_below, (t) => value < t, '<'],
    ];
    for (const [status, t, hit, op] of rules) {
      if (t !== undefined && hit(t))
        reasons.push({ status, text: `${fmt(value)} ${op} ${fmt(t)}` });
    }
    if (check.target !== undefined) {
      const dev = Math.abs(value - check.target);
      if (check.fail_tolerance !== undefined && dev > check.fail_tolerance)
        reasons.push({
          status: 'fail',
          text: `${fmt(value)} is ${fmt(dev)} from target ${fmt(check.target)} (> ${fmt(check.fail_tolerance)})`,
        });
      else if (check.warn_tolerance !== undefined && dev > check.warn_tolerance)
        reasons.push({
          status: 'warn',
          text: `${fmt(value)} is ${fmt(dev)} from target ${fmt(check.target)} (> ${fmt(check.warn_tolerance)})`,
        });
    }
  }
  if (reasons.length === 0)
    return {
      ...base,
      value,
      status: 'pass',
      message: `${check.metric} = ${typeof value === 'number' ? fmt(value) : value}`,
    };
  const status = reasons.reduce<CheckStatus>((s, r) => worse(s, r.status), 'pass');
  const text = reasons.find((r) => r.status === status)!.text;
  return { ...base, value, status, message: `${check.metric}: ${text}` };
}

/** Evaluates every check of `profile`; the verdict is the worst check status. */
export function evaluateProfile(profile: QcProfile, measures: QcMeasures): QcVerdict {
  const checks = profile.checks.map((c) => evaluateCheck(c, measures));
  const verdict = checks.reduce<CheckStatus>((s, c) => worse(s, c.status), 'pass');
  return { profile: profile.name, verdict, checks };
}
