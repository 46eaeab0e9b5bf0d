import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audacityLabelsExporter } from '../../../src/metadata/exports/audacity-labels.js';
import { speakerReport, speakerSection } from './rttm-speaker-report.js';

test('Audacity labels: tab-separated start, end, label with six decimals, exact text', () => {
  assert.equal(audacityLabelsExporter.fileSuffix, '.speakers.labels.txt');
  assert.equal(
    audacityLabelsExporter.render(speakerReport(speakerSection)),
    '0.500000\t3.750000\tSPEAKER_00\n' +
      '3.250000\t3.750000\toverlap: SPEAKER_00+SPEAKER_01\n' +
      '4.000000\t6.750000\tSPEAKER_01\n' +
      '7.000000\t9.000000\tSPEAKER_00\n',
  );
});
