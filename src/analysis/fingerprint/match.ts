/**
 * Matching fingerprints: look the query's triplet hashes up in an index, group the hits by
 * recording, and align each candidate. A true duplicate puts its hits on one line
 * t_b = intercept + slope·t_a (slope = 1 / speed ratio); chance hits scatter. The speed is first
 * estimated from the log-frequency shifts of the hits (a speed change s shifts every peak by
 * 12·log2 s semitones), then the line is fitted robustly (RANSAC) to the hits that agree.
 */
import { fitLineRansac } from '../../dsp/line-fit.js';
import { mulberry32 } from '../../dsp/random.js';
import { queryHashes } from '../../dsp/triplet-hash.js';
import type { FingerprintPoints } from './encoding.js';

/** One stored triplet of an indexed recording. */
export interface Posting {
  readonly hash: number;
  readonly recordingId: string;
  readonly timeSec: number;
  readonly lfSt: number;
}

/** An inverted index of triplet hashes (in memory for the CLI, the store for the service). */
export interface FingerprintIndex {
  /** All postings of the given hashes (any order). */
  lookup(hashes: readonly number[]): Promise<readonly Posting[]>;
}

export interface MatchOptions {
  /** Largest speed change searched, as a fraction. @defaultValue 0.12 */
  readonly maxSpeedChange?: number;
  /** Fewer consistent triplets than this is no match. @defaultValue 12 */
  readonly minInliers?: number;
  /** Consistent triplets per second of matched audio at least. @defaultValue 1 */
  readonly minInliersPerSec?: number;
  /** Matched regions shorter than this are ignored (s). @defaultValue 2 */
  readonly minDurationSec?: number;
  /** Candidates aligned at most (those with the most hits). @defaultValue 50 */
  readonly maxCandidates?: number;
  /** A recording id to leave out (the query itself). */
  readonly excludeId?: string;
}

/** How one recording (b) aligns with the query (a). */
export interface Alignment {
  readonly recordingId: string;
  /** Start of the matched region in a and the corresponding time in b (s). */
  readonly offsetASec: number;
  readonly offsetBSec: number;
  /** Length of the matched region, in a's time (s). */
  readonly durationSec: number;
  /** How many times faster b plays than a (1.06: b is 6 % fast, pitch and tempo together). */
  readonly speedRatio: number;
  /** Query triplets consistent with the alignment. */
  readonly inliers: number;
  /** Share of the query's triplets inside the matched region that are consistent (0–1). */
  readonly score: number;
}

/** Hits of the query against one recording, as parallel arrays. */
interface Hits {
  qi: number[];
  tB: number[];
  dLf: number[];
}

const TOLERANCE_SEC = 0.05;
const LF_BIN_ST = 0.25;
const LF_KEEP_ST = 0.75;

/** Aligns the query against every recording of the index that shares enough hashes. */
export async function matchFingerprint(
  query: FingerprintPoints,
  index: FingerprintIndex,
  opts: MatchOptions = {},
): Promise<Alignment[]> {
  const maxSpeed = opts.maxSpeedChange ?? 0.12;
  // The query hashes, expanded near octave-band edges; hash → query point indices.
  const byHash = new Map<number, number[]>();
  for (let i = 0; i < query.hashes.length; i++) {
    const t = { hash: query.hashes[i]!, timeSec: query.timesSec[i]!, lfSt: query.lfSt[i]! };
    for (const h of queryHashes(t, maxSpeed)) {
      const list = byHash.get(h);
      if (list) list.push(i);
      else byHash.set(h, [i]);
    }
  }
  const postings = await index.lookup([...byHash.keys()]);
  const maxDLf = 12 * Math.log2(1 + maxSpeed);
  const hits = new Map<string, Hits>();
  for (const p of postings) {
    if (p.recordingId === opts.excludeId) continue;
    for (const qi of byHash.get(p.hash) ?? []) {
      const dLf = p.lfSt - query.lfSt[qi]!;
      if (Math.abs(dLf) > maxDLf + LF_KEEP_ST) continue;
      let h = hits.get(p.recordingId);
      if (!h) {
        h = { qi: [], tB: [], dLf: [] };
        hits.set(p.recordingId, h);
      }
      h.qi.push(qi);
      h.tB.push(p.timeSec);
      h.dLf.push(dLf);
    }
  }
  const minInliers = opts.minInliers ?? 12;
  const candidates = [...hits.entries()]
    .filter(([, h]) => h.qi.length >= minInliers)
    .sort((x, y) => y[1].qi.length - x[1].qi.length || (x[0] < y[0] ? -1 : 1))
    .slice(0, opts.maxCandidates ?? 50);
  const out: Alignment[] = [];
  for (const [id, h] of candidates) {
    const a = alignHits(id, query, h, opts);
    if (a) out.push(a);
  }
  return out.sort((x, y) => y.inliers - x.inliers);
}

