/**
 * Average-linkage agglomerative clustering of L2-normalised embeddings on cosine distance
 * (1 − cos), with the number of clusters decided by a distance threshold calibrated on the corpus
 * conversations (docs/DIARIZATION.md) and clamped to [minClusters, maxClusters].
 *
 * The dendrogram is built with the nearest-neighbour chain algorithm (O(n²) time and memory, valid
 * for average linkage because it is reducible); merges sorted by height and replayed through a
 * union-find give the flat clusters at any cut.
 */

export interface AhcOptions {
  /** Merge while the average cosine distance is at most this. */
  readonly threshold: number;
  /** @defaultValue 1 */
  readonly minClusters?: number;
  /** @defaultValue n */
  readonly maxClusters?: number;
  /** Weight of each item in the average (e.g. seconds of speech behind the embedding). */
  readonly weights?: Float64Array;
}

export interface AhcResult {
  /** Cluster of each item, 0 … k−1 in order of first appearance. */
  readonly labels: Int32Array;
  readonly k: number;
  /** Highest merge accepted (−∞ when none). */
  readonly lastMergeHeight: number;
  /** Lowest merge refused (+∞ when every item ended in one cluster). */
  readonly nextMergeHeight: number;
  /** Whether min/max forced the cut away from the threshold. */
  readonly forcedByBounds: boolean;
}

interface Merge {
  readonly a: number;
  readonly b: number;
  readonly h: number;
}

function cosineDistances(x: readonly Float32Array[]): Float64Array {
  const n = x.length;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const a = x[i]!;
      const b = x[j]!;
      let s = 0;
      for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
      d[i * n + j] = d[j * n + i] = 1 - s;
    }
  return d;
}

/** Nearest-neighbour chain, average linkage (Lance–Williams update, weighted by cluster mass). */
function nnChain(dist: Float64Array, n: number, w: Float64Array): Merge[] {
  const size = Float64Array.from(w);
  const active = new Uint8Array(n).fill(1);
  const merges: Merge[] = [];
  const chain: number[] = [];
  let remaining = n;
  while (remaining > 1) {
    if (chain.length === 0) chain.push(active.indexOf(1));
    for (;;) {
      const a = chain[chain.length - 1]!;
      const prev = chain.length > 1 ? chain[chain.length - 2]! : -1;
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === a || !active[j]) continue;
        const dj = dist[a * n + j]!;
        // ties go to the chain predecessor so the chain always terminates
        if (dj < bestD || (dj === bestD && j === prev)) {
          bestD = dj;
          best = j;
        }
      }
      if (best === prev) {
        chain.pop();
        chain.pop();
        merges.push({ a: Math.min(a, prev), b: Math.max(a, prev), h: bestD });
        const keep = Math.min(a, prev);
        const drop = Math.max(a, prev);
        const sk = size[keep]!;
        const sd = size[drop]!;
        for (let j = 0; j < n; j++) {
          if (!active[j] || j === keep || j === drop) continue;
          const v = (sk * dist[keep * n + j]! + sd * dist[drop * n + j]!) / (sk + sd);
          dist[keep * n + j] = dist[j * n + keep] = v;
        }
        size[keep] = sk + sd;
        active[drop] = 0;
        remaining--;
        break;
      }
      chain.push(best);
    }
  }
  return merges;
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]!]!;
    i = parent[i]!;
  }
  return i;
}

export function clusterAhc(embeddings: readonly Float32Array[], o: AhcOptions): AhcResult {
  const n = embeddings.length;
  const lo = Math.min(n, Math.max(1, o.minClusters ?? 1));
  const hi = Math.max(lo, Math.min(n, o.maxClusters ?? n));
  if (n <= 1) {
    return {
      labels: new Int32Array(n),
      k: n,
      lastMergeHeight: -Infinity,
      nextMergeHeight: Infinity,
      forcedByBounds: false,
    };
  }
  const merges = nnChain(cosineDistances(embeddings), n, o.weights ?? new Float64Array(n).fill(1));
  merges.sort((p, q) => p.h - q.h);
  let byThreshold = 0;
  while (byThreshold < merges.length && merges[byThreshold]!.h <= o.threshold) byThreshold++;
  // clusters = n − merges applied; bounds: n − applied ∈ [lo, hi]
  const applied = Math.min(n - lo, Math.max(n - hi, byThreshold));
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  for (let m = 0; m < applied; m++) {
    const { a, b } = merges[m]!;
    parent[find(parent, b)] = find(parent, a);
  }
  const labels = new Int32Array(n);
  const ids = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    if (!ids.has(r)) ids.set(r, ids.size);
    labels[i] = ids.get(r)!;
  }
  return {
    labels,
    k: ids.size,
    lastMergeHeight: applied > 0 ? merges[applied - 1]!.h : -Infinity,
    nextMergeHeight: applied < merges.length ? merges[applied]!.h : Infinity,
    forcedByBounds: applied !== byThreshold,
  };
}

/**
 * Confidence in the number of clusters: how far the two decisions next to the cut (the last merge
 * made, the first one refused) lie from the threshold, in units of `scale` cosine distance,
 * clipped to [0, 1]. 0: a merge sat right at the threshold, a small change flips the count.
 */
export function countConfidence(r: AhcResult, threshold: number, scale = 0.2): number {
  const margins: number[] = [];
  if (Number.isFinite(r.lastMergeHeight)) margins.push(threshold - r.lastMergeHeight);
  if (Number.isFinite(r.nextMergeHeight)) margins.push(r.nextMergeHeight - threshold);
  if (margins.length === 0) return 0;
  return Math.round(Math.max(0, Math.min(1, Math.min(...margins) / scale)) * 100) / 100;
}
