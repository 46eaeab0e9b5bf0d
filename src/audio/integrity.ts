/**
 * File-level findings an archivist needs beside the signal QC: whether the name matches the
 * content, and whether audio is missing (a cut file) or damaged (decode errors inside the stream).
 * The probe's header checks and the decode's outcome are combined here; the findings go into
 * `technical_metadata` (always) and into the QC profile's checks (when QC ran).
 */
import type { ContentIdentity, DecodeResult, FileCheck, ProbeResult } from './types.js';

export interface IntegrityFinding {
  /** `intact`, `truncated` (audio missing at the end) or `damaged` (errors inside the stream). */
  readonly status: 'intact' | 'truncated' | 'damaged';
  readonly detail: string | null;
  /** Duration the header declares, s (0 when it declares none). */
  readonly declared_duration_sec: number;
  readonly decoded_duration_sec: number;
  /** Declared minus decoded, s; null when the header declares no duration it can be held to. */
  readonly missing_sec: number | null;
  /** missing_sec / declared duration (0..1); null like missing_sec. */
  readonly missing_fraction: number | null;
  /** Where the decodable audio stops, s from the start; null when nothing is missing at the end. */
  readonly audio_ends_at_sec: number | null;
  /** Bytes of audio data the header declares / the file holds, when the header says. */
  readonly declared_bytes: number | null;
  readonly present_bytes: number | null;
  /** ffmpeg's decode errors (deduplicated), the evidence of `damaged`. */
  readonly decode_errors: readonly string[];
}

/** ffmpeg stderr lines that mean the decoder met bad data (not mere notices). */
const DECODE_ERROR =
  /invalid data|decode_frame\(\) failed|error while decoding|corrupt|invalid residual|input buffer exhausted|header missing|overread|invalid (?:pcm )?packet|incomplete frame|error submitting packet|decode stopped early/i;

/**
 * Below this much missing audio a shorter decode is encoder delay/padding, not damage:
 * 0.2 s or 1 % of the declared duration, whichever is more.
 */
function missingTolerance(declaredSec: number): number {
  return Math.max(0.2, 0.01 * declaredSec);
}

/** Combines the probe's header damage with the decode's outcome. */
export function assessIntegrity(probe: ProbeResult, decoded: DecodeResult): IntegrityFinding {
  const declared = probe.audio_info.duration;
  const decodedSec = decoded.decodedDurationSec;
  // A duration estimated from the bitrate is no promise: no missing audio is inferred from it.
  const estimated = probe.warnings.some((w) =>
    /duration (?:estimated|unknown)|placeholder/i.test(w),
  );
  // An Ogg header declares no length: its duration is the last page's, cut file or not.
  const fromLastPage = probe.audio_info.container === 'Ogg';
  const exact = declared > 0 && !estimated && !fromLastPage;
  const missingSec = exact ? Math.max(0, declared - decodedSec) : null;
  // With a placeholder data size, ffmpeg's last packet is short by design: no damage.
  const placeholder = probe.warnings.some((w) => /placeholder/.test(w));
  const decodeErrors = decoded.warnings.filter(
    (w) => DECODE_ERROR.test(w) && !(placeholder && /corrupt input packet/i.test(w)),
  );
  const damage = probe.damage;
  const shortDecode = missingSec !== null && missingSec > missingTolerance(declared);

  let status: IntegrityFinding['status'] = 'intact';
  let detail: string | null = null;
  if (damage) {
    status = damage.kind;
    detail = damage.detail;
  } else if (shortDecode) {
    status = 'truncated';
    detail = `the header declares ${declared.toFixed(3)} s, ${decodedSec.toFixed(3)} s decode`;
  } else if (decodeErrors.length > 0) {
    status = 'damaged';
    detail = `the decoder met bad data ${decodeErrors.length === 1 ? 'once' : `in ${decodeErrors.length} kinds of places`}: ${decodeErrors[0]}`;
  }
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const missing = missingSec === null ? null : round(missingSec);
  return {
    status,
    detail,
    declared_duration_sec: round(declared),
    decoded_duration_sec: round(decodedSec),
    missing_sec: missing,
    missing_fraction: missing !== null && declared > 0 ? round(missing / declared) : null,
    audio_ends_at_sec: status === 'truncated' ? round(decodedSec) : null,
    declared_bytes: damage?.declared_bytes ?? null,
    present_bytes: damage?.present_bytes ?? null,
    decode_errors: decodeErrors,
  };
}