function alignHits(
  recordingId: string,
  query: FingerprintPoints,
  hits: Hits,
  opts: MatchOptions,
): Alignment | undefined {
  const maxSpeed = opts.maxSpeedChange ?? 0.12;
  const minInliers = opts.minInliers ?? 12;
  // 1. The dominant log-frequency shift (smoothed histogram of the hits' shifts).
  const maxDLf = 12 * Math.log2(1 + maxSpeed) + LF_KEEP_ST;
  const nBins = 2 * Math.ceil(maxDLf / LF_BIN_ST) + 1;
  const mid = (nBins - 1) / 2;
  const hist = new Float64Array(nBins);
  for (const d of hits.dLf) {
    const b = Math.round(d / LF_BIN_ST) + mid;
    if (b >= 0 && b < nBins) hist[b]! += 1;
  }
  let bestBin = mid;
  let bestVal = -1;
  for (let b = 0; b < nBins; b++) {
    const v = (hist[b - 1] ?? 0) + 2 * hist[b]! + (hist[b + 1] ?? 0);
    if (v > bestVal) {
      bestVal = v;
      bestBin = b;
    }
  }
  const shiftSt = (bestBin - mid) * LF_BIN_ST;
  // 2. Keep the hits that agree with it; fit t_b = intercept + slope · t_a.
  const keep: number[] = [];
  for (let k = 0; k < hits.dLf.length; k++) {
    if (Math.abs(hits.dLf[k]! - shiftSt) <= LF_KEEP_ST) keep.push(k);
  }
  if (keep.length < minInliers) return undefined;
  const xs = new Float64Array(keep.length);
  const ys = new Float64Array(keep.length);
  const groups = new Int32Array(keep.length);
  keep.forEach((k, i) => {
    const qi = hits.qi[k]!;
    xs[i] = query.timesSec[qi]!;
    ys[i] = hits.tB[k]!;
    groups[i] = qi;
  });
  const speedFromShift = 2 ** (shiftSt / 12);
  const slack = 2 ** (LF_KEEP_ST / 12);
  const fit = fitLineRansac(xs, ys, {
    minSlope: Math.max(1 / (1 + maxSpeed), 1 / (speedFromShift * slack)),
    maxSlope: Math.min(1 / (1 - maxSpeed), slack / speedFromShift),
    toleranceY: TOLERANCE_SEC,
    iterations: 400,
    minPairSpanX: 0.5,
    random: mulberry32(keep.length * 7919 + 17),
    groups,
  });
  if (!fit || fit.inliers.length < minInliers) return undefined;
  let first = Infinity;
  let last = -Infinity;
  for (const i of fit.inliers) {
    first = Math.min(first, xs[i]!);
    last = Math.max(last, xs[i]!);
  }
  const durationSec = last - first;
  if (durationSec < (opts.minDurationSec ?? 2)) return undefined;
  const inliers = fit.inliers.length;
  if (inliers / durationSec < (opts.minInliersPerSec ?? 1)) return undefined;
  let inRegion = 0;
  for (let i = 0; i < query.timesSec.length; i++) {
    const t = query.timesSec[i]!;
    if (t >= first && t <= last) inRegion++;
  }
  return {
    recordingId,
    offsetASec: first,
    offsetBSec: fit.intercept + fit.slope * first,
    durationSec,
    speedRatio: 1 / fit.slope,
    inliers,
    score: inRegion > 0 ? Math.min(1, inliers / inRegion) : 0,
  };
}

/** An in-memory inverted index (the CLI's, over the files of one run). */
export class MemoryFingerprintIndex implements FingerprintIndex {
  private readonly postings = new Map<number, Posting[]>();

  add(recordingId: string, points: FingerprintPoints): void {
    for (let i = 0; i < points.hashes.length; i++) {
      const hash = points.hashes[i]!;
      const p: Posting = {
        hash,
        recordingId,
        timeSec: points.timesSec[i]!,
        lfSt: points.lfSt[i]!,
      };
      const list = this.postings.get(hash);
      if (list) list.push(p);
      else this.postings.set(hash, [p]);
    }
  }

  lookup(hashes: readonly number[]): Promise<readonly Posting[]> {
    const out: Posting[] = [];
    for (const h of hashes) for (const p of this.postings.get(h) ?? []) out.push(p);
    return Promise.resolve(out);
  }
}
