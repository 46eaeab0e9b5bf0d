/**
 * The diarization pipeline run in `finish()`, over the compact frame features of a whole recording
 * (docs/DIARIZATION.md has the full description):
 *
 * 1. speech frames from the given speech regions (Silero VAD's, or the energy fallback);
 * 2. MFCC c1…c19 from the stored log-mel, mean/variance normalised over the speech frames;
 * 3. speaker-change detection inside each region (sliding GLR + BIC validation), long segments cut;
 * 4. one embedding per segment through the EmbeddingEngine (default: MFCC mean/std pooling);
 * 5. cosine engines: eigengap count + average-linkage AHC, block-Viterbi GMM resegmentation, a
 *    full-covariance BIC merge check, frame-level refinement. Gaussian-statistics engine: BIC-AHC
 *    initial partition, then ICSI-style GMM clustering (gmm-clustering.ts);
 * 6. bounds minSpeakers/maxSpeakers honoured throughout;
 * 7. overlap marking where, inside one speaker's turn, a second speaker's model keeps winning;
 * 8. turns, per-speaker statistics, overlaps.
 */
import { dctMatrix } from '../../dsp/mel.js';
import { detectSpeakerChanges, type ChangeDetectionOptions } from './change-detection.js';
import { clusterByBic, clusterByCosine, type ClusteringResult } from './clustering.js';
import {
  StatisticsEmbeddingEngine,
  unpackStatistics,
  type EmbeddingEngine,
  type FeatureWindow,
} from './embedding-engine.js';
import type { FrameFeatureStore } from './feature-store.js';
import { deltaBic, GaussianStats } from './gaussian.js';
import { clusterGmmBic, type GmmClusteringOptions } from './gmm-clustering.js';
import { gmmLogLikelihood, trainDiagGmm, viterbi, type DiagGmm } from './resegmentation.js';
import { findSyllableNuclei, meanLevelDb, percentile } from './speaker-stats.js';
import type { TimeRegion } from './der.js';

export interface DiarizeOptions {
  /** @defaultValue 1 */
  readonly minSpeakers?: number;
  /** @defaultValue 10 */
  readonly maxSpeakers?: number;
  /** @defaultValue StatisticsEmbeddingEngine */
  readonly engine?: EmbeddingEngine;
  /** BIC penalty weight of clustering. @defaultValue 1 */
  readonly clusterLambda?: number;
  /** Frames quieter than the speech's 95th-percentile level minus this are not used to train speaker models. @defaultValue 30 */
  readonly informativeBelowPeakDb?: number;
  /** Settings of the GMM clustering loop (components, block length, penalties). */
  readonly gmmClustering?: Partial<GmmClusteringOptions>;
  /** Size of the over-clustered initial partition (at most one per 2.5 s of speech). @defaultValue 16 */
  readonly initialClusters?: number;
  /** Resegmentation iterations (0 disables). @defaultValue 2 */
  readonly resegmentIterations?: number;
  /** Speaker-switch penalty of the Viterbi pass, nats. @defaultValue 25 */
  readonly switchPenalty?: number;
  /** Block length of the resegmentation Viterbi (minimum duration), frames. @defaultValue 50 */
  readonly resegmentBlockFrames?: number;
  /** Switch penalty of the final frame-level refinement, nats. @defaultValue 50 */
  readonly finalSwitchPenalty?: number;
  /** Mark overlapped speech. @defaultValue true */
  readonly detectOverlap?: boolean;
  /** Share of frames a second speaker must win in a 1 s window to mark overlap. @defaultValue 0.45 */
  readonly overlapWinShare?: number;
  /** Number of MFCC used (c1…c_n). @defaultValue 19 */
  readonly mfccCount?: number;
  /** Speaker-change detection settings. */
  readonly changeDetection?: ChangeDetectionOptions;
  /** Longest segment handed to clustering, frames (longer ones are cut evenly). @defaultValue 150 */
  readonly maxSegmentFrames?: number;
}

export interface DiarizedTurn {
  readonly speaker: string;
  readonly start: number;
  readonly end: number;
}

export interface DiarizedOverlap {
  readonly start: number;
  readonly end: number;
  readonly speakers: readonly string[];
}

