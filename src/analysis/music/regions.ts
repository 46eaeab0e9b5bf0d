/**
 * Which parts of a file the music descriptors describe: the segmentation's music-bearing segments
 * (`music`, `singing`, `speech_over_music`) when a segmentation section exists, the whole file
 * otherwise. Also used by the instrumentation analyzer.
 *
 * Whether there is music at all is decided by the `music` and `singing` segments only (≥ 2 s in
 * total), the same labels the record's "contains music" statement uses (docs/METADATA.md):
 * `speech_over_music` alone is the label most often raised by reverberation, crowd noise or tape
 * hiss under plain speech, so it does not make a reading "music" (no key, no tempo for it).
 */

export interface TimeRegion {
  readonly start: number;
  readonly end: number;
}

export interface RegionSelection {
  readonly regions: readonly TimeRegion[];
  /** Whether the segmentation found music (always true when there is no segmentation). */
  readonly musicDetected: boolean;
  /** Where the regions came from. */
  readonly source: 'segmentation' | 'whole_file';
}

/** Segment labels that carry music. */
export const MUSIC_LABELS: ReadonlySet<string> = new Set(['music', 'singing', 'speech_over_music']);

/** Segment labels whose total decides `musicDetected`. */
export const MUSIC_DETECTION_LABELS: ReadonlySet<string> = new Set(['music', 'singing']);

/** Minimum total `music` + `singing` (s) for `musicDetected`. */
export const MIN_MUSIC_SEC = 2;

interface SegmentLike {
  label?: unknown;
  start?: unknown;
  end?: unknown;
}

/** The segments of an `ok` segmentation section (any shape in), or null without one. */
function segmentsOf(segmentation: unknown): SegmentLike[] | null {
  const seg = segmentation as { status?: unknown; segments?: unknown } | undefined;
  return seg && seg.status === 'ok' && Array.isArray(seg.segments)
    ? (seg.segments as SegmentLike[])
    : null;
}

/**
 * @param segmentation - `ctx.sections.segmentation` (any shape; only an `ok` section with a
 *   `segments` array is used).
 * @param durationSec - decoded duration.
 * @param mergeGapSec - music segments closer than this are merged. @defaultValue 0.5
 */
export function selectMusicRegions(
  segmentation: unknown,
  durationSec: number,
  mergeGapSec = 0.5,
): RegionSelection {
  const whole: RegionSelection = {
    regions: [{ start: 0, end: durationSec }],
    musicDetected: true,
    source: 'whole_file',
  };
  const segments = segmentsOf(segmentation);
  if (!segments) return whole;
  const picked: { start: number; end: number }[] = [];
  let detectedSec = 0;
  for (const s of segments) {
    if (typeof s.label !== 'string' || !MUSIC_LABELS.has(s.label)) continue;
    if (typeof s.start !== 'number' || typeof s.end !== 'number' || !(s.end > s.start)) continue;
    const r = { start: Math.max(0, s.start), end: Math.min(durationSec, s.end) };
    picked.push(r);
    if (MUSIC_DETECTION_LABELS.has(s.label)) detectedSec += Math.max(0, r.end - r.start);
  }
  picked.sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const r of picked) {
    const last = merged[merged.length - 1];
    if (last && r.start - last.end < mergeGapSec) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  if (detectedSec < MIN_MUSIC_SEC) {
    // No (usable) music: describe the whole file anyway, flagged, because the heritage classifier
    // still reads vibrato, pitch range and spectral shape of speech and chant.
    return { regions: whole.regions, musicDetected: false, source: 'segmentation' };
  }
  return { regions: merged, musicDetected: true, source: 'segmentation' };
}

/** Longest non-speech gap (s) a performance span bridges: a breath, a rest, a note's decay. */
export const MAX_PERFORMANCE_GAP_SEC = 3;

/**
 * The spans a tempo describes: music regions joined across gaps of under `maxGapSec` that hold
 * no speech (labelled silence or noise: a rest, a breath, a decaying note), each extended over
 * such a gap that follows it (the last note's decay and the rest that closes a phrase or a loop).
 * A performance's tempo is beats per unit of its duration, and that duration includes its rests:
 * the 5.3-s solo trumpet loop is 8 beats at 90 BPM although only its first 2.7 s are labelled
 * music. Without a segmentation the regions are returned as they are.
 *
 * @param segmentation - `ctx.sections.segmentation` (as for `selectMusicRegions`).
 * @param regions - the music regions (`selectMusicRegions(…).regions`), ascending.
 * @param durationSec - decoded duration.
 */
export function selectPerformanceSpans(
  segmentation: unknown,
  regions: readonly TimeRegion[],
  durationSec: number,
  maxGapSec = MAX_PERFORMANCE_GAP_SEC,
): TimeRegion[] {
  const segments = segmentsOf(segmentation);
  if (!segments) return regions.map((r) => ({ ...r }));
  // Where speech is: a gap that holds any is not part of the performance.
  const speech: TimeRegion[] = [];
  for (const s of segments) {
    if (s.label !== 'speech' || typeof s.start !== 'number' || typeof s.end !== 'number') continue;
    speech.push({ start: s.start, end: s.end });
  }
  const quiet = (a: number, b: number): boolean =>
    b - a < maxGapSec && !speech.some((s) => s.start < b && s.end > a);
  const out: { start: number; end: number }[] = [];
  for (const r of regions) {
    const last = out[out.length - 1];
    if (last && quiet(last.end, r.start)) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  for (let k = 0; k < out.length; k++) {
    const span = out[k]!;
    const next = k + 1 < out.length ? out[k + 1]!.start : durationSec;
    // The trailing gap up to the next speech, the next span or the end of the file.
    let end = next;
    for (const s of speech) if (s.start >= span.end && s.start < end) end = s.start;
    if (end > span.end && end - span.end < maxGapSec) span.end = end;
  }
  return out;
}
