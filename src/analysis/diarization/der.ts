/**
 * Diarization error rate (DER), computed as NIST md-eval and pyannote.metrics do:
 *
 *   DER = (missed + false alarm + speaker confusion) / total reference speech
 *
 * scored only inside a UEM (the evaluated regions), with a forgiveness collar removed around every
 * reference segment boundary, overlapped speech scored (several reference speakers may be active
 * at once), and the optimal one-to-one mapping between reference and hypothesis speakers (the one
 * maximising their co-occurring time, found with the Hungarian algorithm).
 *
 * Exact (no frame discretisation): every boundary of reference, hypothesis and scored region cuts
 * time into elementary intervals, in each of which the speaker sets are constant. Per interval of
 * duration d with N_ref reference and N_hyp hypothesis speakers, of which N_corr are mapped pairs
 * both active (md-eval's definitions):
 *   total += N_ref·d, missed += max(0, N_ref − N_hyp)·d, false alarm += max(0, N_hyp − N_ref)·d,
 *   confusion += (min(N_ref, N_hyp) − N_corr)·d.
 *
 * Collar convention: `collarSec` is removed on EACH side of every reference boundary (md-eval
 * `-c collarSec`). pyannote.metrics' `collar` parameter is the total width, so md-eval's 0.25 s
 * equals pyannote's `collar=0.5`.
 *
 * Hand-written because no maintained JavaScript library computes DER (the references are Perl
 * md-eval and Python pyannote.metrics); the parsers accept the NIST RTTM and UEM text formats.
 */
import { SonoError } from '../../errors.js';

/** One speaker turn: who speaks from `start` to `end` (seconds). */
export interface SpeakerTurn {
  readonly speaker: string;
  readonly start: number;
  readonly end: number;
}

/** A scored region, seconds. */
export interface TimeRegion {
  readonly start: number;
  readonly end: number;
}

export interface DerOptions {
  /** Seconds removed on each side of every reference boundary. @defaultValue 0 */
  readonly collarSec?: number;
  /** Scored regions; default: from 0 to the end of the last reference or hypothesis turn. */
  readonly uem?: readonly TimeRegion[];
}

export interface DerResult {
  /** (missed + falseAlarm + confusion) / total; NaN when there is no reference speech. */
  readonly der: number;
  /** Reference speech scored, speaker-seconds (overlap counts once per speaker). */
  readonly totalSec: number;
  readonly missedSec: number;
  readonly falseAlarmSec: number;
  readonly confusionSec: number;
  /** Seconds actually scored (UEM minus collars). */
  readonly scoredSec: number;
  /** Optimal mapping, hypothesis speaker → reference speaker (unmapped speakers absent). */
  readonly mapping: Readonly<Record<string, string>>;
}

