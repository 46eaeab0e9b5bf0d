/** Robust line fit: the line through the true matches among scattered chance matches. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fitLineRansac, leastSquares } from '../../src/dsp/line-fit.js';
import { rng } from '../helpers/fixtures.js';

it('recovers slope and intercept with 70 % outliers', () => {
  const r = rng(11);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 300; i++) {
    const x = 100 * r();
    xs.push(x);
    ys.push(i % 10 < 3 ? 4.2 + 0.95 * x + 0.02 * (r() - 0.5) : 120 * r());
  }
  const fit = fitLineRansac(xs, ys, {
    minSlope: 0.8,
    maxSlope: 1.2,
    toleranceY: 0.05,
    random: rng(5),
  });
  assert.ok(fit);
  assert.ok(Math.abs(fit.slope - 0.95) < 1e-3, `slope ${fit.slope}`);
  assert.ok(Math.abs(fit.intercept - 4.2) < 0.02, `intercept ${fit.intercept}`);
  assert.ok(fit.inliers.length >= 88 && fit.inliers.length <= 95, `${fit.inliers.length}`);
});

it('counts a group once and rejects slopes out of range', () => {
  const xs = [0, 1, 2, 3, 3];
  const ys = [0, 2, 4, 6, 6.01];
  const groups = new Int32Array([0, 1, 2, 3, 3]);
  const fit = fitLineRansac(xs, ys, {
    minSlope: 1.5,
    maxSlope: 2.5,
    toleranceY: 0.05,
    random: rng(1),
    groups,
  });
  assert.equal(fit?.inliers.length, 4);
  assert.equal(
    fitLineRansac(xs, ys, { minSlope: 0.5, maxSlope: 1.5, toleranceY: 0.05, random: rng(1) }),
    undefined,
  );
  assert.deepEqual(leastSquares([1, 1], [0, 1], [0, 1]), undefined);
});
