import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectMusicRegions, selectPerformanceSpans } from '../../../src/analysis/music/index.js';

const seg = (...segments: [string, number, number][]) => ({
  status: 'ok',
  segments: segments.map(([label, start, end]) => ({ label, start, end, confidence: 0.9 })),
});

test('performance spans: a loop whose last 2.6 s are labelled silence is described whole', () => {
  // The solo trumpet loop: music 0–2.7 s, then the last note's decay and the rest (5.35 s).
  const s = seg(['music', 0, 2.7], ['silence', 2.7, 5.35]);
  const { regions } = selectMusicRegions(s, 5.35);
  assert.deepEqual(regions, [{ start: 0, end: 2.7 }]);
  assert.deepEqual(selectPerformanceSpans(s, regions, 5.35), [{ start: 0, end: 5.35 }]);
});

test('performance spans: short rests are joined, speech and long silences are not', () => {
  const s = seg(
    ['silence', 0, 2],
    ['music', 2, 30],
    ['noise', 30, 32.5], // a breath or a page turn: joined
    ['music', 32.5, 60],
    ['silence', 60, 64], // 4 s: a pause between pieces, not joined
    ['music', 64, 90],
    ['speech', 90.5, 100], // an announcement: the span stops before it
    ['music', 101, 120],
    ['silence', 120, 121], // a 1 s tail of the file's end: included
  );
  const { regions } = selectMusicRegions(s, 121);
  assert.deepEqual(selectPerformanceSpans(s, regions, 121), [
    { start: 2, end: 60 },
    { start: 64, end: 90.5 },
    { start: 101, end: 121 },
  ]);
});

test('performance spans: the regions unchanged without a segmentation', () => {
  const regions = [{ start: 0, end: 10 }];
  assert.deepEqual(selectPerformanceSpans(undefined, regions, 12), regions);
  assert.deepEqual(selectPerformanceSpans({ status: 'failed' }, regions, 12), regions);
});
