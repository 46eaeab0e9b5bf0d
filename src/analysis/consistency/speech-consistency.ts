/**
 * One source of truth for speech: `voice_activity` (a dedicated speech model) says where speech
 * is; the segmentation may refine it (split speech from speech over music or singing), never
 * contradict it silently. Runs as its own stage right after segmentation, so every later section
 * (speakers, music, heritage) reads the reconciled segmentation.
 *
 * Speech-labelled time that lies farther than `toleranceSec` from any VAD speech region is
 * relabelled (`speech` → `noise`, `speech_over_music` → `music`); each change is listed in
 * `segmentation.consistency.relabelled` with the reason, and the summary is recomputed.
 */
import type { Analyzer, FinishContext } from '../analyzer.js';
import type { LabelledSegment, SegmentLabel, SegmentationSection } from '../segmentation/index.js';
import { SEGMENT_LABELS } from '../segmentation/index.js';

export const SPEECH_CONSISTENCY_VERSION = '1.0.0';

/**
 * Seconds a segmentation speech region may reach beyond VAD speech (the two decide on different
 * grids — 0.1 s vs 32 ms frames — and pad their edges differently).
 * @defaultValue 0.5
 */
export const SPEECH_TOLERANCE_SEC = 0.5;

export interface Relabelling {
  readonly start: number;
  readonly end: number;
  readonly from: SegmentLabel;
  readonly to: SegmentLabel;
}

export interface SpeechConsistency {
  readonly speech_source: 'voice_activity';
  readonly tolerance_sec: number;
  /** Seconds of segmentation speech that VAD does not support, relabelled. */
  readonly relabelled_sec: number;
  readonly relabelled: readonly Relabelling[];
  /** Why the relabelled parts changed (absent when nothing changed). */
  readonly reason?: string;
}

interface Interval {
  readonly start: number;
  readonly end: number;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

const RELABEL: Partial<Record<SegmentLabel, SegmentLabel>> = {
  speech: 'noise',
  speech_over_music: 'music',
};

/** Segmentation labels under which VAD speech is speech (not singing, music or noise). */
const SPEAKING_LABELS = new Set(['speech', 'speech_over_music']);

/**
 * The VAD speech the segmentation also calls speech: voice activity models fire on sung and
 * bowed notes too, and a speaker counted there (one "speaker" on a solo violin, with full
 * confidence) is a fact no speech established. The segmentation refines the VAD, as the
 * speech-consistency stage describes: VAD speech is kept where a `speech` or `speech_over_music`
 * segment lies within `SPEECH_TOLERANCE_SEC`, and dropped under `singing`, `music`, `noise` or
 * `silence`. Without a usable segmentation the VAD regions are returned unchanged.
 */
export function speakingRegions(
  vad: readonly Interval[],
  segmentation: unknown,
): { regions: Interval[]; speechSec: number; excludedSec: number } | undefined {
  const s = segmentation as { status?: unknown; segments?: unknown } | undefined;
  if (!s || s.status !== 'ok' || !Array.isArray(s.segments)) return undefined;
  const speaking: Interval[] = [];
  for (const g of s.segments as { start?: unknown; end?: unknown; label?: unknown }[]) {
    if (typeof g.start !== 'number' || typeof g.end !== 'number') continue;
    if (typeof g.label === 'string' && SPEAKING_LABELS.has(g.label))
      speaking.push({ start: g.start, end: g.end });
  }
  const mask = dilate(speaking, SPEECH_TOLERANCE_SEC);
  const regions: Interval[] = [];
  let total = 0;
  let kept = 0;
  for (const v of vad) {
    total += v.end - v.start;
    for (const p of splitByMask(v.start, v.end, mask)) {
      if (!p.inside) continue;
      regions.push({ start: p.start, end: p.end });
      kept += p.end - p.start;
    }
  }
  return { regions, speechSec: kept, excludedSec: Math.round((total - kept) * 1000) / 1000 };
}

/** Sorted, merged intervals widened by `padSec` on both sides. */
function dilate(intervals: readonly Interval[], padSec: number): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const iv of sorted) {
    const s = Math.max(0, iv.start - padSec);
    const e = iv.end + padSec;
    const last = out[out.length - 1];
    if (last && s <= last.end) last.end = Math.max(last.end, e);
    else out.push({ start: s, end: e });
  }
  return out;
}

