import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyseBurstContour, hasVibrato } from '../../src/dsp/pitch-contour.js';

const hop = 0.02;
const ones = (n: number): Float64Array => new Float64Array(n).fill(0.9);

test('a held note with a 6 Hz, 60-cent vibrato is one steady-ish voiced run with vibrato', () => {
  const cents = Float64Array.from(
    { length: 32 },
    (_, i) => 5000 + 60 * Math.sin(2 * Math.PI * 6 * i * hop),
  );
  assert.ok(hasVibrato(Array.from(cents), hop));
  const s = analyseBurstContour(cents, ones(32), { hopSec: hop });
  assert.deepEqual(s.runLengths, [32]);
  assert.equal(s.vibratoTested, 1);
  assert.equal(s.vibratoRuns, 1);
});

test('a flat note has no vibrato and all steps steady; a glide has none steady', () => {
  const flat = new Float64Array(32).fill(5000);
  const s = analyseBurstContour(flat, ones(32), { hopSec: hop });
  assert.equal(s.vibratoRuns, 0);
  assert.equal(s.steadySteps, s.steps);
  const glide = Float64Array.from({ length: 32 }, (_, i) => 5000 + 40 * i);
  const g = analyseBurstContour(glide, ones(32), { hopSec: hop });
  assert.equal(g.steadySteps, 0);
  assert.equal(g.vibratoRuns, 0);
});

test('syllables: unvoiced gaps and octave jumps split the voiced runs', () => {
  const cents = new Float64Array(30).fill(4500);
  const per = new Float64Array(30).fill(0.9);
  for (const i of [6, 7, 15, 16]) per[i] = 0.1;
  cents[25] = 5700; // +12 semitones: a tracking jump, not a step
  const s = analyseBurstContour(cents, per, { hopSec: hop });
  assert.deepEqual(s.runLengths, [6, 7, 8, 1, 4]);
  assert.equal(s.voicedFrames, 26);
});