/** The `extension_mismatch` QC check (warn), or null when name and content agree. */
export function extensionCheck(content: ContentIdentity): FileCheck | null {
  if (!content.extension_mismatch) return null;
  return {
    id: 'extension_mismatch',
    metric: 'extension_mismatch',
    value: true,
    status: 'warn',
    message: `named .${content.extension} (${content.extension_format?.toUpperCase()}) but the content is ${content.format?.toUpperCase()}`,
  };
}

/** The file-level QC checks: `extension_mismatch` (warn) and `truncated` / `damaged` (fail). */
export function fileChecks(content: ContentIdentity, integrity: IntegrityFinding): FileCheck[] {
  const checks: FileCheck[] = [];
  const named = extensionCheck(content);
  if (named !== null) checks.push(named);
  if (integrity.status !== 'intact') {
    const ends = integrity.audio_ends_at_sec;
    const where =
      ends === null
        ? ''
        : integrity.missing_sec !== null
          ? `; ${integrity.missing_sec} s (${Math.round((integrity.missing_fraction ?? 0) * 1000) / 10} %) missing after ${ends} s`
          : `; the audio ends at ${ends} s (how much is missing the header does not say)`;
    checks.push({
      id: integrity.status,
      metric: integrity.status,
      value: true,
      status: 'fail',
      message: `${integrity.detail ?? integrity.status}${where}`,
    });
  }
  return checks;
}

const RANK = { pass: 0, warn: 1, fail: 2 } as const;

/** The worst status of `from` and the checks' statuses (the profile's verdict rule). */
function worstStatus(
  from: keyof typeof RANK,
  checks: readonly { readonly status?: keyof typeof RANK }[],
): keyof typeof RANK {
  let verdict = from;
  for (const c of checks) if (c.status && RANK[c.status] > RANK[verdict]) verdict = c.status;
  return verdict;
}

/**
 * The quality_control section with the file checks appended and its verdict made the worse of
 * the two; sections that did not run are returned as they are.
 */
export function withFileChecks(section: unknown, checks: readonly FileCheck[]): unknown {
  const qc = section as {
    status?: string;
    verdict?: keyof typeof RANK;
    profile?: { checks?: readonly unknown[] };
  } | null;
  if (!qc || qc.status !== 'ok' || !qc.profile || checks.length === 0) return section;
  return {
    ...qc,
    verdict: worstStatus(qc.verdict ?? 'pass', checks),
    profile: { ...qc.profile, checks: [...(qc.profile.checks ?? []), ...checks] },
  };
}

/**
 * The quality_control section with the check `id` replaced by `check` (or removed when null), the
 * verdict recomputed as the worst check (the profile's rule). Sections that did not run are
 * returned as they are.
 */
export function replaceFileCheck(section: unknown, id: string, check: FileCheck | null): unknown {
  const qc = section as {
    status?: string;
    verdict?: keyof typeof RANK;
    profile?: { checks?: readonly { id?: string; status?: keyof typeof RANK }[] };
  } | null;
  if (!qc || qc.status !== 'ok' || !qc.profile) return section;
  const checks = [
    ...(qc.profile.checks ?? []).filter((c) => c.id !== id),
    ...(check ? [check] : []),
  ];
  return { ...qc, verdict: worstStatus('pass', checks), profile: { ...qc.profile, checks } };
}