/** Splits [start, end) into pieces inside / outside `mask` (sorted, disjoint). */
function splitByMask(
  start: number,
  end: number,
  mask: readonly Interval[],
): { start: number; end: number; inside: boolean }[] {
  const pieces: { start: number; end: number; inside: boolean }[] = [];
  let t = start;
  // first mask interval ending after `start` (binary search: called once per region of a file)
  let lo = 0;
  let hi = mask.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (mask[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < mask.length; i++) {
    const m = mask[i]!;
    if (m.end <= t) continue;
    if (m.start >= end) break;
    if (m.start > t) pieces.push({ start: t, end: m.start, inside: false });
    const e = Math.min(end, m.end);
    pieces.push({ start: Math.max(t, m.start), end: e, inside: true });
    t = e;
  }
  if (t < end) pieces.push({ start: t, end, inside: false });
  return pieces;
}

/** Neighbours with one label become one segment (confidence: duration-weighted mean). */
function mergeNeighbours(segments: readonly LabelledSegment[]): LabelledSegment[] {
  const out: LabelledSegment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.label === s.label) {
      const d1 = last.end - last.start;
      const d2 = s.end - s.start;
      const confidence = d1 + d2 > 0 ? (last.confidence * d1 + s.confidence * d2) / (d1 + d2) : 0;
      out[out.length - 1] = { ...last, end: s.end, confidence: r3(confidence) };
    } else out.push(s);
  }
  return out;
}

function summarize(
  segments: readonly LabelledSegment[],
): Record<SegmentLabel, { total_sec: number; ratio: number }> {
  const total = segments.length > 0 ? segments[segments.length - 1]!.end : 0;
  const sums = Object.fromEntries(SEGMENT_LABELS.map((l) => [l, 0])) as Record<
    SegmentLabel,
    number
  >;
  for (const s of segments) sums[s.label] += s.end - s.start;
  return Object.fromEntries(
    SEGMENT_LABELS.map((l) => [
      l,
      { total_sec: r3(sums[l]), ratio: total > 0 ? Math.min(1, r3(sums[l] / total)) : 0 },
    ]),
  ) as Record<SegmentLabel, { total_sec: number; ratio: number }>;
}

/**
 * The segmentation with speech restricted to VAD speech (± `toleranceSec`). Pieces shorter than
 * the segmentation's resolution are left as they are (below what it decides on).
 */
export function reconcileSegmentation(
  seg: SegmentationSection,
  vadSpeech: readonly Interval[],
  toleranceSec = SPEECH_TOLERANCE_SEC,
): SegmentationSection & { readonly consistency: SpeechConsistency } {
  const mask = dilate(vadSpeech, toleranceSec);
  const relabelled: Relabelling[] = [];
  const pieces: LabelledSegment[] = [];
  for (const s of seg.segments) {
    const to = RELABEL[s.label];
    if (!to) {
      pieces.push(s);
      continue;
    }
    for (const p of splitByMask(s.start, s.end, mask)) {
      if (p.inside || p.end - p.start < seg.resolution_sec) {
        pieces.push({ ...s, start: r3(p.start), end: r3(p.end) });
      } else {
        pieces.push({ ...s, label: to, start: r3(p.start), end: r3(p.end) });
        relabelled.push({ start: r3(p.start), end: r3(p.end), from: s.label, to });
      }
    }
  }
  const segments = mergeNeighbours(pieces);
  const relabelledSec = r3(relabelled.reduce((a, r) => a + r.end - r.start, 0));
  return {
    ...seg,
    segments,
    summary: relabelled.length > 0 ? summarize(segments) : seg.summary,
    consistency: {
      speech_source: 'voice_activity',
      tolerance_sec: toleranceSec,
      relabelled_sec: relabelledSec,
      relabelled,
      ...(relabelled.length > 0
        ? {
            reason:
              `voice_activity found no speech within ${toleranceSec} s of these regions; ` +
              'speech is taken from voice_activity, the segmentation only refines it',
          }
        : {}),
    },
  };
}

/** The speech regions of an ok `voice_activity` section (undefined when it did not run). */
export function vadSpeechOf(section: unknown): Interval[] | undefined {
  if (typeof section !== 'object' || section === null) return undefined;
  const s = section as { status?: unknown; speech_segments?: unknown };
  if (s.status !== 'ok' || !Array.isArray(s.speech_segments)) return undefined;
  return (s.speech_segments as unknown[]).filter(
    (x): x is Interval =>
      typeof x === 'object' &&
      x !== null &&
      typeof (x as Interval).start === 'number' &&
      typeof (x as Interval).end === 'number',
  );
}

/**
 * The stage's analyzer: fills `segmentation` again, reconciled with `voice_activity`. When
 * either section is missing or not ok the segmentation is passed through unchanged.
 */
export function createSpeechConsistencyAnalyzer(): Analyzer {
  return {
    section: 'segmentation',
    name: 'speech-consistency',
    version: SPEECH_CONSISTENCY_VERSION,
    finish(ctx: FinishContext) {
      const seg = ctx.sections['segmentation'] as SegmentationSection | undefined;
      if (!seg) return { status: 'not_run', reason: 'segmentation did not run' };
      const vad = vadSpeechOf(ctx.sections['voice_activity']);
      if (seg.status !== 'ok' || vad === undefined) return seg;
      return reconcileSegmentation(seg, vad);
    },
  };
}
