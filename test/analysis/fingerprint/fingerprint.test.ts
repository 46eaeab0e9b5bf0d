/** Fingerprint analyzer and duplicate search on synthetic melodies. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDuplicatePairs } from '../../../src/analysis/fingerprint/index.js';
import { concat, noise } from '../../helpers/fixtures.js';
import { addNoise, changeSpeed, fingerprintSamples, melody } from './fingerprint-fixtures.js';

const RATE = 16000;
const original = melody(40, 1);
const other = melody(40, 2);

describe('audio fingerprint', () => {
  it('emits a bounded, steady number of hashes per second', () => {
    const fp = fingerprintSamples('a', original);
    const perSec = fp.points.hashes.length / fp.durationSec;
    assert.ok(perSec > 10 && perSec < 60, `${perSec} hashes/s`);
    // Times are in the recording, in order of anchors.
    const t = fp.points.timesSec;
    for (let i = 1; i < t.length; i++) assert.ok(t[i]! >= t[i - 1]! - 1e-9);
    assert.ok(t[t.length - 1]! <= 40);
  });

  it('finds a copy played 6 % fast, with its speed ratio and offsets', async () => {
    const pairs = await findDuplicatePairs([
      fingerprintSamples('orig', original),
      fingerprintSamples('fast', changeSpeed(original, 1.06)),
      fingerprintSamples('other', other),
    ]);
    assert.equal(pairs.length, 1, JSON.stringify(pairs));
    const p = pairs[0]!;
    assert.equal(p.a, 'orig');
    assert.equal(p.b, 'fast');
    assert.equal(p.kind, 'near_duplicate');
    assert.ok(Math.abs(p.speed_ratio - 1.06) < 0.005, `speed ${p.speed_ratio}`);
    // The alignment maps a's time t to b's time offset_b + (t - offset_a) / speed.
    assert.ok(Math.abs(p.offset_b_sec - p.offset_a_sec / 1.06) < 0.1, JSON.stringify(p));
    assert.ok(p.duration_sec > 35, `duration ${p.duration_sec}`);
  });

  it('finds a 10 % slow, noisy (10 dB SNR) excerpt inside a longer recording', async () => {
    const excerpt = original.subarray(12 * RATE, 27 * RATE);
    const host = concat(other.subarray(0, 9 * RATE), addNoise(changeSpeed(excerpt, 0.9), 10));
    const pairs = await findDuplicatePairs([
      fingerprintSamples('orig', original),
      fingerprintSamples('host', host),
    ]);
    assert.equal(pairs.length, 1, JSON.stringify(pairs));
    const p = pairs[0]!;
    assert.equal(p.kind, 'partial_overlap');
    assert.ok(Math.abs(p.speed_ratio - 0.9) < 0.005, `speed ${p.speed_ratio}`);
    // orig 12 s ↔ host 9 s; slowed by 0.9 → host time = 9 + (t - 12) / 0.9.
    const expectedB = 9 + (p.offset_a_sec - 12) / 0.9;
    assert.ok(Math.abs(p.offset_b_sec - expectedB) < 0.1, JSON.stringify(p));
    assert.ok(p.offset_a_sec < 13 && p.offset_a_sec + p.duration_sec > 26, JSON.stringify(p));
  });

  it('reports no pair between unrelated recordings', async () => {
    const pairs = await findDuplicatePairs([
      fingerprintSamples('a', original),
      fingerprintSamples('b', other),
      fingerprintSamples('c', melody(30, 3)),
      fingerprintSamples('noise', noise(20, RATE, 0.3)),
    ]);
    assert.deepEqual(pairs, []);
  });
});