export interface SpeakerSummary {
  readonly id: string;
  readonly talk_time_sec: number;
  readonly share: number;
  readonly turns: number;
  readonly f0_mean_hz: number | null;
  readonly f0_range_hz: readonly [number, number] | null;
  readonly speech_rate_syllables_per_sec: number | null;
  readonly loudness_mean_db: number | null;
  readonly interruptions: number;
  readonly overlap_sec: number;
}

export interface DiarizationResult {
  readonly speakers: readonly SpeakerSummary[];
  readonly turns: readonly DiarizedTurn[];
  readonly overlaps: readonly DiarizedOverlap[];
  readonly speechSec: number;
  readonly clustersBeforeResegmentation: number;
  readonly stopValue: number;
  readonly segmentsDetected: number;
  readonly estimatedBy: 'bic' | 'eigengap' | 'bounds';
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r1 = (x: number): number => Math.round(x * 10) / 10;

/** Speech frame ranges [first, last] (inclusive) of the regions, on the store's frame grid. */
function regionFrames(
  store: FrameFeatureStore,
  regions: readonly TimeRegion[],
): [number, number][] {
  const out: [number, number][] = [];
  let prevEnd = -1;
  for (const r of [...regions].sort((a, b) => a.start - b.start)) {
    const a = Math.max(prevEnd + 1, Math.ceil((r.start - store.centerOffsetSec) / store.hopSec));
    const b = Math.min(
      store.frameCount - 1,
      Math.floor((r.end - store.centerOffsetSec) / store.hopSec),
    );
    if (b >= a) {
      out.push([a, b]);
      prevEnd = b;
    }
  }
  return out;
}

export function diarize(
  store: FrameFeatureStore,
  speechRegions: readonly TimeRegion[],
  opts: DiarizeOptions = {},
): Promise<DiarizationResult> | DiarizationResult {
  const engine = opts.engine ?? new StatisticsEmbeddingEngine();
  const ranges = regionFrames(store, speechRegions);
  const nSpeech = ranges.reduce((s, [a, b]) => s + b - a + 1, 0);
  const frameIdx = new Int32Array(nSpeech);
  {
    let o = 0;
    for (const [a, b] of ranges) for (let f = a; f <= b; f++) frameIdx[o++] = f;
  }
  const dim = opts.mfccCount ?? 19;
  const x = computeNormalisedMfcc(store, frameIdx, dim);
  // Region offsets into x.
  const regionStart: number[] = [];
  {
    let o = 0;
    for (const [a, b] of ranges) {
      regionStart.push(o);
      o += b - a + 1;
    }
    regionStart.push(o);
  }
  // 3. change detection → segments [xStart, xEnd)
  const maxSeg = opts.maxSegmentFrames ?? 150;
  const segments: [number, number][] = [];
  for (let r = 0; r < ranges.length; r++) {
    const s0 = regionStart[r]!;
    const len = regionStart[r + 1]! - s0;
    const bounds = detectSpeakerChanges(
      x.subarray(s0 * dim, (s0 + len) * dim),
      len,
      dim,
      opts.changeDetection,
    );
    for (let i = 0; i + 1 < bounds.length; i++) {
      // Long segments are cut evenly: a missed change then costs at most one piece.
      const a = s0 + bounds[i]!;
      const b = s0 + bounds[i + 1]!;
      const pieces = Math.max(1, Math.round((b - a) / maxSeg));
      for (let p = 0; p < pieces; p++)
        segments.push([
          a + Math.round(((b - a) * p) / pieces),
          a + Math.round(((b - a) * (p + 1)) / pieces),
        ]);
    }
  }
  const finishWith = (embeddings: Float32Array[], embedded: number[]): DiarizationResult =>
    finishDiarization(
      store,
      frameIdx,
      x,
      dim,
      ranges,
      regionStart,
      segments,
      embeddings,
      embedded,
      engine,
      opts,
    );
  // 4. embeddings of segments long enough (all of them if none is)
  let embedded = segments
    .map((_, i) => i)
    .filter((i) => segments[i]![1] - segments[i]![0] >= engine.minFrames);
  if (embedded.length === 0) embedded = segments.map((_, i) => i);
  const windows = embedded.map((i) => featureWindow(store, frameIdx, x, dim, segments[i]!));
  const embs = windows.map((w) => engine.embed(w));
  if (embs.some((e) => e instanceof Promise)) {
    return Promise.all(embs).then((e) => finishWith(e, embedded));
  }
  return finishWith(embs as Float32Array[], embedded);
}

/** MFCC c1…c_dim of the given frames from the stored log-mel, CMVN over those frames. */
function computeNormalisedMfcc(
  store: FrameFeatureStore,
  frameIdx: Int32Array,
  dim: number,
): Float32Array {
  const nMels = store.nMels;
  const dct = dctMatrix(nMels, dim + 1);
  const n = frameIdx.length;
  const x = new Float32Array(n * dim);
  const mel = new Float32Array(nMels);
  for (let i = 0; i < n; i++) {
    store.readMel(frameIdx[i]!, mel);
    for (let k = 1; k <= dim; k++) {
      let s = 0;
      for (let m = 0; m < nMels; m++) s += dct[k * nMels + m]! * mel[m]!;
      x[i * dim + k - 1] = s;
    }
  }
  for (let d = 0; d < dim; d++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * dim + d]!;
    m /= Math.max(1, n);
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[i * dim + d]! - m) ** 2;
    const inv = 1 / Math.sqrt(v / Math.max(1, n) || 1);
    for (let i = 0; i < n; i++) x[i * dim + d] = (x[i * dim + d]! - m) * inv;
  }
  return x;
}

