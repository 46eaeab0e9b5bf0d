import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  findSyllableNuclei,
  meanLevelDb,
  percentile,
} from '../../../src/analysis/diarization/speaker-stats.js';

/** Level contour (10 ms frames) of a syllable train: `rate` syllables/s, 30 dB dips between them. */
function syllableTrain(rate: number, seconds: number): { level: number[]; voiced: boolean[] } {
  const level: number[] = [];
  const voiced: boolean[] = [];
  const frames = Math.round(seconds * 100);
  const period = 100 / rate;
  for (let i = 0; i < frames; i++) {
    const u = (i % period) / period;
    const on = u < 0.6;
    level.push(on ? -20 - 30 * (1 - Math.sin((Math.PI * u) / 0.6)) : -50);
    voiced.push(on);
  }
  return { level, voiced };
}

test('syllable nuclei of a 4/s train over 5 s: 20 ± 1', () => {
  const { level, voiced } = syllableTrain(4, 5);
  const nuclei = findSyllableNuclei(level, voiced);
  assert.ok(Math.abs(nuclei.length - 20) <= 1, `found ${nuclei.length}`);
});

test('syllable nuclei: unvoiced peaks and shallow dips do not count', () => {
  const { level } = syllableTrain(4, 5);
  assert.equal(findSyllableNuclei(level, new Array(level.length).fill(false)).length, 0);
  // a 1 dB ripple on a steady vowel is one nucleus at most, not many
  const ripple = Array.from({ length: 200 }, (_, i) => -20 + 0.5 * Math.sin(i / 2));
  assert.ok(findSyllableNuclei(ripple, new Array(200).fill(true)).length <= 1);
});

test('percentile and energy-mean level', () => {
  assert.equal(percentile([1, 2, 3, 4, 5], 50), 3);
  assert.equal(percentile([0, 10], 95), 9.5);
  // two frames at -20 dB and one at -inf-ish: energy mean = 10 log10(2/3 · 0.01)
  assert.ok(Math.abs(meanLevelDb([-20, -20, -200]) - 10 * Math.log10((2 / 3) * 0.01)) < 1e-9);
});
