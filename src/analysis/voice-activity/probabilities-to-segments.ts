/**
 * The one function that turns per-frame speech probabilities (from any VAD engine) into speech
 * segments. Hysteresis and durations follow Silero's `get_speech_timestamps`: a segment opens at the
 * first frame with p ≥ threshold, and closes at the first frame of a run of frames with
 * p < negThreshold lasting at least minSilenceSec (frames between the two thresholds keep an open
 * segment open); segments shorter than minSpeechSec are dropped; each segment is padded by
 * speechPadSec on both sides, a gap shorter than two pads being split in the middle.
 */

export interface SpeechSegment {
  /** Seconds. */
  readonly start: number;
  /** Seconds. */
  readonly end: number;
  /** Mean probability of the (unpadded) frames of the segment, in [0, 1]. */
  readonly confidence: number;
}

export interface SegmentOptions {
  /** Duration of one probability frame, seconds (Silero v5: 0.032). */
  readonly frameDurationSec: number;
  /** Opens a segment. @defaultValue 0.4 */
  readonly threshold?: number;
  /** Closes a segment (hysteresis). @defaultValue max(threshold − 0.15, 0.01) */
  readonly negThreshold?: number;
  /** Shorter segments are dropped. @defaultValue 0.25 */
  readonly minSpeechSec?: number;
  /** Shorter pauses do not end a segment. @defaultValue 0.3 */
  readonly minSilenceSec?: number;
  /** Padding added on both sides. @defaultValue 0.2 */
  readonly speechPadSec?: number;
  /** Clamps the last segment's end. @defaultValue probs.length × frameDurationSec */
  readonly totalDurationSec?: number;
  /** Divisor applied to each value (255 for a Uint8 probability track). @defaultValue 1 */
  readonly valueScale?: number;
}

/** Fully resolved options (what the report's settings echo). */
export interface ResolvedSegmentOptions {
  readonly threshold: number;
  readonly negThreshold: number;
  readonly minSpeechSec: number;
  readonly minSilenceSec: number;
  readonly speechPadSec: number;
}

/**
 * Defaults: threshold 0.4, minSilence 0.3 s, pad 0.2 s (Silero's own are 0.5 / 0.1 s / 0.03 s).
 * Speech annotations (RTTM turns, subtitles, archive logs) mark turns including onsets, breath
 * and short pauses; the wider padding and pause tolerance match that convention. On the corpus
 * conversations F1 is flat (0.93–0.95) over threshold 0.2–0.5 with these durations, so the
 * choice is not tuned to a decimal (see docs/SEGMENTATION.md).
 */
export function resolveSegmentOptions(
  o: Omit<SegmentOptions, 'frameDurationSec'>,
): ResolvedSegmentOptions {
  const threshold = o.threshold ?? 0.4;
  return {
    threshold,
    negThreshold: o.negThreshold ?? Math.max(threshold - 0.15, 0.01),
    minSpeechSec: o.minSpeechSec ?? 0.25,
    minSilenceSec: o.minSilenceSec ?? 0.3,
    speechPadSec: o.speechPadSec ?? 0.2,
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * @param probs - one probability per frame (frame i covers [i·d, (i+1)·d) seconds).
 * @returns segments in time order, non-overlapping, times rounded to the millisecond.
 */
export function probabilitiesToSegments(
  probs: ArrayLike<number>,
  options: SegmentOptions,
): SpeechSegment[] {
  const d = options.frameDurationSec;
  if (!(d > 0)) throw new RangeError(`frameDurationSec must be > 0, got ${d}`);
  const { threshold, negThreshold, minSpeechSec, minSilenceSec, speechPadSec } =
    resolveSegmentOptions(options);
  const scale = options.valueScale ?? 1;
  const n = probs.length;
  const total = options.totalDurationSec ?? n * d;
  // Frame-index ranges [start, end) first; seconds only at the end (no drift over long files).
  const raw: [number, number][] = [];
  let open = -1;
  let silentFrom = -1;
  const eps = 1e-9;
  const close = (endFrame: number): void => {
    if ((endFrame - open) * d >= minSpeechSec - eps) raw.push([open, endFrame]);
    open = -1;
    silentFrom = -1;
  };
  for (let i = 0; i < n; i++) {
    const p = probs[i]! / scale;
    if (p >= threshold) {
      silentFrom = -1;
      if (open < 0) open = i;
      continue;
    }
    if (open >= 0 && p < negThreshold) {
      if (silentFrom < 0) silentFrom = i;
      if ((i + 1 - silentFrom) * d >= minSilenceSec - eps) close(silentFrom);
    }
  }
  // A pause at the very end shorter than minSilenceSec is a pause, not the end of speech.
  if (open >= 0) close(n);

  const out: SpeechSegment[] = [];
  for (let k = 0; k < raw.length; k++) {
    const [a, b] = raw[k]!;
    let sum = 0;
    for (let i = a; i < b; i++) sum += probs[i]! / scale;
    const startSec = a * d;
    const endSec = Math.min(b * d, total);
    const prevEnd = k > 0 ? raw[k - 1]![1] * d : -Infinity;
    const nextStart = k + 1 < raw.length ? raw[k + 1]![0] * d : Infinity;
    const padStart =
      startSec - prevEnd < 2 * speechPadSec ? (startSec + prevEnd) / 2 : startSec - speechPadSec;
    const padEnd =
      nextStart - endSec < 2 * speechPadSec ? (endSec + nextStart) / 2 : endSec + speechPadSec;
    out.push({
      start: round3(Math.max(0, padStart)),
      end: round3(Math.min(total, padEnd)),
      confidence: round3(sum / (b - a)),
    });
  }
  return out;
}
