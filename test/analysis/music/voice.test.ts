import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseVoice, detectVibrato } from '../../../src/analysis/music/voice.js';

const FPS = 100 / 3;

/** f0 track of a note with vibrato (Hz per pitch frame) and full periodicity. */
function track(seconds: number, f0Hz: number, rateHz: number, extentCents: number): Float32Array {
  const n = Math.round(seconds * FPS);
  return Float32Array.from(
    { length: n },
    (_, i) => f0Hz * 2 ** ((extentCents * Math.sin((2 * Math.PI * rateHz * i) / FPS)) / 1200),
  );
}

test('detectVibrato: rate and semi-extent of a 6 Hz, ±40 cent contour; none for a glide', () => {
  const cents = Array.from(
    { length: 40 },
    (_, i) => 40 * Math.sin((2 * Math.PI * 6 * i) / FPS) + 3 * i,
  );
  const v = detectVibrato(cents, FPS);
  assert.ok(v && Math.abs(v.rate - 6) <= 0.25 && Math.abs(v.extent - 40) < 5, JSON.stringify(v));
  const glide = Array.from({ length: 40 }, (_, i) => 10 * i);
  assert.equal(detectVibrato(glide, FPS), null);
});

test('a single-frame octave slip does not cut a note or distort its vibrato', () => {
  const f0 = track(1.5, 330, 5.5, 45);
  f0[20] = f0[20]! * 2; // YIN octave error
  const per = new Uint8Array(f0.length).fill(250);
  const v = analyseVoice(f0, per, [[0, f0.length]], { frameRateHz: FPS });
  assert.ok(v);
  assert.equal(v.notes_analysed, 1);
  assert.ok(Math.abs(v.vibrato_rate_hz! - 5.5) <= 0.3, `${v.vibrato_rate_hz}`);
  assert.ok(Math.abs(v.vibrato_extent_cents! - 45) < 6, `${v.vibrato_extent_cents}`);
});

test('no voice when too few frames are periodic', () => {
  const f0 = track(2, 200, 0, 0);
  const per = new Uint8Array(f0.length).fill(100); // periodicity 0.39 < 0.8
  assert.equal(analyseVoice(f0, per, [[0, f0.length]], { frameRateHz: FPS }), null);
});

test('pitch range is the 5th–95th percentile of voiced f0, silent frames ignored', () => {
  const f0 = new Float32Array(200);
  for (let i = 0; i < 200; i++) f0[i] = i < 20 ? NaN : 100 + i; // 120..299 Hz
  const per = new Uint8Array(200).fill(255);
  const v = analyseVoice(f0, per, [[0, 200]], { frameRateHz: FPS });
  assert.ok(v);
  assert.ok(
    Math.abs(v.pitch_range_hz[0] - 129) <= 1 && Math.abs(v.pitch_range_hz[1] - 291) <= 1,
    JSON.stringify(v.pitch_range_hz),
  );
  assert.equal(v.voiced_ratio, 1);
});
