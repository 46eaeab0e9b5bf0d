/** Triplet hashes: invariant to a speed change, query expansion at band edges. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  bandOf,
  queryHashes,
  toSemitones,
  TripletHasher,
  type Triplet,
} from '../../src/dsp/triplet-hash.js';
import { rng } from '../helpers/fixtures.js';

function hashPeaks(peaks: readonly { timeSec: number; freqHz: number }[]): Triplet[] {
  const out: Triplet[] = [];
  const h = new TripletHasher((t) => out.push(t));
  for (const p of peaks) h.push({ ...p, levelDb: 0 });
  h.flush();
  return out;
}

it('a speed change (time ÷ s, frequency × s) keeps the triplet hashes', () => {
  const r = rng(3);
  const peaks = Array.from({ length: 400 }, (_, i) => ({
    timeSec: i * 0.08 + 0.03 * r(),
    freqHz: 200 + 3000 * r(),
  }));
  const base = hashPeaks(peaks);
  assert.ok(base.length > 600, `${base.length} triplets`);
  for (const s of [0.9, 0.97, 1.03, 1.1]) {
    const moved = hashPeaks(peaks.map((p) => ({ timeSec: p.timeSec / s, freqHz: p.freqHz * s })));
    const wanted = new Set<number>();
    for (const t of moved) for (const q of queryHashes(t)) wanted.add(q);
    const kept = base.filter((t) => wanted.has(t.hash)).length / base.length;
    // Only quantisation boundaries and target-zone edges lose hashes.
    assert.ok(kept > 0.85, `speed ${s}: ${(kept * 100).toFixed(1)} % of hashes kept`);
  }
});

it('queries the neighbouring octave band only near a band edge', () => {
  const nearEdge: Triplet = { hash: 5, timeSec: 0, lfSt: 24.5 };
  assert.equal(bandOf(24.5), 2);
  assert.equal(queryHashes(nearEdge).length, 2);
  const inside: Triplet = { hash: 5, timeSec: 0, lfSt: 30 };
  assert.deepEqual(queryHashes(inside), [5]);
  assert.ok(Math.abs(toSemitones(200) - 12) < 1e-9);
});
