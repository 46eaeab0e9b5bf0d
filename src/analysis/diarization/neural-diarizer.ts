/**
 * Model-based, overlap-aware diarization over the 16 kHz mono blocks the pipeline pushes
 * (docs/DIARIZATION.md):
 *
 * 1. sliding windows (10 s, step 5 s) through a `SegmentationEngine`: per frame (16.9 ms) the set
 *    of local speakers talking, overlap included; kept as one byte per frame;
 * 2. per window and local speaker, one embedding (`SpeakerEmbeddingEngine`) of its frames without
 *    overlap, taken from the window's own 5 s (the part no other window owns), so each second of
 *    speech is embedded about once; the whole window is used when the own part is too short;
 * 3. average-linkage AHC on cosine distance with a calibrated threshold, min/max speakers honoured,
 *    tiny clusters folded into their nearest neighbour;
 * 4. each window's local speakers mapped to distinct clusters (best total similarity), votes
 *    overlap-added on a global frame grid, the per-frame speaker count (mean over windows) picks
 *    how many clusters talk there — two where the model heard overlap.
 *
 * Memory per hour of audio: 720 windows × (589 bytes + ≤3 embeddings of 192 floats), never the
 * waveform (only the current window and one batch of windows are buffered).
 */
import { computeKaldiFbank } from '../../dsp/fbank.js';
import { clusterAhc, countConfidence, type AhcResult } from './ahc.js';
import { normaliseL2, type SpeakerEmbeddingEngine } from './engines/embedding-engine.js';
import { speakerBit, type SegmentationEngine } from './engines/segmentation-engine.js';

export interface NeuralDiarizerOptions {
  /** Hop between windows, seconds. @defaultValue 5 */
  readonly stepSec?: number;
  /** Windows per segmentation batch. @defaultValue 4 */
  readonly batchWindows?: number;
  /** AHC threshold on average cosine distance (calibrated on the corpus, docs/DIARIZATION.md). @defaultValue 0.45 */
  readonly threshold?: number;
  /** Clusters backed by less clean speech than this (seconds) are folded into the nearest. @defaultValue 0 (off) */
  readonly minClusterSec?: number;
  /** Embeddings that form clusters need this much clean speech of one speaker, seconds. @defaultValue 2 */
  readonly minEmbedSec?: number;
  /** @defaultValue 1 */
  readonly minSpeakers?: number;
  /** @defaultValue 10 */
  readonly maxSpeakers?: number;
}

interface LocalSpeaker {
  readonly window: number;
  readonly slot: number;
  /** Clean (non-overlapped) seconds behind the embedding. */
  readonly cleanSec: number;
  /** Embedded from too little (or overlapped) speech: assigned to a cluster, not used to form them. */
  readonly provisional: boolean;
  readonly embedding: Float32Array;
}

/** One speaker's activity on the global frame grid. */
export interface NeuralDiarization {
  /** Number of global frames. */
  readonly nFrames: number;
  readonly frameStepSec: number;
  /** Centre of global frame 0, seconds. */
  readonly frameCenterSec: number;
  /** Speaker bitmask per global frame (bit c: cluster c talks), clusters in order of first appearance. */
  readonly activity: Uint32Array;
  readonly k: number;
  /** L2-normalised centroid of each cluster. */
  readonly centroids: readonly Float32Array[];
  readonly countConfidence: number;
  readonly forcedByBounds: boolean;
  readonly windows: number;
  readonly embeddings: number;
  readonly threshold: number;
}

const FBANK_HOP_SEC = 0.01;
/** Largest AHC input: 1500² distances = 18 MB (bounded memory on multi-hour files). */
const MAX_AHC_ITEMS = 1500;
const FBANK_CENTER_SEC = 0.0125;

export class NeuralDiarizer {
  private readonly stepSamples: number;
  private readonly opts: Required<NeuralDiarizerOptions>;
  private buf: Float32Array;
  private bufLen = 0;
  /** Absolute sample index of buf[0] (= start of the next window). */
  private bufStart = 0;
  private totalSamples = 0;
  private readonly pending: { start: number; samples: Float32Array }[] = [];
  private readonly masks: Uint8Array[] = [];
  private readonly windowStarts: number[] = [];
  private readonly locals: LocalSpeaker[] = [];