/** Union of a list of regions, sorted, merged where they touch or overlap. */
export function mergeRegions(regions: readonly TimeRegion[]): TimeRegion[] {
  const sorted = regions.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** `a` minus `b` (both lists of regions). */
function subtractRegions(a: readonly TimeRegion[], b: readonly TimeRegion[]): TimeRegion[] {
  const bs = mergeRegions(b);
  const out: TimeRegion[] = [];
  for (const r of mergeRegions(a)) {
    let cur = r.start;
    for (const x of bs) {
      if (x.end <= cur || x.start >= r.end) continue;
      if (x.start > cur) out.push({ start: cur, end: x.start });
      cur = Math.max(cur, x.end);
      if (cur >= r.end) break;
    }
    if (cur < r.end) out.push({ start: cur, end: r.end });
  }
  return out;
}

/** Turns grouped by speaker, each speaker's own turns merged (a speaker overlapping itself counts once). */
function bySpeaker(turns: readonly SpeakerTurn[]): Map<string, TimeRegion[]> {
  const m = new Map<string, TimeRegion[]>();
  for (const t of turns) {
    if (!(t.end > t.start)) continue;
    let list = m.get(t.speaker);
    if (!list) m.set(t.speaker, (list = []));
    list.push({ start: t.start, end: t.end });
  }
  for (const [k, v] of m) m.set(k, mergeRegions(v));
  return m;
}

/**
 * Hungarian algorithm (Kuhn–Munkres, O(n³), potentials form) on a rectangular matrix: the
 * assignment of rows to distinct columns that MAXIMISES the summed score.
 * @returns for each row, its column or −1.
 */
export function assignMaxScore(score: readonly (readonly number[])[]): number[] {
  const nRows = score.length;
  const nCols = nRows > 0 ? score[0]!.length : 0;
  const n = Math.max(nRows, nCols);
  if (n === 0) return [];
  let maxV = 0;
  for (const r of score) for (const v of r) maxV = Math.max(maxV, v);
  // Square cost matrix (1-based, as in the classic formulation); padding cells cost maxV (score 0).
  const cost = (i: number, j: number): number =>
    i <= nRows && j <= nCols ? maxV - score[i - 1]![j - 1]! : maxV;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[j]: row assigned to column j
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost(i0, j) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToCol = new Array<number>(nRows).fill(-1);
  for (let j = 1; j <= n; j++) {
    const i = p[j]!;
    if (i >= 1 && i <= nRows && j <= nCols) rowToCol[i - 1] = j - 1;
  }
  return rowToCol;
}

/** Duration of the intersection of two sorted, merged region lists. */
function intersectionSec(a: readonly TimeRegion[], b: readonly TimeRegion[]): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!.start, b[j]!.start);
    const hi = Math.min(a[i]!.end, b[j]!.end);
    if (hi > lo) s += hi - lo;
    if (a[i]!.end < b[j]!.end) i++;
    else j++;
  }
  return s;
}

/** Restricts region lists to the scored regions. */
function clip(regions: readonly TimeRegion[], scored: readonly TimeRegion[]): TimeRegion[] {
  const out: TimeRegion[] = [];
  for (const r of regions)
    for (const s of scored) {
      const lo = Math.max(r.start, s.start);
      const hi = Math.min(r.end, s.end);
      if (hi > lo) out.push({ start: lo, end: hi });
    }
  return mergeRegions(out);
}

/** Computes DER of `hypothesis` against `reference` (see the module comment for conventions). */
export function computeDer(
  reference: readonly SpeakerTurn[],
  hypothesis: readonly SpeakerTurn[],
  opts: DerOptions = {},
): DerResult {
  const collar = opts.collarSec ?? 0;
  if (!(collar >= 0)) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'collarSec',
      detail: `must be >= 0, got ${collar}`,
    });
  }
  const lastEnd = Math.max(0, ...reference.map((t) => t.end), ...hypothesis.map((t) => t.end));
  const uem = mergeRegions(opts.uem ?? [{ start: 0, end: lastEnd }]);
  const collars: TimeRegion[] = [];
  if (collar > 0) {
    for (const t of reference) {
      collars.push({ start: t.start - collar, end: t.start + collar });
      collars.push({ start: t.end - collar, end: t.end + collar });
    }
  }
  const scored = subtractRegions(uem, collars);
  const refBy = new Map([...bySpeaker(reference)].map(([k, v]) => [k, clip(v, scored)]));
  const hypBy = new Map([...bySpeaker(hypothesis)].map(([k, v]) => [k, clip(v, scored)]));
  const refIds = [...refBy.keys()];
  const hypIds = [...hypBy.keys()];

  // Optimal mapping on co-occurrence inside the scored regions.
  const co = hypIds.map((h) => refIds.map((r) => intersectionSec(hypBy.get(h)!, refBy.get(r)!)));
  const assign = assignMaxScore(co);
  const mapping: Record<string, string> = {};
  let correctSec = 0;
  assign.forEach((col, row) => {
    if (col >= 0 && co[row]![col]! > 0) {
      mapping[hypIds[row]!] = refIds[col]!;
      correctSec += co[row]![col]!;
    }
  });

  // Sweep elementary intervals for N_ref and N_hyp.
  type Ev = { t: number; dRef: number; dHyp: number };
  const ev: Ev[] = [];
  for (const list of refBy.values())
    for (const r of list)
      ev.push({ t: r.start, dRef: 1, dHyp: 0 }, { t: r.end, dRef: -1, dHyp: 0 });
  for (const list of hypBy.values())
    for (const r of list)
      ev.push({ t: r.start, dRef: 0, dHyp: 1 }, { t: r.end, dRef: 0, dHyp: -1 });
  ev.sort((a, b) => a.t - b.t);
  let nRef = 0;
  let nHyp = 0;
  let prevT = ev.length > 0 ? ev[0]!.t : 0;
  let total = 0;
  let missed = 0;
  let fa = 0;
  let minSum = 0;
  for (const e of ev) {
    const d = e.t - prevT;
    if (d > 0) {
      total += nRef * d;
      missed += Math.max(0, nRef - nHyp) * d;
      fa += Math.max(0, nHyp - nRef) * d;
      minSum += Math.min(nRef, nHyp) * d;
    }
    nRef += e.dRef;
    nHyp += e.dHyp;
    prevT = e.t;
  }
  // Σ N_corr·d over intervals equals the mapped pairs' co-occurrence time.
  const confusion = Math.max(0, minSum - correctSec);
  const scoredSec = scored.reduce((s, r) => s + (r.end - r.start), 0);
  return {
    der: total > 0 ? (missed + fa + confusion) / total : NaN,
    totalSec: total,
    missedSec: missed,
    falseAlarmSec: fa,
    confusionSec: confusion,
    scoredSec,
    mapping,
  };
}