function featureWindow(
  store: FrameFeatureStore,
  frameIdx: Int32Array,
  x: Float32Array,
  dim: number,
  [a, b]: [number, number],
): FeatureWindow {
  const nFrames = b - a;
  const self = {
    nFrames,
    mfcc: x.subarray(a * dim, b * dim),
    mfccDim: dim,
    nMels: store.nMels,
    // log-mel is decoded only when an engine asks for it
    get melLog(): Float32Array {
      const out = new Float32Array(nFrames * store.nMels);
      const row = new Float32Array(store.nMels);
      for (let i = 0; i < nFrames; i++) {
        store.readMel(frameIdx[a + i]!, row);
        out.set(row, i * store.nMels);
      }
      return out;
    },
  };
  return self;
}

function finishDiarization(
  store: FrameFeatureStore,
  frameIdx: Int32Array,
  x: Float32Array,
  dim: number,
  ranges: [number, number][],
  regionStart: number[],
  segments: [number, number][],
  embeddings: Float32Array[],
  embedded: number[],
  engine: EmbeddingEngine,
  opts: DiarizeOptions,
): DiarizationResult {
  const n = frameIdx.length;
  const minK = Math.max(1, opts.minSpeakers ?? 1);
  const maxK = Math.max(minK, opts.maxSpeakers ?? 10);
  const bounds = { minClusters: minK, maxClusters: maxK };
  const speechSec = n * store.hopSec;
  const gaussian = engine.space === 'gaussian-bic';
  // Gaussian statistics: an over-clustered initial partition (BIC-AHC forced down to initK),
  // refined and merged by the GMM/BIC loop. Cosine embeddings: eigengap + AHC, then resegmentation.
  const initK = Math.max(minK, Math.min(opts.initialClusters ?? 16, Math.floor(speechSec / 2.5)));
  const clustering: ClusteringResult = gaussian
    ? clusterByBic(
        embeddings.map((e) => unpackStatistics(e)),
        { minClusters: initK, maxClusters: initK, lambda: opts.clusterLambda ?? 1 },
      )
    : clusterByCosine(embeddings, bounds);
  let labels: Int32Array = new Int32Array(n).fill(-1);
  embedded.forEach((segI, e) => {
    const [a, b] = segments[segI]!;
    labels.fill(clustering.labels[e]!, a, b);
  });
  fillUnlabelled(labels);
  let k = n === 0 ? 0 : clustering.k;
  let estimatedBy: DiarizationResult['estimatedBy'] = gaussian ? 'bic' : 'eigengap';
  let stopValue = clustering.stopValue;
  const penalty = opts.switchPenalty ?? 25;
  let lastLl: Float64Array | undefined;
  if (gaussian && k > 1) {
    const g = clusterGmmBic(x, dim, regionStart, labels, {
      informative: informativeFrames(store, frameIdx, opts.informativeBelowPeakDb ?? 30),
      minClusters: minK,
      maxClusters: maxK,
      switchPenalty: penalty,
      ...opts.gmmClustering,
    });
    labels = g.labels;
    k = g.k;
    lastLl = g.ll;
    stopValue = g.stopValue;
  } else if (k > 1) {
    const iters = opts.resegmentIterations ?? 2;
    const block = opts.resegmentBlockFrames ?? 50;
    const resegment = (blockFrames: number, switchPenalty: number): void => {
      const gmms = trainSpeakerGmms(x, dim, labels, k);
      const ll = new Float64Array(n * k);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < k; c++) ll[i * k + c] = gmmLogLikelihood(gmms[c]!, x, i * dim);
      for (let r = 0; r < ranges.length; r++) {
        const s0 = regionStart[r]!;
        const len = regionStart[r + 1]! - s0;
        labels.set(
          blockViterbi(ll.subarray(s0 * k, (s0 + len) * k), len, k, blockFrames, switchPenalty),
          s0,
        );
      }
      lastLl = ll;
    };
    // Block Viterbi (a minimum duration): frame-level alignment would let models specialise into
    // phone classes instead of voices.
    for (let it = 0; it < iters; it++) resegment(block, penalty);
    // BIC merge check on the resegmented clusters: eigengap errs towards splitting one voice into
    // two; merge while the full-covariance ΔBIC of the closest pair says "one source".
    const info = informativeFrames(store, frameIdx, opts.informativeBelowPeakDb ?? 30);
    for (;;) {
      const used = new Int32Array(k);
      for (const l of labels) used[l]!++;
      const live = [...used.keys()].filter((c) => used[c]! > 0);
      if (live.length <= minK) break;
      const st = new Map<number, GaussianStats>();
      for (const c of live) st.set(c, new GaussianStats(dim));
      for (let i = 0; i < n; i++) if (info[i]) st.get(labels[i]!)!.add(x, i * dim);
      let best = Infinity;
      let ba = -1;
      let bb = -1;
      for (let p = 0; p < live.length; p++)
        for (let q = p + 1; q < live.length; q++) {
          const sa = st.get(live[p]!)!;
          const sb = st.get(live[q]!)!;
          if (sa.n < 2 || sb.n < 2) {
            best = -Infinity;
            ba = sa.n <= sb.n ? live[q]! : live[p]!;
            bb = sa.n <= sb.n ? live[p]! : live[q]!;
            continue;
          }
          const d = deltaBic(sa, sb, opts.clusterLambda ?? 1, 1);
          if (d < best) {
            best = d;
            ba = live[p]!;
            bb = live[q]!;
          }
        }
      stopValue = best;
      if (best >= 0 && live.length <= maxK) break;
      for (let i = 0; i < n; i++) if (labels[i] === bb) labels[i] = ba;
      lastLl = undefined;
      estimatedBy = 'bic';
    }
    // final frame-level refinement of the boundaries with the (merged) speaker models
    if (iters > 0) resegment(1, opts.finalSwitchPenalty ?? 50);
    // keep labels dense (a cluster may have lost all its frames)
    const used = new Int32Array(k);
    for (const l of labels) used[l]!++;
    if (used.some((u) => u === 0)) lastLl = undefined;
    const remap = new Int32Array(k);
    let nk = 0;
    for (let c = 0; c < k; c++) remap[c] = used[c]! > 0 ? nk++ : -1;
    for (let i = 0; i < n; i++) labels[i] = remap[labels[i]!]!;
    k = nk;
  }
  if (k <= 1) labels.fill(0);
  if ((k === minK && minK > 1) || (k === maxK && stopValue > 0)) estimatedBy = 'bounds';

  // 8. turns (speech-only runs), speaker ids by first appearance
  const hop = store.hopSec;
  const half = hop / 2;
  const idOf = new Map<number, string>();
  const speakerId = (l: number): string => {
    let id = idOf.get(l);
    if (id === undefined) idOf.set(l, (id = `SPEAKER_${String(idOf.size).padStart(2, '0')}`));
    return id;
  };
  const turns: DiarizedTurn[] = [];
  for (let r = 0; r < ranges.length; r++) {
    const s0 = regionStart[r]!;
    const e0 = regionStart[r + 1]!;
    let runStart = s0;
    for (let i = s0 + 1; i <= e0; i++) {
      if (i === e0 || labels[i] !== labels[runStart]) {
        const start = store.timeOf(frameIdx[runStart]!) - half;
        const end = store.timeOf(frameIdx[i - 1]!) + half;
        turns.push({
          speaker: speakerId(labels[runStart]!),
          start: r3(Math.max(0, start)),
          end: r3(end),
        });
        runStart = i;
      }
    }
  }

  // 7. overlaps
  const overlaps: DiarizedOverlap[] = [];
  if ((opts.detectOverlap ?? true) && lastLl && k > 1) {
    const share = opts.overlapWinShare ?? 0.45;
    const win = 100;
    const step = 25;
    for (let r = 0; r < ranges.length; r++) {
      const s0 = regionStart[r]!;
      const e0 = regionStart[r + 1]!;
      let open: { a: number; b: number; s1: number; s2: number } | undefined;
      for (let w0 = s0; w0 + win <= e0; w0 += step) {
        // the window must lie inside one turn (a boundary region is not an overlap)
        const owner = labels[w0]!;
        let inside = true;
        for (let i = w0; i < w0 + win; i++) if (labels[i] !== owner) inside = false;
        const wins = new Int32Array(k);
        if (inside) {
          for (let i = w0; i < w0 + win; i++) {
            let best = 0;
            for (let s = 1; s < k; s++) if (lastLl[i * k + s]! > lastLl[i * k + best]!) best = s;
            wins[best]!++;
          }
        }
        let other = -1;
        for (let s = 0; s < k; s++)
          if (s !== owner && (other < 0 || wins[s]! > wins[other]!)) other = s;
        const hit = inside && other >= 0 && wins[other]! >= share * win;
        if (hit && open && open.s2 === other && w0 <= open.b) open.b = w0 + win;
        else {
          if (open) overlaps.push(toOverlap(open));
          open = hit ? { a: w0, b: w0 + win, s1: owner, s2: other } : undefined;
        }
      }
      if (open) overlaps.push(toOverlap(open));
    }
  }
  function toOverlap(o: { a: number; b: number; s1: number; s2: number }): DiarizedOverlap {
    return {
      start: r3(store.timeOf(frameIdx[o.a]!) - half),
      end: r3(store.timeOf(frameIdx[o.b - 1]!) + half),
      speakers: [speakerId(o.s1), speakerId(o.s2)],
    };
  }

  const speakers = summariseSpeakers(store, frameIdx, labels, turns, overlaps, speakerId, k);
  return {
    speakers,
    turns,
    overlaps,
    speechSec: r3(n * hop),
    clustersBeforeResegmentation: clustering.k,
    stopValue,
    segmentsDetected: segments.length,
    estimatedBy,
  };
}

