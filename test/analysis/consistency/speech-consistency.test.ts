import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconcileSegmentation, speakingRegions } from '../../../src/analysis/consistency/index.js';
import type { SegmentationSection } from '../../../src/analysis/segmentation/index.js';

function section(segments: SegmentationSection['segments']): SegmentationSection {
  const zero = { total_sec: 0, ratio: 0 };
  return {
    status: 'ok',
    analyzer: { name: 'segmentation', version: '1.0.0' },
    model: { version: 'test' },
    resolution_sec: 0.1,
    vad_used: true,
    segments,
    summary: {
      speech: { total_sec: 30, ratio: 1 },
      music: zero,
      speech_over_music: zero,
      noise: zero,
      silence: zero,
      singing: zero,
    },
  };
}

describe('reconcileSegmentation', () => {
  it('relabels speech that voice_activity does not support and says why', () => {
    const seg = section([{ label: 'speech', start: 0, end: 30, confidence: 0.86 }]);
    const out = reconcileSegmentation(seg, [{ start: 10, end: 12 }], 0.5);
    assert.deepEqual(
      out.segments.map((s) => [s.label, s.start, s.end]),
      [
        ['noise', 0, 9.5],
        ['speech', 9.5, 12.5],
        ['noise', 12.5, 30],
      ],
    );
    assert.equal(out.summary.speech.total_sec, 3);
    assert.equal(out.summary.speech.ratio, 0.1);
    assert.equal(out.summary.noise.ratio, 0.9);
    assert.equal(out.consistency.relabelled_sec, 27);
    assert.equal(out.consistency.relabelled.length, 2);
    assert.match(out.consistency.reason ?? '', /voice_activity found no speech/);
  });

  it('turns speech over music outside VAD speech into music and merges neighbours', () => {
    const seg = section([
      { label: 'music', start: 0, end: 5, confidence: 0.9 },
      { label: 'speech_over_music', start: 5, end: 10, confidence: 0.7 },
    ]);
    const out = reconcileSegmentation(seg, [], 0.5);
    assert.equal(out.segments.length, 1);
    assert.equal(out.segments[0]?.label, 'music');
    assert.equal(out.segments[0]?.end, 10);
    assert.equal(out.segments[0]?.confidence, 0.8);
    assert.equal(out.summary.music.ratio, 1);
    assert.equal(out.summary.speech_over_music.ratio, 0);
  });

  it('keeps a segmentation that agrees with VAD unchanged (refinement allowed)', () => {
    const segs = [
      { label: 'silence', start: 0, end: 1, confidence: 0.9 },
      { label: 'speech', start: 1, end: 4, confidence: 0.8 },
      { label: 'singing', start: 4, end: 6, confidence: 0.7 },
    ] as const;
    const out = reconcileSegmentation(section(segs), [{ start: 1.2, end: 6 }], 0.5);
    assert.deepEqual(out.segments, segs);
    assert.equal(out.consistency.relabelled.length, 0);
    assert.equal(out.consistency.reason, undefined);
  });
});

describe('speakingRegions', () => {
  const seg = (...parts: [string, number, number][]): unknown => ({
    status: 'ok',
    segments: parts.map(([label, start, end]) => ({ label, start, end, confidence: 0.9 })),
  });

  it('keeps VAD speech only where the segmentation says speech or speech over music (± 0.5 s)', () => {
    const r = speakingRegions(
      [
        { start: 0, end: 10 },
        { start: 20, end: 30 },
      ],
      seg(['speech', 0, 4], ['singing', 4, 20], ['speech_over_music', 25, 28], ['music', 28, 40]),
    )!;
    assert.deepEqual(r.regions, [
      { start: 0, end: 4.5 },
      { start: 24.5, end: 28.5 },
    ]);
    assert.equal(r.excludedSec, 11.5);
    assert.equal(r.speechSec, 8.5);
  });

  it('drops all of it under singing (a sung call, a bowed note), and is undefined without a segmentation', () => {
    const vad = [{ start: 3, end: 42 }];
    assert.deepEqual(speakingRegions(vad, seg(['singing', 0, 200])), {
      regions: [],
      speechSec: 0,
      excludedSec: 39,
    });
    assert.equal(speakingRegions(vad, undefined), undefined);
    assert.equal(speakingRegions(vad, { status: 'not_run', reason: 'x' }), undefined);
  });
});
