import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildMetadataGeneration,
  findEmbedded,
  formatHumanDuration,
  formatIsoDuration,
} from '../../src/metadata/dublin-core.js';
import type { Report } from '../../src/pipeline/report.js';

test('ISO 8601 and human durations', () => {
  assert.equal(formatIsoDuration(0), 'PT0S');
  assert.equal(formatIsoDuration(59.9994), 'PT59.999S');
  assert.equal(formatIsoDuration(3723.5), 'PT1H2M3.5S');
  assert.equal(formatIsoDuration(3600), 'PT1H');
  assert.equal(formatHumanDuration(3723.5), '1:02:04');
  assert.equal(formatHumanDuration(62.4), '1:02');
});

test('findEmbedded finds tags at any depth, case- and punctuation-insensitively, and in {id,value} lists', () => {
  const embedded = {
    bext: { Description: 'Side A', originator_reference: 'REF-1' },
    native: { ID3v2: [{ id: 'TIT2', value: 'Canto' }] },
  };
  assert.equal(findEmbedded(embedded, ['description']), 'Side A');
  assert.equal(findEmbedded(embedded, ['OriginatorReference']), 'REF-1');
  assert.equal(findEmbedded(embedded, ['title', 'TIT2']), 'Canto');
  assert.equal(findEmbedded(embedded, ['artist']), undefined);
});

function reportWith(
  embedded: Record<string, unknown>,
  results: Record<string, unknown> = {},
): Report {
  const notRun = { status: 'not_run', reason: 'test' };
  return {
    schema_version: '1.0.0',
    generator: { name: 'sonoteca', version: '0.0.0' },
    created_at: '2024-01-01T00:00:00.000Z',
    source: { path: '/x/tape 7.wav', file_name: 'tape 7.wav', size_bytes: 1000 },
    audio_info: {
      duration: 90,
      decoded_duration: 90.25,
      sample_rate: 48000,
      channels: 2,
      bit_depth: 24,
      bitrate: 2304000,
      container: 'WAVE',
      codec: 'PCM',
      lossless: true,
      mime_type: 'audio/wav',
      file_size_bytes: 1000,
    },
    processing: {
      processing_type: 'comprehensive',
      profile: 'preservation-master',
      started_at: '2024-01-01T00:00:00.000Z',
      duration_sec: 1,
      stages: [],
      analyzers: [],
      framing_ms: 0,
      native_stream: true,
      process_cpu_ms: 1,
    },
    results: {
      technical_metadata: { status: 'ok', embedded },
      fixity: { status: 'ok', md5: '0'.repeat(32), sha256: 'f'.repeat(64), audio_data_md5: null },
      quality_control: notRun,
      voice_activity: notRun,
      segmentation: notRun,
      speaker_recognition: notRun,
      music_analysis: notRun,
      instrumentation: notRun,
      heritage_classification: notRun,
      metadata_generation: notRun,
      ...results,
    } as unknown as Report['results'],
    warnings: [],
  };
}

test('DC from BWF bext: title from Description, creator from Originator, date, identifiers', () => {
  const mg = buildMetadataGeneration(
    reportWith({
      bext: {
        description: 'Field recording, Matera',
        originator: 'ICBSA',
        originator_reference: 'ICBSA-1961-07',
        origination_date: '1961-07-14',
        origination_time: '10:20:30',
      },
    }),
  );
  const dc = mg.dublin_core!;
  assert.deepEqual(dc.title, ['Field recording, Matera']);
  assert.deepEqual(dc.creator, ['ICBSA']);
  assert.deepEqual(dc.date, ['1961-07-14T10:20:30']);
  assert.deepEqual(dc.identifier, [`sha256:${'f'.repeat(64)}`, 'ICBSA-1961-07']);
  assert.deepEqual(dc.type, ['Sound']);
  assert.deepEqual(dc.format, ['audio/wav']);
  assert.deepEqual(dc.extent, ['PT1M30.25S', '1:30']);
  assert.deepEqual(dc.source, ['tape 7.wav']);
  assert.equal(dc.language, undefined, 'language unknown: omitted, not guessed');
  assert.match(dc.description![0]!, /1:30, stereo, 48 kHz, 24-bit, PCM in WAVE \(lossless\)/);
  // No section ran: no cultural tag is invented.
  assert.deepEqual(mg.cultural_tags, {
    content: [],
    languages: [],
    keywords: [],
    derived_from: [],
  });
});