/** Viterbi over blocks of `block` frames (summed log-likelihoods); one label per frame. */
function blockViterbi(
  ll: Float64Array,
  nFrames: number,
  k: number,
  block: number,
  switchPenalty: number,
): Int32Array {
  if (block <= 1) return viterbi(ll, nFrames, k, switchPenalty);
  const nb = Math.ceil(nFrames / block);
  const bl = new Float64Array(nb * k);
  for (let i = 0; i < nFrames; i++) {
    const b = Math.floor(i / block);
    for (let c = 0; c < k; c++) bl[b * k + c]! += ll[i * k + c]!;
  }
  const path = viterbi(bl, nb, k, switchPenalty);
  const out = new Int32Array(nFrames);
  for (let i = 0; i < nFrames; i++) out[i] = path[Math.floor(i / block)]!;
  return out;
}

/**
 * Frames loud enough to carry speaker information: within `belowPeakDb` of the speech's loud end
 * (95th percentile). The near-silence between syllables and words is mostly noise and reverb.
 */
function informativeFrames(
  store: FrameFeatureStore,
  frameIdx: Int32Array,
  belowPeakDb: number,
): Uint8Array {
  const level = new Float64Array(frameIdx.length);
  for (let i = 0; i < frameIdx.length; i++) level[i] = store.levelDb(frameIdx[i]!);
  const thr = percentile(level, 95) - belowPeakDb;
  const out = new Uint8Array(frameIdx.length);
  for (let i = 0; i < frameIdx.length; i++) out[i] = level[i]! >= thr ? 1 : 0;
  return out;
}

