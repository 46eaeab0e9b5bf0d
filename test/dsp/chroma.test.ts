import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fft } from '../../src/dsp/fft.js';
import { hannWindow } from '../../src/dsp/window.js';
import {
  PC_BINS,
  TUNING_BINS,
  accumulatePitchClassPeaks,
  estimateTuningCents,
  findSpectralPeaks,
  foldChroma,
  rankKeys,
  type SpectralPeak,
} from '../../src/dsp/chroma.js';
import { tone } from '../helpers/fixtures.js';
import { PITCH_NAMES, progression } from '../analysis/music/music-fixtures.js';

const SR = 16000;
const N = 4096;

/** Chroma histogram and tuning histogram of a signal, frame by frame (no overlap). */
function histograms(x: Float32Array): { pc: Float64Array; tune: Float64Array } {
  const pc = new Float64Array(PC_BINS);
  const tune = new Float64Array(TUNING_BINS);
  const w = hannWindow(N);
  const buf = new Float32Array(N);
  const power = new Float32Array(N / 2 + 1);
  const peaks: SpectralPeak[] = [];
  for (let s = 0; s + N <= x.length; s += N) {
    for (let i = 0; i < N; i++) buf[i] = x[s + i]! * w[i]!;
    Fft.of(N).powerSpectrum(buf, power);
    findSpectralPeaks(power, SR, N, 50, 5000, 60, peaks);
    accumulatePitchClassPeaks(peaks, pc, tune);
  }
  return { pc, tune };
}

for (const cents of [-30, 0, 17]) {
  test(`tuning of a tone at 440·2^(${cents}/1200) Hz is within ±2 cents`, () => {
    const { tune } = histograms(tone(440 * 2 ** (cents / 1200), 3, SR));
    const dev = estimateTuningCents(tune);
    assert.ok(dev !== null && Math.abs(dev - cents) <= 2, `measured ${dev}`);
  });
}

test('tuning holds for a detuned tone far from A (C6 − 12 cents)', () => {
  const f = 440 * 2 ** ((84 - 69) / 12) * 2 ** (-12 / 1200);
  const dev = estimateTuningCents(histograms(tone(f, 3, SR)).tune);
  assert.ok(dev !== null && Math.abs(dev + 12) <= 2, `measured ${dev}`);
});

test('chroma of a single tone peaks at its pitch class, corrected for tuning', () => {
  // E4 played 30 cents flat: the folded chroma must still put it on E.
  const f = 440 * 2 ** ((64 - 69) / 12) * 2 ** (-30 / 1200);
  const { pc, tune } = histograms(tone(f, 2, SR));
  const chroma = foldChroma(pc, estimateTuningCents(tune)!);
  const top = chroma.indexOf(Math.max(...chroma));
  assert.equal(PITCH_NAMES[top], 'E');
  assert.ok(chroma.filter((v) => v > 0.2).length === 1, chroma.join(','));
});

for (const [tonic, minor] of [
  [0, false],
  [7, false],
  [6, true],
  [3, true],
  [10, false],
] as const) {
  const name = `${PITCH_NAMES[tonic]} ${minor ? 'minor' : 'major'}`;
  test(`key of an ${minor ? 'i–iv–V–i' : 'I–IV–V–I'} progression in ${name}`, () => {
    const { pc, tune } = histograms(progression(tonic, minor, SR));
    const ranked = rankKeys(foldChroma(pc, estimateTuningCents(tune)!));
    assert.equal(`${ranked[0]!.key} ${ranked[0]!.mode}`, name);
    assert.ok(ranked[0]!.correlation > 0.6, `r = ${ranked[0]!.correlation}`);
  });
}
