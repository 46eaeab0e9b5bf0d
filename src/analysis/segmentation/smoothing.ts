/**
 * Temporal smoothing of per-block class posteriors: a Viterbi pass over an HMM whose states are
 * the classes, emissions the model's posteriors and every label change costing `switchPenalty`
 * (log domain), then segments shorter than `minSegmentSec` are merged into the neighbour that
 * explains them best. Hand-written: a 6-state Viterbi is a dozen lines.
 */

export interface LabelRun {
  /** Class index. */
  readonly label: number;
  /** Block range [startBlock, endBlock). */
  readonly startBlock: number;
  readonly endBlock: number;
}

/**
 * Most likely label path.
 * @param post - row-major [n × nClasses] posteriors
 * @returns one class index per block
 */
export function viterbiPath(
  post: Float32Array,
  n: number,
  nClasses: number,
  switchPenalty: number,
): Uint8Array {
  const C = nClasses;
  const path = new Uint8Array(n);
  if (n === 0) return path;
  const back = new Uint8Array(n * C);
  let score = new Float64Array(C);
  let next = new Float64Array(C);
  for (let c = 0; c < C; c++) score[c] = Math.log(post[c]! + 1e-6);
  for (let t = 1; t < n; t++) {
    let bestPrev = 0;
    for (let c = 1; c < C; c++) if (score[c]! > score[bestPrev]!) bestPrev = c;
    for (let c = 0; c < C; c++) {
      const stay = score[c]!;
      const sw = score[bestPrev]! - switchPenalty;
      const fromSelf = stay >= sw || bestPrev === c;
      next[c] = (fromSelf ? stay : sw) + Math.log(post[t * C + c]! + 1e-6);
      back[t * C + c] = fromSelf ? c : bestPrev;
    }
    [score, next] = [next, score];
  }
  let last = 0;
  for (let c = 1; c < C; c++) if (score[c]! > score[last]!) last = c;
  for (let t = n - 1; t >= 0; t--) {
    path[t] = last;
    last = back[t * C + last]!;
  }
  return path;
}

/** Runs of equal labels. */
export function pathToRuns(path: Uint8Array): LabelRun[] {
  const runs: LabelRun[] = [];
  let s = 0;
  for (let t = 1; t <= path.length; t++) {
    if (t === path.length || path[t] !== path[s]) {
      runs.push({ label: path[s]!, startBlock: s, endBlock: t });
      s = t;
    }
  }
  return runs;
}

/**
 * Merges runs shorter than minBlocks into a neighbour (the neighbour label with the higher mean
 * posterior over the short run), shortest first, until none is left (or one run remains).
 */
export function mergeShortRuns(
  runs: LabelRun[],
  post: Float32Array,
  nClasses: number,
  minBlocks: number,
): LabelRun[] {
  const r = runs.slice();
  const meanPost = (run: LabelRun, label: number): number => {
    let s = 0;
    for (let t = run.startBlock; t < run.endBlock; t++) s += post[t * nClasses + label]!;
    return s / (run.endBlock - run.startBlock);
  };
  while (r.length > 1) {
    let k = -1;
    for (let i = 0; i < r.length; i++) {
      const len = r[i]!.endBlock - r[i]!.startBlock;
      if (len < minBlocks && (k < 0 || len < r[k]!.endBlock - r[k]!.startBlock)) k = i;
    }
    if (k < 0) break;
    const cur = r[k]!;
    const prev = r[k - 1];
    const next = r[k + 1];
    const target =
      prev && next
        ? meanPost(cur, prev.label) >= meanPost(cur, next.label)
          ? prev
          : next
        : (prev ?? next)!;
    const merged: LabelRun = {
      label: target.label,
      startBlock: Math.min(cur.startBlock, target.startBlock),
      endBlock: Math.max(cur.endBlock, target.endBlock),
    };
    const i0 = Math.min(k, r.indexOf(target));
    r.splice(i0, 2, merged);
    // The merged run may now touch runs of the same label: join them.
    const j = i0;
    if (j + 1 < r.length && r[j + 1]!.label === r[j]!.label) {
      r.splice(j, 2, { ...r[j]!, endBlock: r[j + 1]!.endBlock });
    }
    if (j > 0 && r[j - 1]!.label === r[j]!.label) {
      r.splice(j - 1, 2, { ...r[j - 1]!, endBlock: r[j]!.endBlock });
    }
  }
  return r;
}
