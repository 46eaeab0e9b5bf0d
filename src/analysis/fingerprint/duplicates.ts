/**
 * Duplicate pairs among a set of fingerprinted recordings: exact copies (same decoded audio
 * data), near-duplicates (the alignment covers most of both: re-encodes, other rates or bit
 * depths, a wrong-speed transfer) and partial overlaps (an excerpt inside a longer recording).
 */
import type { FingerprintPoints } from './encoding.js';
import {
  matchFingerprint,
  MemoryFingerprintIndex,
  type Alignment,
  type FingerprintIndex,
  type MatchOptions,
} from './match.js';

export type DuplicateKind = 'exact' | 'near_duplicate' | 'partial_overlap';

/** Version of the `sonoteca duplicates` JSON document (docs/schema/duplicates.schema.json). */
export const DUPLICATES_SCHEMA_VERSION = '1.0.0';

export interface FingerprintedRecording {
  /** Identifier printed in pairs (the input path for the CLI, a task id for the service). */
  readonly id: string;
  readonly durationSec: number;
  /** MD5 of the decoded audio data; null when unknown. */
  readonly pcmMd5: string | null;
  readonly points: FingerprintPoints;
}

export interface DuplicatePair {
  readonly a: string;
  readonly b: string;
  readonly kind: DuplicateKind;
  readonly offset_a_sec: number;
  readonly offset_b_sec: number;
  readonly duration_sec: number;
  readonly speed_ratio: number;
  readonly score: number;
}

/** Both recordings' share covered by the alignment for it to be a near-duplicate. */
export const NEAR_DUPLICATE_COVERAGE = 0.8;
/**
 * Matched regions are extended to a recording's start or end when it lies this close (s): the
 * first anchor peaks come up to a fraction of a second after the audio starts, the last triplets
 * end about one target zone (1.2 s) before it ends.
 */
const EDGE_START_SEC = 1;
const EDGE_END_SEC = 1.5;

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * The pair for an alignment of query `a` against recording `b`, edges extended, classified.
 * `speedRatio` of the alignment: how many times faster b plays than a.
 */
export function pairOf(
  a: FingerprintedRecording,
  b: FingerprintedRecording,
  al: Alignment,
): DuplicatePair {
  const s = al.speedRatio;
  let startA = al.offsetASec;
  let endA = al.offsetASec + al.durationSec;
  // b's times in a's clock: t_a = offsetA + (t_b − offsetB)·s.
  const bStartInA = startA - al.offsetBSec * s;
  const bEndInA = startA + (b.durationSec - al.offsetBSec) * s;
  const lead = Math.min(startA, startA - bStartInA);
  if (lead >= 0 && lead <= EDGE_START_SEC) startA -= lead;
  const tail = Math.min(a.durationSec - endA, bEndInA - endA);
  if (tail >= 0 && tail <= EDGE_END_SEC) endA += tail;
  const durationSec = endA - startA;
  const offsetB = al.offsetBSec + (startA - al.offsetASec) / s;
  const coverA = durationSec / Math.max(a.durationSec, 1e-9);
  const coverB = durationSec / s / Math.max(b.durationSec, 1e-9);
  const kind: DuplicateKind =
    coverA >= NEAR_DUPLICATE_COVERAGE && coverB >= NEAR_DUPLICATE_COVERAGE
      ? 'near_duplicate'
      : 'partial_overlap';
  return {
    a: a.id,
    b: b.id,
    kind,
    offset_a_sec: round(startA, 3),
    offset_b_sec: round(Math.max(0, offsetB), 3),
    duration_sec: round(durationSec, 3),
    speed_ratio: round(s, 5),
    score: round(al.score, 3),
  };
}

/** The same alignment seen from b's side (b as the query). */
export function invertAlignment(al: Alignment, aId: string): Alignment {
  return {
    ...al,
    recordingId: aId,
    offsetASec: al.offsetBSec,
    offsetBSec: al.offsetASec,
    durationSec: al.durationSec / al.speedRatio,
    speedRatio: 1 / al.speedRatio,
  };
}

/** An exact copy: same decoded audio data, aligned at 0 over the whole length. */
export function exactPair(a: FingerprintedRecording, b: FingerprintedRecording): DuplicatePair {
  return {
    a: a.id,
    b: b.id,
    kind: 'exact',
    offset_a_sec: 0,
    offset_b_sec: 0,
    duration_sec: round(a.durationSec, 3),
    speed_ratio: 1,
    score: 1,
  };
}

/**
 * Every duplicate pair among `recordings` (a before b in input order). Each pair is aligned in
 * both directions and the alignment with more consistent triplets is kept.
 */
export async function findDuplicatePairs(
  recordings: readonly FingerprintedRecording[],
  opts: MatchOptions = {},
): Promise<DuplicatePair[]> {
  const index = new MemoryFingerprintIndex();
  const order = new Map<string, number>();
  recordings.forEach((r, i) => {
    if (order.has(r.id)) return;
    order.set(r.id, i);
    index.add(r.id, r.points);
  });
  const best = new Map<string, { al: Alignment; query: number }>();
  for (const [i, r] of recordings.entries()) {
    if (order.get(r.id) !== i) continue;
    for (const al of await matchFingerprint(r.points, index, { ...opts, excludeId: r.id })) {
      const j = order.get(al.recordingId)!;
      const key = i < j ? `${i}/${j}` : `${j}/${i}`;
      const prev = best.get(key);
      if (!prev || al.inliers > prev.al.inliers) best.set(key, { al, query: i });
    }
  }
  const pairs: DuplicatePair[] = [];
  for (const [i, a] of recordings.entries()) {
    for (let j = i + 1; j < recordings.length; j++) {
      const b = recordings[j]!;
      if (order.get(a.id) !== i || order.get(b.id) !== j) continue;
      if (a.pcmMd5 !== null && a.pcmMd5 === b.pcmMd5) {
        pairs.push(exactPair(a, b));
        continue;
      }
      const found = best.get(`${i}/${j}`);
      if (!found) continue;
      const al = found.query === i ? found.al : invertAlignment(found.al, b.id);
      pairs.push(pairOf(a, b, al));
    }
  }
  return pairs;
}

/** Duplicates of one recording against an index (e.g. the store): its pairs, a = the query. */
export async function findDuplicatesOf(
  query: FingerprintedRecording,
  index: FingerprintIndex,
  lookupRecording: (id: string) => Promise<FingerprintedRecording | undefined>,
  opts: MatchOptions = {},
): Promise<DuplicatePair[]> {
  const pairs: DuplicatePair[] = [];
  for (const al of await matchFingerprint(query.points, index, { ...opts, excludeId: query.id })) {
    const b = await lookupRecording(al.recordingId);
    if (!b) continue;
    if (query.pcmMd5 !== null && query.pcmMd5 === b.pcmMd5) pairs.push(exactPair(query, b));
    else pairs.push(pairOf(query, b, al));
  }
  return pairs;
}