/** Turns of one file, keyed by the RTTM file id (2nd field). */
export type RttmByFile = Map<string, SpeakerTurn[]>;

/**
 * Parses NIST RTTM text: `SPEAKER <file> <chan> <start> <dur> <NA> <NA> <speaker> <NA> <NA>`.
 * Other record types and `;;` comments are ignored.
 * @param source - file name, for error messages.
 */
export function parseRttm(text: string, source = 'rttm'): RttmByFile {
  const out: RttmByFile = new Map();
  text.split(/\r?\n/).forEach((line, i) => {
    const s = line.trim();
    if (s === '' || s.startsWith(';;') || s.startsWith('#')) return;
    const f = s.split(/\s+/);
    if (f[0] !== 'SPEAKER') return;
    const start = Number(f[3]);
    const dur = Number(f[4]);
    const speaker = f[7];
    if (f.length < 8 || !Number.isFinite(start) || !Number.isFinite(dur) || dur < 0 || !speaker) {
      throw new SonoError('SONO_ERR_INVALID_LABELS', {
        path: source,
        detail: `line ${i + 1} is not a valid RTTM SPEAKER record: "${s}"`,
      });
    }
    const file = f[1]!;
    let list = out.get(file);
    if (!list) out.set(file, (list = []));
    list.push({ speaker, start, end: start + dur });
  });
  return out;
}

/** Parses a NIST UEM: `<file> <chan> <start> <end>` per line → regions per file id. */
export function parseUem(text: string, source = 'uem'): Map<string, TimeRegion[]> {
  const out = new Map<string, TimeRegion[]>();
  text.split(/\r?\n/).forEach((line, i) => {
    const s = line.trim();
    if (s === '' || s.startsWith(';;') || s.startsWith('#')) return;
    const f = s.split(/\s+/);
    const start = Number(f[2]);
    const end = Number(f[3]);
    if (f.length < 4 || !Number.isFinite(start) || !Number.isFinite(end) || end < start) {
      throw new SonoError('SONO_ERR_INVALID_LABELS', {
        path: source,
        detail: `line ${i + 1} is not a valid UEM record: "${s}"`,
      });
    }
    let list = out.get(f[0]!);
    if (!list) out.set(f[0]!, (list = []));
    list.push({ start, end });
  });
  return out;
}
