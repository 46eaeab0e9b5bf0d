import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareCorrection, summarizeForReview } from '../../src/metadata/review/index.js';
import type { Report } from '../../src/pipeline/report.js';

/** The parts of a report the corrections and the review summary read. */
function report(over: Record<string, unknown> = {}): Report {
  return {
    audio_info: { duration: 20, decoded_duration: 20, mime_type: 'audio/wav' },
    warnings: [],
    results: {
      quality_control: { status: 'ok', verdict: 'pass' },
      segmentation: {
        status: 'ok',
        segments: [
          { label: 'silence', start: 0, end: 5, confidence: 0.9 },
          { label: 'speech', start: 5, end: 20, confidence: 0.9 },
        ],
      },
      speaker_recognition: {
        status: 'ok',
        speakers_detected: 2,
        speakers: [
          { id: 'SPEAKER_00', talk_time_sec: 10, share: 0.8, turns: 2 },
          { id: 'SPEAKER_01', talk_time_sec: 2.5, share: 0.2, turns: 1 },
        ],
        turns: [
          { speaker: 'SPEAKER_00', start: 5, end: 10 },
          { speaker: 'SPEAKER_01', start: 10, end: 12.5 },
          { speaker: 'SPEAKER_00', start: 12.5, end: 17.5 },
        ],
        overlaps: [],
      },
      heritage_classification: {
        status: 'ok',
        taxonomy: ['spoken_word', 'opera'],
        predicted_category: 'opera',
        confidence: 0.4,
        uncertain: true,
      },
      ...over,
    },
  } as unknown as Report;
}

test('corrections: boundaries stay gap-free and in range; bad values are named', () => {
  const c = prepareCorrection(report(), {
    type: 'move_boundary',
    lane: 'segmentation',
    index: 0,
    edge: 'end',
    to_sec: 6.25,
  });
  assert.equal(c['from_sec'], 5);
  assert.equal(c['moved_sec'], 1.25);
  assert.throws(
    () =>
      prepareCorrection(report(), {
        type: 'move_boundary',
        lane: 'segmentation',
        index: 0,
        edge: 'end',
        to_sec: 25,
      }),
    /strictly between 0 and 20/,
  );
  assert.throws(
    () =>
      prepareCorrection(report(), {
        type: 'move_boundary',
        lane: 'segmentation',
        index: 0,
        edge: 'start',
        to_sec: 1,
      }),
    /start of the recording cannot move/,
  );
  assert.throws(
    () => prepareCorrection(report(), { type: 'relabel_segment', index: 0, label: 'jazz' }),
    /label/,
  );
  assert.throws(
    () =>
      prepareCorrection(report(), {
        type: 'split_segment',
        lane: 'segmentation',
        index: 1,
        at_sec: 2,
      }),
    /inside 5\.\.20/,
  );
});

test('corrections: merging speakers records the count it replaced; a speaker cannot merge into itself', () => {
  const c = prepareCorrection(report(), {
    type: 'merge_speakers',
    from: 'SPEAKER_01',
    into: 'SPEAKER_00',
  });
  assert.equal(c['from_speakers_detected'], 2);
  assert.throws(
    () =>
      prepareCorrection(report(), {
        type: 'merge_speakers',
        from: 'SPEAKER_00',
        into: 'SPEAKER_00',
      }),
    /different speakers/,
  );
  const cat = prepareCorrection(report(), { type: 'set_category', category: 'spoken_word' });
  assert.equal(cat['machine_category'], 'opera');
  assert.equal(cat['changed'], true);
});

test('review summary: reasons and ranking from the report', () => {
  const s = summarizeForReview(report(), 'tape.mp3');
  assert.deepEqual(s.reasons, [
    'mislabelled',
    'category_uncertain',
    'speaker_count_low_confidence',
  ]);
  assert.equal(s.priorityScore, 50 + 30 + 15);
  assert.equal(s.category, 'opera');
  const clean = summarizeForReview(
    report({
      heritage_classification: {
        status: 'ok',
        taxonomy: ['opera'],
        predicted_category: 'opera',
        uncertain: false,
      },
      speaker_recognition: {
        status: 'ok',
        speakers_detected: 1,
        speakers: [{ id: 'SPEAKER_00', talk_time_sec: 12 }],
      },
    }),
    'tape.wav',
  );
  assert.deepEqual(clean.reasons, []);
  const damaged = summarizeForReview(
    {
      ...report(),
      audio_info: { duration: 30, decoded_duration: 20, mime_type: 'audio/wav' },
    } as unknown as Report,
    'x.wav',
  );
  assert.ok(damaged.reasons.includes('damaged'));
});
