import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  mergeShortRuns,
  pathToRuns,
  viterbiPath,
} from '../../../src/analysis/segmentation/smoothing.js';

/** Row-major posteriors from a list of per-block [p0, p1] rows. */
const post = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());

test('Viterbi keeps a one-block blip without penalty and removes it with one', () => {
  const p = post([
    [0.9, 0.1],
    [0.9, 0.1],
    [0.3, 0.7],
    [0.9, 0.1],
    [0.9, 0.1],
  ]);
  assert.deepEqual([...viterbiPath(p, 5, 2, 0)], [0, 0, 1, 0, 0]);
  // Switching twice costs 2 × 3 > log(0.7/0.3): the blip is smoothed away.
  assert.deepEqual([...viterbiPath(p, 5, 2, 3)], [0, 0, 0, 0, 0]);
});

test('Viterbi follows a real change even with a penalty', () => {
  const rows = [...Array(10).fill([0.95, 0.05]), ...Array(10).fill([0.05, 0.95])] as number[][];
  const path = viterbiPath(post(rows), 20, 2, 4);
  assert.deepEqual(pathToRuns(path), [
    { label: 0, startBlock: 0, endBlock: 10 },
    { label: 1, startBlock: 10, endBlock: 20 },
  ]);
});

test('short runs merge into the neighbour that explains them better, then neighbours join', () => {
  // Runs: A(0-5) B(5-6) A(6-10) C(10-11) B(11-20); the 1-block runs go away.
  const labels = Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  const p = new Float32Array(20 * 3);
  labels.forEach((l, t) => {
    p[t * 3 + l] = 0.6;
    p[t * 3 + ((l + 1) % 3)] = 0.3;
    p[t * 3 + ((l + 2) % 3)] = 0.1;
  });
  // Block 10 (label 2): p(0)=0.3 > p(1)=0.1, so it joins the preceding label-0 run.
  assert.deepEqual(mergeShortRuns(pathToRuns(labels), p, 3, 2), [
    { label: 0, startBlock: 0, endBlock: 11 },
    { label: 1, startBlock: 11, endBlock: 20 },
  ]);
});
