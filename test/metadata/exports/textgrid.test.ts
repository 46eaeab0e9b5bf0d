import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textGridExporter } from '../../../src/metadata/exports/textgrid.js';
import type { Report } from '../../../src/pipeline/report.js';

function reportWithSegments(segmentation: Record<string, unknown>, durationSec = 12.5): Report {
  return {
    audio_info: { duration: durationSec, decoded_duration: durationSec },
    results: { segmentation },
  } as unknown as Report;
}

test('TextGrid: long ooTextFile, one "segments" tier, gaps filled with empty intervals', () => {
  const report = reportWithSegments(
    {
      status: 'ok',
      segments: [
        { label: 'music', start: 0.5, end: 2, confidence: 0.9 },
        { label: 'speech', start: 2, end: 3.25, confidence: 0.8 },
      ],
    },
    4,
  );
  assert.equal(textGridExporter.applies(report), true);
  assert.equal(
    textGridExporter.render(report),
    [
      'File type = "ooTextFile"',
      'Object class = "TextGrid"',
      '',
      'xmin = 0 ',
      'xmax = 4 ',
      'tiers? <exists> ',
      'size = 1 ',
      'item []: ',
      '    item [1]:',
      '        class = "IntervalTier" ',
      '        name = "segments" ',
      '        xmin = 0 ',
      '        xmax = 4 ',
      '        intervals: size = 4 ',
      '        intervals [1]:',
      '            xmin = 0 ',
      '            xmax = 0.5 ',
      '            text = "" ',
      '        intervals [2]:',
      '            xmin = 0.5 ',
      '            xmax = 2 ',
      '            text = "music" ',
      '        intervals [3]:',
      '            xmin = 2 ',
      '            xmax = 3.25 ',
      '            text = "speech" ',
      '        intervals [4]:',
      '            xmin = 3.25 ',
      '            xmax = 4 ',
      '            text = "" ',
      '',
    ].join('\n'),
  );
});

test('TextGrid of an empty segmentation is one empty interval over the whole file', () => {
  const text = textGridExporter.render(reportWithSegments({ status: 'ok', segments: [] }, 2.5));
  assert.match(
    text,
    /intervals: size = 1 \n {8}intervals \[1\]:\n {12}xmin = 0 \n {12}xmax = 2\.5 \n {12}text = "" \n$/,
  );
  assert.equal(textGridExporter.applies(reportWithSegments({ status: 'not_run' })), false);
});
