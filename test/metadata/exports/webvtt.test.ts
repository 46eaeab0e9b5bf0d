import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatVttTime, webvttExporter } from '../../../src/metadata/exports/webvtt.js';
import { speakerReport, speakerSection } from './rttm-speaker-report.js';

test('WebVTT timestamps are hh:mm:ss.ttt', () => {
  assert.equal(formatVttTime(0), '00:00:00.000');
  assert.equal(formatVttTime(3725.5), '01:02:05.500');
  assert.equal(formatVttTime(59.9996), '00:01:00.000');
});

test('WebVTT: speaker-labelled cues with voice spans, exact text', () => {
  const text = webvttExporter.render(speakerReport(speakerSection));
  assert.equal(
    text,
    'WEBVTT\n\n' +
      '1\n00:00:00.500 --> 00:00:03.750\n<v SPEAKER_00>SPEAKER_00\n\n' +
      '2\n00:00:03.250 --> 00:00:03.750\n<v SPEAKER_01>SPEAKER_01 (overlapping)\n\n' +
      '3\n00:00:04.000 --> 00:00:06.750\n<v SPEAKER_01>SPEAKER_01\n\n' +
      '4\n00:00:07.000 --> 00:00:09.000\n<v SPEAKER_00>SPEAKER_00\n',
  );
  // every cue's timing line is valid and start <= end
  for (const m of text.matchAll(/^(\S+) --> (\S+)$/gm)) {
    assert.match(m[1]!, /^\d{2}:\d{2}:\d{2}\.\d{3}$/);
    assert.ok(m[1]! <= m[2]!);
  }
});
