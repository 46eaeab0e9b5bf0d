import assert from 'node:assert/strict';
import { test } from 'node:test';
import { segmentsCsvExporter } from '../../../src/metadata/exports/segments-csv.js';
import type { Report } from '../../../src/pipeline/report.js';

/** A small hand-made report: only the fields the exporters read. */
function reportWithSegments(segmentation: Record<string, unknown>, durationSec = 12.5): Report {
  return {
    audio_info: { duration: durationSec, decoded_duration: durationSec },
    results: { segmentation },
  } as unknown as Report;
}

const segmentation = {
  status: 'ok',
  segments: [
    { label: 'silence', start: 0, end: 1.5, confidence: 0.99 },
    { label: 'speech', start: 1.5, end: 8.25, confidence: 0.8714 },
    { label: 'speech_over_music', start: 8.25, end: 12.5, confidence: 0.6 },
  ],
};

test('segments CSV: inaSpeechSegmenter columns plus confidence, exact text', () => {
  const report = reportWithSegments(segmentation);
  assert.equal(segmentsCsvExporter.applies(report), true);
  assert.equal(segmentsCsvExporter.fileSuffix, '.segments.csv');
  assert.equal(
    segmentsCsvExporter.render(report),
    'labels,start,stop,confidence\n' +
      'silence,0.000,1.500,0.990\n' +
      'speech,1.500,8.250,0.871\n' +
      'speech_over_music,8.250,12.500,0.600\n',
  );
});

test('segments CSV does not apply when segmentation did not run', () => {
  assert.equal(segmentsCsvExporter.applies(reportWithSegments({ status: 'not_run' })), false);
  assert.equal(
    segmentsCsvExporter.applies(reportWithSegments({ status: 'failed', reason: 'x' })),
    false,
  );
});
