/**
 * The few headline numbers of a report that summaries show (CLI table, batch summary, service
 * listings), read defensively: absent when the section did not run.
 */
import type { Report } from '../report/index.js';

export interface ReportHeadline {
  readonly durationSec: number;
  /** Integrated loudness (LUFS), when QC ran. */
  readonly loudnessLufs?: number;
  /** Overall QC verdict (`pass`/`warn`/`fail`), when QC ran. */
  readonly qcVerdict?: string;
  /** Sections whose status is `failed`. */
  readonly failedSections: readonly string[];
}

function at(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    cur =
      typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
  }
  return cur;
}

export function summarizeReport(report: Report): ReportHeadline {
  const qc = report.results.quality_control;
  let loudnessLufs: number | undefined;
  let qcVerdict: string | undefined;
  if (qc.status === 'ok') {
    for (const p of ['loudness.integrated_lufs', 'integrated_lufs', 'loudness.integrated']) {
      const v = at(qc, p);
      if (typeof v === 'number' && Number.isFinite(v)) {
        loudnessLufs = v;
        break;
      }
    }
    for (const p of ['verdict', 'verdict.overall', 'overall_verdict', 'summary.verdict']) {
      const v = at(qc, p);
      if (typeof v === 'string') {
        qcVerdict = v;
        break;
      }
    }
  }
  const failedSections = Object.entries(report.results)
    .filter(([, s]) => (s as { status?: string }).status === 'failed')
    .map(([k]) => k);
  return {
    durationSec: report.audio_info.decoded_duration,
    ...(loudnessLufs !== undefined ? { loudnessLufs } : {}),
    ...(qcVerdict !== undefined ? { qcVerdict } : {}),
    failedSections,
  };
}
