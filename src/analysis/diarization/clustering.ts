/**
 * Agglomerative speaker clustering with principled stopping rules:
 * - `clusterByBic`: each cluster is one full-covariance Gaussian over its frames; the pair with the
 *   lowest ΔBIC merges while ΔBIC < 0 (the BIC says one model explains both better), the classic
 *   LIUM / ICSI criterion. Cluster statistics merge by addition, so no frame is revisited.
 * - `clusterByCosine`: for engines with learned embeddings (cosine space): average-linkage AHC, the
 *   number of clusters chosen by the largest eigengap of the normalised affinity Laplacian
 *   (Ng–Jordan–Weiss; as in spectral-clustering diarization, Park et al. 2019).
 * Both honour minSpeakers/maxSpeakers by forcing merges past (or stopping before) the rule.
 *
 * Hand-written: no maintained JavaScript library offers AHC with a BIC criterion (ml-hclust has
 * fixed linkages only) and the eigen-solver needed is a ~40-line Jacobi iteration.
 */
import { deltaBic, GaussianStats, logDetCov } from './gaussian.js';

export interface ClusterBounds {
  readonly minClusters: number;
  readonly maxClusters: number;
}

export interface BicClusteringOptions extends ClusterBounds {
  /** BIC penalty weight. @defaultValue 1 */
  readonly lambda?: number;
  /** Shrinkage pseudo-frames (keep small: shrinkage biases ΔBIC against small clusters). @defaultValue 1 */
  readonly priorFrames?: number;
  /** Diagonal instead of full covariances. @defaultValue false */
  readonly diagonal?: boolean;
  /** Above this many items, cluster in time-ordered blocks first (keeps the cost ~linear). @defaultValue 400 */
  readonly blockSize?: number;
}

/** Result: cluster index per input item (0..k−1, numbered by first appearance). */
export interface ClusteringResult {
  readonly labels: Int32Array;
  readonly k: number;
  /** The ΔBIC (or eigengap) value at which the rule stopped, for the report. */
  readonly stopValue: number;
}

function renumber(labels: Int32Array): ClusteringResult['labels'] {
  const map = new Map<number, number>();
  const out = new Int32Array(labels.length);
  labels.forEach((l, i) => {
    if (!map.has(l)) map.set(l, map.size);
    out[i] = map.get(l)!;
  });
  return out;
}