/** Gives frames without a label (−1) the label of the nearest labelled frame before (or after). */
function fillUnlabelled(labels: Int32Array): void {
  let last = -1;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= 0) last = labels[i]!;
    else if (last >= 0) labels[i] = last;
  }
  let next = 0;
  for (let i = labels.length - 1; i >= 0; i--) {
    if (labels[i]! >= 0) next = labels[i]!;
    else labels[i] = next;
  }
}

/** One GMM per label that has frames (16 components, at most 8 000 frames each, evenly subsampled). */
function trainSpeakerGmms(x: Float32Array, dim: number, labels: Int32Array, k: number): DiagGmm[] {
  const members: number[][] = Array.from({ length: k }, () => []);
  labels.forEach((l, i) => {
    if (l >= 0) members[l]!.push(i);
  });
  return members.map((m) => {
    const stride = Math.max(1, Math.ceil(m.length / 8000));
    const idx = stride === 1 ? m : m.filter((_, i) => i % stride === 0);
    return trainDiagGmm(x, dim, idx, 16, 4);
  });
}

export function summariseSpeakers(
  store: FrameFeatureStore,
  frameIdx: Int32Array,
  labels: Int32Array,
  turns: readonly DiarizedTurn[],
  overlaps: readonly DiarizedOverlap[],
  speakerId: (l: number) => string,
  k: number,
): SpeakerSummary[] {
  const n = frameIdx.length;
  if (n === 0 || k === 0) return [];
  // Syllable nuclei over the whole speech frame sequence (contiguous speech frames).
  const level = new Float64Array(n);
  const voiced: boolean[] = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    level[i] = store.levelDb(frameIdx[i]!);
    voiced[i] = store.f0Hz(frameIdx[i]!) > 0 && store.periodicity(frameIdx[i]!) >= 0.5;
  }
  const nuclei = findSyllableNuclei(level, voiced);
  const nucleiCount = new Int32Array(k);
  for (const p of nuclei) nucleiCount[labels[p]!]!++;
  const ids = [...new Set(turns.map((t) => t.speaker))];
  const labelOf = new Map<string, number>();
  for (let l = 0; l < k; l++) labelOf.set(speakerId(l), l);
  const talk = new Map<string, number>();
  for (const t of turns) talk.set(t.speaker, (talk.get(t.speaker) ?? 0) + t.end - t.start);
  const totalTalk =
    [...talk.values()].reduce((s, v) => s + v, 0) +
    overlaps.reduce((s, o) => s + o.end - o.start, 0);
  // turns = maximal runs of one speaker not interrupted by another speaker (pauses allowed)
  const turnCount = new Map<string, number>();
  let prev = '';
  for (const t of turns) {
    if (t.speaker !== prev) turnCount.set(t.speaker, (turnCount.get(t.speaker) ?? 0) + 1);
    prev = t.speaker;
  }
  return ids.map((id) => {
    const l = labelOf.get(id)!;
    const f0: number[] = [];
    const lv: number[] = [];
    for (let i = 0; i < n; i++) {
      if (labels[i] !== l) continue;
      lv.push(level[i]!);
      if (voiced[i]) f0.push(store.f0Hz(frameIdx[i]!));
    }
    const ov = overlaps.filter((o) => o.speakers.includes(id));
    // talk time: own turns plus the overlaps where this speaker talks over the turn holder
    const tt =
      (talk.get(id) ?? 0) +
      ov.filter((o) => o.speakers[1] === id).reduce((s, o) => s + o.end - o.start, 0);
    return {
      id,
      talk_time_sec: r3(tt),
      share: totalTalk > 0 ? r3(tt / totalTalk) : 0,
      turns: turnCount.get(id) ?? 0,
      f0_mean_hz: f0.length >= 10 ? r1(f0.reduce((s, v) => s + v, 0) / f0.length) : null,
      f0_range_hz: f0.length >= 10 ? [r1(percentile(f0, 5)), r1(percentile(f0, 95))] : null,
      speech_rate_syllables_per_sec:
        tt >= 1 ? Math.round((nucleiCount[l]! / tt) * 100) / 100 : null,
      loudness_mean_db: lv.length > 0 ? r1(meanLevelDb(lv)) : null,
      // the second-listed speaker of an overlap is the one who came in over the turn holder
      interruptions: ov.filter((o) => o.speakers[1] === id).length,
      overlap_sec: r3(ov.reduce((s, o) => s + o.end - o.start, 0)),
    };
  });
}
