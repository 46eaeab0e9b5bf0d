/**
 * What needs a person: the review reasons of one task, from its (reviewed) report or, for a
 * failed task, its error. Each reason has a weight; the queue is ranked by their sum.
 */
import type { Report } from '../../pipeline/report.js';
import { summarizeReport } from '../../pipeline/report-summary.js';

export const REVIEW_REASONS = {
  analysis_failed: { weight: 100, label: 'Analysis failed (damaged or unreadable file)' },
  damaged: { weight: 60, label: 'Damaged: failed sections, decode warnings or a lying header' },
  mislabelled: {
    weight: 50,
    label: 'Mislabelled: the file name extension does not match its content',
  },
  category_unclassified: { weight: 40, label: 'Heritage category unclassified or not computed' },
  category_uncertain: { weight: 30, label: 'Heritage category uncertain' },
  qc_fail: { weight: 20, label: 'QC verdict: fail' },
  speaker_count_low_confidence: {
    weight: 15,
    label: 'Speaker count low-confidence (a speaker with under 3 s of talk, or many speakers)',
  },
} as const;

export type ReviewReason = keyof typeof REVIEW_REASONS;

/** A speaker with less talk than this is as likely a diarization artefact as a person. */
export const MIN_CONFIDENT_TALK_SEC = 3;
/** Header and decoded durations further apart than this mean a damaged or lying file. */
export const MAX_DURATION_MISMATCH_SEC = 1;

/** What the content's MIME type must match for each file name extension. */
const EXTENSION_MIME: Readonly<Record<string, RegExp>> = {
  wav: /wav|wave/,
  bwf: /wav|wave/,
  rf64: /wav|wave/,
  flac: /flac/,
  mp3: /mpeg|mp3/,
  ogg: /ogg|opus|vorbis/,
  oga: /ogg|opus|vorbis/,
  opus: /ogg|opus/,
  aif: /aif/,
  aiff: /aif/,
  m4a: /mp4|m4a|aac/,
};

export interface ReviewSummary {
  readonly category: string | null;
  readonly categoryUncertain: boolean;
  readonly qcVerdict: string | null;
  readonly speakers: number | null;
  readonly reasons: readonly ReviewReason[];
  readonly priorityScore: number;
}

function score(reasons: readonly ReviewReason[]): number {
  return reasons.reduce((a, r) => a + REVIEW_REASONS[r].weight, 0);
}

/** Summary of a failed task: no report, one reason. */
export function summarizeFailure(): ReviewSummary {
  const reasons: ReviewReason[] = ['analysis_failed'];
  return {
    category: null,
    categoryUncertain: false,
    qcVerdict: null,
    speakers: null,
    reasons,
    priorityScore: score(reasons),
  };
}

export function summarizeForReview(report: Report, fileName: string | null): ReviewSummary {
  const reasons: ReviewReason[] = [];
  const r = report.results as unknown as Record<string, Record<string, unknown> | undefined>;
  const head = summarizeReport(report);

  const ext = (fileName ?? '').toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  const mime = report.audio_info.mime_type?.toLowerCase();
  const expected = ext !== undefined ? EXTENSION_MIME[ext] : undefined;
  if (expected !== undefined && mime !== undefined && !expected.test(mime))
    reasons.push('mislabelled');

  const mismatch = Math.abs(report.audio_info.duration - report.audio_info.decoded_duration);
  if (
    head.failedSections.length > 0 ||
    report.warnings.length > 0 ||
    (report.audio_info.duration > 0 && mismatch > MAX_DURATION_MISMATCH_SEC)
  )
    reasons.push('damaged');

  const h = r['heritage_classification'];
  let category: string | null = null;
  let uncertain = false;
  if (h?.['status'] === 'ok') {
    category = typeof h['predicted_category'] === 'string' ? h['predicted_category'] : null;
    uncertain = h['uncertain'] === true;
    if (category === null || category === 'unclassified') reasons.push('category_unclassified');
    else if (uncertain) reasons.push('category_uncertain');
  } else if (h?.['status'] === 'failed') reasons.push('category_unclassified');

  if (head.qcVerdict === 'fail') reasons.push('qc_fail');

  const sr = r['speaker_recognition'];
  let speakers: number | null = null;
  if (sr?.['status'] === 'ok') {
    speakers = Number(sr['speakers_detected'] ?? 0);
    const list = (sr['speakers'] ?? []) as { talk_time_sec?: number }[];
    if (list.some((s) => (s.talk_time_sec ?? 0) < MIN_CONFIDENT_TALK_SEC) || speakers > 6)
      reasons.push('speaker_count_low_confidence');
  }
  return {
    category,
    categoryUncertain: uncertain,
    qcVerdict: head.qcVerdict ?? null,
    speakers,
    reasons,
    priorityScore: score(reasons),
  };
}
