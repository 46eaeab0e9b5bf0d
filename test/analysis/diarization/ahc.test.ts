import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterAhc, countConfidence } from '../../../src/analysis/diarization/ahc.js';
import { normaliseL2 } from '../../../src/analysis/diarization/engines/embedding-engine.js';
import { mulberry32 } from '../../../src/dsp/random.js';

/** n noisy unit vectors around each of the given directions (dimension 16). */
function groups(centres: number[], n: number, noise: number, seed = 1): Float32Array[] {
  const rnd = mulberry32(seed);
  const out: Float32Array[] = [];
  for (const c of centres)
    for (let i = 0; i < n; i++) {
      const v = new Float32Array(16);
      v[c] = 1;
      for (let j = 0; j < 16; j++) v[j]! += noise * (rnd() - 0.5);
      out.push(normaliseL2(v));
    }
  return out;
}

test('AHC on cosine: three separated groups → 3 clusters, members together, confident', () => {
  const x = groups([0, 5, 9], 8, 0.4);
  const r = clusterAhc(x, { threshold: 0.5 });
  assert.equal(r.k, 3);
  for (let g = 0; g < 3; g++) {
    const labels = new Set(Array.from(r.labels.subarray(g * 8, g * 8 + 8)));
    assert.equal(labels.size, 1);
  }
  assert.ok(r.lastMergeHeight < 0.5 && r.nextMergeHeight > 0.5);
  assert.ok(countConfidence(r, 0.5) > 0.5);
  assert.equal(r.forcedByBounds, false);
});

test('AHC: one group → 1 cluster; bounds force the count and are reported', () => {
  const one = clusterAhc(groups([2], 12, 0.4), { threshold: 0.5 });
  assert.equal(one.k, 1);
  assert.equal(one.nextMergeHeight, Infinity);
  const x = groups([0, 5, 9], 6, 0.4);
  const lo = clusterAhc(x, { threshold: 0.5, maxClusters: 2 });
  assert.equal(lo.k, 2);
  assert.equal(lo.forcedByBounds, true);
  assert.equal(countConfidence(lo, 0.5), 0);
  const hi = clusterAhc(x, { threshold: 0.5, minClusters: 5 });
  assert.equal(hi.k, 5);
  assert.equal(clusterAhc([], { threshold: 0.5 }).k, 0);
});
