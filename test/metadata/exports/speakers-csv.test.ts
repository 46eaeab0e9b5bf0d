import assert from 'node:assert/strict';
import { test } from 'node:test';
import { speakersCsvExporter } from '../../../src/metadata/exports/speakers-csv.js';
import { speakerReport, speakerSection } from './rttm-speaker-report.js';

test('speakers CSV: one row per speaker, empty cells for unknown values, exact text', () => {
  assert.equal(
    speakersCsvExporter.render(speakerReport(speakerSection)),
    'speaker,talk_time_sec,share,turns,f0_mean_hz,f0_p5_hz,f0_p95_hz,' +
      'speech_rate_syllables_per_sec,loudness_mean_db,interruptions,overlap_sec\n' +
      'SPEAKER_00,5.250,0.618,2,121.5,98.2,160.4,4.12,-23.4,0,0.500\n' +
      'SPEAKER_01,3.250,0.382,1,,,,,-30.0,1,0.500\n',
  );
});