test('DC falls back to the file name; cultural tags repeat only sections with status ok', () => {
  const mg = buildMetadataGeneration(
    reportWith(
      { vorbis: { LANGUAGE: 'ita', GENRE: 'Folk' } },
      {
        heritage_classification: {
          status: 'ok',
          predicted_category: 'folk_music',
          confidence: 0.81,
          uncertain: false,
        },
        speaker_recognition: {
          status: 'failed',
          reason: 'x',
          error: { code: 'SONO_ERR_X', message: 'x' },
        },
      },
    ),
  );
  assert.deepEqual(mg.dublin_core!.title, ['tape 7.wav']);
  assert.deepEqual(mg.dublin_core!.language, ['ita']);
  assert.deepEqual(mg.dublin_core!.subject, ['folk_music', 'Folk']);
  assert.equal(mg.cultural_tags!.heritage_category, 'folk_music');
  assert.equal(mg.cultural_tags!.speakers_detected, undefined);
  assert.match(
    mg.dublin_core!.description![0]!,
    /Heritage category: folk_music \(confidence 0\.81\)/,
  );
});

test('an uncertain heritage prediction is not used as a subject', () => {
  const mg = buildMetadataGeneration(
    reportWith(
      {},
      {
        heritage_classification: {
          status: 'ok',
          predicted_category: 'opera',
          confidence: 0.3,
          uncertain: true,
        },
      },
    ),
  );
  assert.equal(mg.cultural_tags!.heritage_category, undefined);
  assert.equal(mg.cultural_tags!.heritage_uncertain, true);
  assert.equal(mg.dublin_core!.subject, undefined);
});

test('content tags come from the segmentation summary (else VAD), instrument families from instrumentation', () => {
  const summary = (speech: number, music: number, singing: number): Record<string, unknown> => ({
    speech: { total_sec: speech * 90, ratio: speech },
    music: { total_sec: music * 90, ratio: music },
    speech_over_music: { total_sec: 0, ratio: 0 },
    noise: { total_sec: 0, ratio: 0 },
    silence: { total_sec: 0, ratio: 1 - speech - music - singing },
    singing: { total_sec: singing * 90, ratio: singing },
  });
  const mg = buildMetadataGeneration(
    reportWith(
      {},
      {
        voice_activity: { status: 'ok', speech_ratio: 0.9 },
        segmentation: { status: 'ok', summary: summary(0.05, 0.6, 0.3) },
        instrumentation: {
          status: 'ok',
          tags: [
            { family: 'strings', score: 0.9, coverage: 0.8, present: true },
            { family: 'brass', score: 0.2, coverage: 0, present: false },
          ],
        },
      },
    ),
  );
  // Segmentation wins over VAD: 5 % speech is below the 10 % threshold.
  assert.deepEqual(mg.cultural_tags!.content, ['music', 'singing']);
  assert.deepEqual(mg.cultural_tags!.keywords, ['strings']);
  assert.deepEqual(mg.cultural_tags!.derived_from, ['segmentation', 'instrumentation']);

  const vadOnly = buildMetadataGeneration(
    reportWith({}, { voice_activity: { status: 'ok', speech_ratio: 0.87 } }),
  );
  assert.deepEqual(vadOnly.cultural_tags!.content, ['speech']);
  assert.deepEqual(vadOnly.cultural_tags!.derived_from, ['voice_activity']);
});
