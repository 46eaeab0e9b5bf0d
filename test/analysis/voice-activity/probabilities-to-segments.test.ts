import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  probabilitiesToSegments,
  resolveSegmentOptions,
} from '../../../src/analysis/voice-activity/probabilities-to-segments.js';

// 0.1 s frames keep the expected times readable.
const base = { frameDurationSec: 0.1, threshold: 0.5, negThreshold: 0.35, speechPadSec: 0 };

test('one clean segment has exact frame boundaries and the mean probability', () => {
  const segs = probabilitiesToSegments([0, 0, 0.9, 0.9, 0.9, 0, 0, 0, 0, 0], {
    ...base,
    minSpeechSec: 0.2,
    minSilenceSec: 0.2,
  });
  assert.deepEqual(segs, [{ start: 0.2, end: 0.5, confidence: 0.9 }]);
});

test('hysteresis: frames between negThreshold and threshold keep a segment open', () => {
  const segs = probabilitiesToSegments([0.9, 0.9, 0.4, 0.4, 0.9, 0.1, 0.1, 0.1], {
    ...base,
    minSpeechSec: 0.1,
    minSilenceSec: 0.2,
  });
  assert.deepEqual(segs, [{ start: 0, end: 0.5, confidence: 0.7 }]);
});

test('a pause shorter than minSilenceSec does not end the segment', () => {
  const p = [0.9, 0.9, 0.1, 0.9, 0.9, 0, 0, 0];
  assert.deepEqual(probabilitiesToSegments(p, { ...base, minSpeechSec: 0.1, minSilenceSec: 0.2 }), [
    { start: 0, end: 0.5, confidence: 0.74 },
  ]);
  // With a 0.1 s minimum silence the same pause splits it in two.
  assert.deepEqual(
    probabilitiesToSegments(p, { ...base, minSpeechSec: 0.1, minSilenceSec: 0.1 }).map((s) => [
      s.start,
      s.end,
    ]),
    [
      [0, 0.2],
      [0.3, 0.5],
    ],
  );
});

test('segments shorter than minSpeechSec are dropped', () => {
  const segs = probabilitiesToSegments([0, 0.9, 0, 0, 0, 0.9, 0.9, 0.9, 0, 0], {
    ...base,
    minSpeechSec: 0.25,
    minSilenceSec: 0.1,
  });
  assert.deepEqual(
    segs.map((s) => [s.start, s.end]),
    [[0.5, 0.8]],
  );
});

test('padding extends both sides, a gap shorter than two pads is split in the middle', () => {
  const segs = probabilitiesToSegments([0, 0, 0.9, 0.9, 0, 0.9, 0.9, 0, 0, 0], {
    ...base,
    minSpeechSec: 0.1,
    minSilenceSec: 0.1,
    speechPadSec: 0.1,
  });
  assert.deepEqual(
    segs.map((s) => [s.start, s.end]),
    [
      [0.1, 0.45],
      [0.45, 0.8],
    ],
  );
});

test('padding is clamped to 0 and to the total duration; open speech runs to the end', () => {
  const segs = probabilitiesToSegments([0, 0.9, 0.9, 0.9], {
    ...base,
    minSpeechSec: 0.1,
    minSilenceSec: 0.1,
    speechPadSec: 0.2,
    totalDurationSec: 0.38,
  });
  assert.deepEqual(segs, [{ start: 0, end: 0.38, confidence: 0.9 }]);
});

test('a Uint8 track with valueScale 255 gives the same segments as probabilities', () => {
  const u8 = Uint8Array.from([0, 230, 230, 230, 0, 0, 0, 0]);
  const segs = probabilitiesToSegments(u8, {
    ...base,
    minSpeechSec: 0.1,
    minSilenceSec: 0.2,
    valueScale: 255,
  });
  assert.equal(segs.length, 1);
  assert.equal(segs[0]!.start, 0.1);
  assert.equal(segs[0]!.end, 0.4);
  assert.ok(Math.abs(segs[0]!.confidence - 230 / 255) < 1e-3);
});

test('no speech gives no segments; defaults are documented values', () => {
  assert.deepEqual(probabilitiesToSegments(new Float32Array(50), { frameDurationSec: 0.032 }), []);
  assert.deepEqual(resolveSegmentOptions({}), {
    threshold: 0.4,
    negThreshold: 0.25,
    minSpeechSec: 0.25,
    minSilenceSec: 0.3,
    speechPadSec: 0.2,
  });
  assert.throws(() => probabilitiesToSegments([0.9], { frameDurationSec: 0 }), RangeError);
});
