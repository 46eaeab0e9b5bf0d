import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRttm } from '../../../src/analysis/diarization/der.js';
import { rttmExporter } from '../../../src/metadata/exports/rttm.js';
import { speakerReport, speakerSection } from './rttm-speaker-report.js';

test('RTTM: one SPEAKER record per turn plus overlap records, exact text, round-trips', () => {
  const report = speakerReport(speakerSection);
  assert.equal(rttmExporter.applies(report), true);
  const text = rttmExporter.render(report);
  assert.equal(
    text,
    'SPEAKER my_interview 1 0.500 3.250 <NA> <NA> SPEAKER_00 <NA> <NA>\n' +
      'SPEAKER my_interview 1 3.250 0.500 <NA> <NA> SPEAKER_01 <NA> <NA>\n' +
      'SPEAKER my_interview 1 4.000 2.750 <NA> <NA> SPEAKER_01 <NA> <NA>\n' +
      'SPEAKER my_interview 1 7.000 2.000 <NA> <NA> SPEAKER_00 <NA> <NA>\n',
  );
  const back = parseRttm(text).get('my_interview')!;
  assert.equal(back.length, 4);
  assert.deepEqual(back[2], { speaker: 'SPEAKER_01', start: 4, end: 6.75 });
});

test('speaker exports do not apply when speaker recognition did not run', () => {
  assert.equal(rttmExporter.applies(speakerReport({ status: 'not_run', reason: 'x' })), false);
});