  constructor(
    private readonly seg: SegmentationEngine,
    private readonly emb: SpeakerEmbeddingEngine,
    options: NeuralDiarizerOptions = {},
  ) {
    this.opts = {
      stepSec: options.stepSec ?? 5,
      batchWindows: options.batchWindows ?? 4,
      threshold: options.threshold ?? 0.45,
      minClusterSec: options.minClusterSec ?? 0,
      minEmbedSec: options.minEmbedSec ?? 2,
      minSpeakers: options.minSpeakers ?? 1,
      maxSpeakers: options.maxSpeakers ?? 10,
    };
    this.stepSamples = Math.round(this.opts.stepSec * seg.sampleRateHz);
    this.buf = new Float32Array(seg.windowSamples * 2);
  }

  async load(): Promise<void> {
    await Promise.all([this.seg.load(), this.emb.load()]);
  }

  /** Appends mono samples at the engine's rate; runs the windows they complete. */
  async push(block: Float32Array): Promise<void> {
    this.totalSamples += block.length;
    if (this.bufLen + block.length > this.buf.length) {
      const grown = new Float32Array(Math.max(this.buf.length * 2, this.bufLen + block.length));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    this.buf.set(block, this.bufLen);
    this.bufLen += block.length;
    const w = this.seg.windowSamples;
    while (this.bufLen >= w) {
      this.pending.push({ start: this.bufStart, samples: this.buf.slice(0, w) });
      this.buf.copyWithin(0, this.stepSamples, this.bufLen);
      this.bufLen -= this.stepSamples;
      this.bufStart += this.stepSamples;
    }
    if (this.pending.length >= this.opts.batchWindows) await this.runPending();
  }

  /** Flushes the last (zero-padded) window and clusters. */
  async finish(): Promise<NeuralDiarization> {
    const w = this.seg.windowSamples;
    // the tail the last full window did not reach (or a file shorter than one window)
    const none = this.windowStarts.length + this.pending.length === 0;
    if (this.bufLen > 0 && (none || this.bufLen > w - this.stepSamples)) {
      const last = new Float32Array(w);
      last.set(this.buf.subarray(0, Math.min(w, this.bufLen)));
      this.pending.push({ start: this.bufStart, samples: last });
    }
    await this.runPending();
    return this.cluster();
  }

  private async runPending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.pending.length);
    const masks = await this.seg.segment(batch.map((b) => b.samples));
    for (let i = 0; i < batch.length; i++) {
      const index = this.masks.length;
      this.masks.push(masks[i]!);
      this.windowStarts.push(batch[i]!.start);
      await this.embedWindow(index, batch[i]!.samples, masks[i]!);
    }
  }

  /** Embeds each local speaker of one window from its clean frames (own part first). */
  private async embedWindow(index: number, samples: Float32Array, mask: Uint8Array): Promise<void> {
    const sr = this.seg.sampleRateHz;
    const validSamples = Math.min(samples.length, this.totalSamples - this.windowStarts[index]!);
    const fb = computeKaldiFbank(samples.subarray(0, Math.max(0, validSamples)), {
      nMels: this.emb.nMels,
    });
    if (fb.nFrames === 0) return;
    const half = (this.seg.windowSamples - this.stepSamples) / 2 / sr;
    const ownFrom = index === 0 ? 0 : half;
    const ownTo = this.seg.windowSamples / sr - half;
    const segFrameOf = (t: number): number =>
      Math.min(
        this.seg.framesPerWindow - 1,
        Math.max(
          0,
          Math.round(
            (FBANK_CENTER_SEC + t * FBANK_HOP_SEC - this.seg.frameCenterSec) /
              this.seg.frameStepSec,
          ),
        ),
      );
    const d = fb.nMels;
    const rows = new Float32Array(fb.nFrames * d);
    const minFrames = Math.max(
      this.emb.minFrames,
      Math.round(this.opts.minEmbedSec / FBANK_HOP_SEC),
    );
    for (let slot = 0; slot < this.seg.maxLocalSpeakers; slot++) {
      const bit = speakerBit(slot);
      const pick = (own: boolean, clean: boolean): number => {
        let n = 0;
        for (let t = 0; t < fb.nFrames; t++) {
          const tc = FBANK_CENTER_SEC + t * FBANK_HOP_SEC;
          if (own && (tc < ownFrom || tc >= ownTo)) continue;
          const m = mask[segFrameOf(t)]!;
          if (clean ? m !== bit : (m & bit) === 0) continue;
          rows.set(fb.data.subarray(t * d, (t + 1) * d), n * d);
          n++;
        }
        return n;
      };
      let n = pick(true, true);
      if (n < minFrames) n = pick(false, true);
      let provisional = false;
      if (n < minFrames) {
        // short turns and backchannels: embed what there is (overlap included), assign only
        n = pick(false, false);
        provisional = true;
        if (n < this.emb.minFrames) continue;
      }
      const embedding = await this.emb.embed(rows, n);
      this.locals.push({
        window: index,
        slot,
        cleanSec: n * FBANK_HOP_SEC,
        embedding,
        provisional,
      });
    }
  }

  /**
   * Clusters the windows seen so far (after `finish()`); `overrides` re-runs the clustering with
   * other settings without re-running the models (threshold calibration in eval/).
   */
  cluster(
    overrides: Partial<Pick<NeuralDiarizerOptions, 'threshold' | 'minClusterSec'>> = {},
  ): NeuralDiarization {
    const o = { ...this.opts, ...overrides };
    const step = this.seg.frameStepSec;
    const sr = this.seg.sampleRateHz;
    const nFrames = Math.max(0, Math.ceil(this.totalSamples / sr / step));
    const base = {
      nFrames,
      frameStepSec: step,
      frameCenterSec: this.seg.frameCenterSec,
      windows: this.masks.length,
      embeddings: this.locals.length,
      threshold: o.threshold,
    };
    // nobody spoke a full second alone: cluster what there is rather than nothing
    const clean = this.locals.filter((l) => !l.provisional);
    const core = clean.length > 0 ? clean : this.locals;
    if (core.length === 0) {
      return {
        ...base,
        activity: new Uint32Array(nFrames),
        k: 0,
        centroids: [],
        countConfidence: 0,
        forcedByBounds: false,
      };
    }
    // AHC needs an n×n distance matrix: above MAX_AHC_ITEMS (a few hours of speech) it runs on
    // an even subsample and the other embeddings join the nearest resulting centroid.
    const stride = Math.ceil(core.length / MAX_AHC_ITEMS);
    const sample = stride > 1 ? core.filter((_, i) => i % stride === 0) : core;
    const ahc = clusterAhc(
      sample.map((l) => l.embedding),
      {
        threshold: o.threshold,
        minClusters: o.minSpeakers,
        maxClusters: o.maxSpeakers,
        weights: Float64Array.from(sample, (l) => l.cleanSec),
      },
    );
    const sampleLabels = this.foldSmallClusters(sample, ahc, o.minClusterSec);
    const k = Math.max(...sampleLabels) + 1;
    const sampleCentroids = this.centroids(sample, sampleLabels, k);
    const labels =
      stride > 1
        ? Int32Array.from(core, (l) => nearest(sampleCentroids, l.embedding))
        : sampleLabels;
    const centroids = this.centroids(core, labels, k);
    // every local speaker of every window (embedded or not) → a distinct cluster
    const byWindow = new Map<number, LocalSpeaker[]>();
    for (const l of this.locals) byWindow.set(l.window, [...(byWindow.get(l.window) ?? []), l]);
    const votes = new Float32Array(nFrames * k);
    const coverage = new Uint16Array(nFrames);
    const countSum = new Uint16Array(nFrames);
    for (let w = 0; w < this.masks.length; w++) {
      const mask = this.masks[w]!;
      const off = Math.round(this.windowStarts[w]! / sr / step);
      const assign = assignSlots(byWindow.get(w) ?? [], centroids);
      for (let f = 0; f < mask.length; f++) {
        const g = off + f;
        if (g >= nFrames) break;
        coverage[g]!++;
        let m = mask[f]!;
        let count = 0;
        for (let slot = 0; m !== 0; slot++, m >>= 1) {
          if ((m & 1) === 0) continue;
          count++;
          const c = assign[slot] ?? -1;
          if (c >= 0) votes[g * k + c]! += 1;
        }
        countSum[g]! += count;
      }
    }
    const activity = new Uint32Array(nFrames);
    for (let g = 0; g < nFrames; g++) {
      if (coverage[g] === 0) continue;
      const want = Math.round(countSum[g]! / coverage[g]!);
      // the `want` clusters with most votes (selection: want is 1 or 2 almost always)
      let bits = 0;
      for (let r = 0; r < Math.min(want, k); r++) {
        let best = -1;
        for (let c = 0; c < k; c++)
          if (
            !(bits & (1 << c)) &&
            votes[g * k + c]! > 0 &&
            (best < 0 || votes[g * k + c]! > votes[g * k + best]!)
          )
            best = c;
        if (best < 0) break;
        bits |= 1 << best;
      }
      activity[g] = bits;
    }
    const relabelled = relabelByFirstAppearance(activity, k, centroids);
    return {
      ...base,
      activity: relabelled.activity,
      k: relabelled.centroids.length,
      centroids: relabelled.centroids,
      countConfidence: countConfidence(ahc, o.threshold),
      forcedByBounds: ahc.forcedByBounds,
    };
  }

  /** Clusters with less than `minClusterSec` of clean speech join their most similar larger cluster. */
  private foldSmallClusters(
    core: readonly LocalSpeaker[],
    ahc: AhcResult,
    minClusterSec: number,
  ): Int32Array {
    const labels = Int32Array.from(ahc.labels);
    for (;;) {
      const k = Math.max(...labels) + 1;
      if (k <= this.opts.minSpeakers) break;
      const mass = new Float64Array(k);
      const minSec = minClusterSec;
      core.forEach((l, i) => (mass[labels[i]!]! += l.cleanSec));
      let small = -1;
      for (let c = 0; c < k; c++)
        if (mass[c]! < minSec && (small < 0 || mass[c]! < mass[small]!)) small = c;
      if (small < 0) break;
      const cents = this.centroids(core, labels, k);
      let best = -1;
      let bestSim = -Infinity;
      for (let c = 0; c < k; c++) {
        if (c === small) continue;
        const s = dot(cents[c]!, cents[small]!);
        if (s > bestSim) {
          bestSim = s;
          best = c;
        }
      }
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] === small) labels[i] = best;
        if (labels[i]! > small) labels[i]!--;
      }
    }
    return labels;
  }

  private centroids(core: readonly LocalSpeaker[], labels: Int32Array, k: number): Float32Array[] {
    const out = Array.from({ length: k }, () => new Float32Array(this.emb.dim));
    core.forEach((l, i) => {
      const c = out[labels[i]!]!;
      for (let j = 0; j < c.length; j++) c[j]! += l.embedding[j]! * l.cleanSec;
    });
    return out.map(normaliseL2);
  }
}