/** One AHC pass over Gaussian clusters; merges while ΔBIC < 0 and above maxClusters. */
function ahcBic(
  items: GaussianStats[],
  bounds: ClusterBounds,
  lambda: number,
  prior: number,
  diag: boolean,
): { groups: number[][]; stop: number } {
  const n = items.length;
  const stats = items.map((s) => s.clone());
  const ld = stats.map((s) => logDetCov(s, undefined, prior, diag));
  const groups: (number[] | null)[] = items.map((_, i) => [i]);
  const dist = new Float64Array(n * n).fill(Infinity);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      dist[i * n + j] = deltaBic(stats[i]!, stats[j]!, lambda, prior, ld[i], ld[j], diag);
  let alive = n;
  let stop = 0;
  while (alive > 1) {
    let bi = -1;
    let bj = -1;
    let best = Infinity;
    for (let i = 0; i < n; i++) {
      if (!groups[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (!groups[j]) continue;
        const d = dist[i * n + j]!;
        if (d < best) {
          best = d;
          bi = i;
          bj = j;
        }
      }
    }
    stop = best;
    if (best >= 0 && alive <= bounds.maxClusters) break;
    if (alive <= bounds.minClusters) break;
    stats[bi]!.addStats(stats[bj]!);
    ld[bi] = logDetCov(stats[bi]!, undefined, prior, diag);
    groups[bi]!.push(...groups[bj]!);
    groups[bj] = null;
    alive--;
    for (let k = 0; k < n; k++) {
      if (!groups[k] || k === bi) continue;
      const [a, b] = k < bi ? [k, bi] : [bi, k];
      dist[a * n + b] = deltaBic(stats[a]!, stats[b]!, lambda, prior, ld[a], ld[b], diag);
    }
  }
  return { groups: groups.filter((g): g is number[] => g !== null), stop };
}

/**
 * Clusters segments given as Gaussian statistics with the BIC stopping rule.
 * Long recordings: blocks of `blockSize` consecutive segments are clustered first (no bound), then
 * the block clusters are clustered globally — each stage with the same criterion.
 */
export function clusterByBic(
  segments: readonly GaussianStats[],
  opts: BicClusteringOptions,
): ClusteringResult {
  const n = segments.length;
  if (n === 0) return { labels: new Int32Array(0), k: 0, stopValue: 0 };
  const lambda = opts.lambda ?? 1;
  const prior = opts.priorFrames ?? 1;
  const blockSize = opts.blockSize ?? 400;
  const diag = opts.diagonal ?? false;
  let units: { stats: GaussianStats; members: number[] }[] = segments.map((s, i) => ({
    stats: s,
    members: [i],
  }));
  while (units.length > blockSize) {
    const next: typeof units = [];
    for (let b = 0; b < units.length; b += blockSize) {
      const block = units.slice(b, b + blockSize);
      const { groups } = ahcBic(
        block.map((u) => u.stats),
        { minClusters: 1, maxClusters: Infinity },
        lambda,
        prior,
        diag,
      );
      for (const g of groups) {
        const s = new GaussianStats(segments[0]!.dim);
        const members: number[] = [];
        for (const i of g) {
          s.addStats(block[i]!.stats);
          members.push(...block[i]!.members);
        }
        next.push({ stats: s, members });
      }
    }
    if (next.length >= units.length) break; // nothing merged: avoid looping forever
    units = next;
  }
  const { groups, stop } = ahcBic(
    units.map((u) => u.stats),
    opts,
    lambda,
    prior,
    diag,
  );
  const labels = new Int32Array(n);
  groups.forEach((g, c) => {
    for (const u of g) for (const m of units[u]!.members) labels[m] = c;
  });
  const out = renumber(labels);
  return { labels: out, k: groups.length, stopValue: stop };
}

function unitVector(e: Float32Array): Float32Array {
  let s = 0;
  for (const v of e) s += v * v;
  const inv = 1 / Math.sqrt(s || 1);
  return e.map((v) => v * inv);
}

/** Symmetric eigenvalues by cyclic Jacobi rotations (small matrices only), ascending. */
export function symmetricEigenvalues(a: Float64Array, n: number): number[] {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    if (off < 1e-18) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!;
          const aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const ev: number[] = [];
  for (let i = 0; i < n; i++) ev.push(m[i * n + i]!);
  return ev.sort((x, y) => x - y);
}

/**
 * Clusters L2-comparable embeddings (cosine similarity): the number of clusters is the eigengap
 * estimate within bounds, then average-linkage AHC is cut at that number.
 */
export function clusterByCosine(
  embeddings: readonly Float32Array[],
  bounds: ClusterBounds,
  maxItems = 300,
): ClusteringResult {
  const n = embeddings.length;
  if (n === 0) return { labels: new Int32Array(0), k: 0, stopValue: 0 };
  if (n > maxItems) {
    // Long recordings: the eigen-solver and AHC are O(n³). Cluster an evenly spaced subsample,
    // then give every item the label of the nearest subsample centroid (cosine): linear in n.
    const sub: Float32Array[] = [];
    for (let i = 0; i < maxItems; i++) sub.push(embeddings[Math.floor((i * n) / maxItems)]!);
    const r = clusterByCosine(sub, bounds, maxItems);
    const dim = embeddings[0]!.length;
    const cent = Array.from({ length: r.k }, () => new Float64Array(dim));
    sub.forEach((e, i) => {
      const c = cent[r.labels[i]!]!;
      const u = unitVector(e);
      for (let d = 0; d < dim; d++) c[d]! += u[d]!;
    });
    const labels = new Int32Array(n);
    embeddings.forEach((e, i) => {
      const u = unitVector(e);
      let best = 0;
      let bestSim = -Infinity;
      cent.forEach((c, ci) => {
        let sim = 0;
        for (let d = 0; d < dim; d++) sim += c[d]! * u[d]!;
        if (sim > bestSim) {
          bestSim = sim;
          best = ci;
        }
      });
      labels[i] = best;
    });
    const out = renumber(labels);
    return { labels: out, k: Math.max(...out) + 1, stopValue: r.stopValue };
  }
  const unit = embeddings.map((e) => {
    let s = 0;
    for (const v of e) s += v * v;
    const inv = 1 / Math.sqrt(s || 1);
    return e.map((v) => v * inv);
  });
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let d = 0; d < unit[i]!.length; d++) s += unit[i]![d]! * unit[j]![d]!;
      sim[i * n + j] = sim[j * n + i] = s;
    }
  // Eigengap on the symmetric normalised Laplacian of the affinity max(sim, 0).
  let k = 1;
  let gapValue = 0;
  const maxK = Math.min(bounds.maxClusters, n);
  if (n > 2) {
    const deg = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) deg[i]! += Math.max(0, sim[i * n + j]!);
    const lap = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const a = Math.max(0, sim[i * n + j]!) / Math.sqrt(deg[i]! * deg[j]! || 1);
        lap[i * n + j] = (i === j ? 1 : 0) - a;
      }
    const ev = symmetricEigenvalues(lap, n);
    let best = -1;
    // unrestricted estimate, then clamped into the bounds (a gap beyond maxK still means "many")
    for (let c = 1; c < Math.min(n, 50); c++) {
      const gap = ev[c]! - ev[c - 1]!;
      if (gap > best) {
        best = gap;
        k = c;
      }
    }
    gapValue = best;
  }
  k = Math.max(bounds.minClusters, Math.min(k, maxK));
  // Average-linkage AHC down to k clusters.
  const groups: (number[] | null)[] = embeddings.map((_, i) => [i]);
  const link = Float64Array.from(sim);
  let alive = n;
  while (alive > k) {
    let bi = -1;
    let bj = -1;
    let best = -Infinity;
    for (let i = 0; i < n; i++) {
      if (!groups[i]) continue;
      for (let j = i + 1; j < n; j++)
        if (groups[j] && link[i * n + j]! > best) {
          best = link[i * n + j]!;
          bi = i;
          bj = j;
        }
    }
    const ni = groups[bi]!.length;
    const nj = groups[bj]!.length;
    for (let t = 0; t < n; t++) {
      if (!groups[t] || t === bi || t === bj) continue;
      const v = (link[bi * n + t]! * ni + link[bj * n + t]! * nj) / (ni + nj);
      link[bi * n + t] = link[t * n + bi] = v;
    }
    groups[bi]!.push(...groups[bj]!);
    groups[bj] = null;
    alive--;
  }
  const labels = new Int32Array(n);
  groups
    .filter((g): g is number[] => g !== null)
    .forEach((g, c) => {
      for (const i of g) labels[i] = c;
    });
  return { labels: renumber(labels), k, stopValue: gapValue };
}