/**
 * Distinct clusters for the embedded local speakers of one window, maximising total cosine
 * similarity (brute force: at most 3 slots). Slots left without an embedding (too little clean
 * speech) stay unassigned (−1): their frames still count towards the number of speakers talking.
 */
function assignSlots(
  locals: readonly LocalSpeaker[],
  centroids: readonly Float32Array[],
): number[] {
  const k = centroids.length;
  const sims = locals.map((l) => centroids.map((c) => dot(c, l.embedding)));
  let best = -Infinity;
  let bestCombo: number[] = [];
  const rec = (i: number, used: number, acc: number, combo: number[]): void => {
    if (i === locals.length) {
      if (acc > best) {
        best = acc;
        bestCombo = [...combo];
      }
      return;
    }
    for (let c = 0; c < k; c++) {
      if (used & (1 << c)) continue;
      rec(i + 1, used | (1 << c), acc + sims[i]![c]!, [...combo, c]);
    }
    if (locals.length > k) rec(i + 1, used, acc - 1, [...combo, -1]);
  };
  rec(0, 0, 0, []);
  const assign: number[] = [];
  locals.forEach((l, i) => (assign[l.slot] = bestCombo[i] ?? -1));
  return assign;
}

function nearest(centroids: readonly Float32Array[], v: Float32Array): number {
  let best = 0;
  for (let c = 1; c < centroids.length; c++)
    if (dot(centroids[c]!, v) > dot(centroids[best]!, v)) best = c;
  return best;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function relabelByFirstAppearance(
  activity: Uint32Array,
  k: number,
  centroids: readonly Float32Array[],
): { activity: Uint32Array; centroids: Float32Array[] } {
  const map = new Int32Array(k).fill(-1);
  let next = 0;
  for (const bits of activity)
    for (let c = 0; c < k; c++) if (bits & (1 << c) && map[c]! < 0) map[c] = next++;
  const out = new Uint32Array(activity.length);
  activity.forEach((bits, g) => {
    let b = 0;
    for (let c = 0; c < k; c++) if (bits & (1 << c)) b |= 1 << map[c]!;
    out[g] = b;
  });
  const cents: Float32Array[] = new Array<Float32Array>(next);
  for (let c = 0; c < k; c++) if (map[c]! >= 0) cents[map[c]!] = centroids[c]!;
  return { activity: out, centroids: cents };
}
