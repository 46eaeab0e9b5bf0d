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
    schema_version: '1.2.0',
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

const A = { name: 'x', version: '1' };

/** Segments covering 0–90 s: `[label, seconds, confidence]` in order. */
function segmentation(...parts: [string, number, number][]): Record<string, unknown> {
  let t = 0;
  const segments = parts.map(([label, sec, confidence]) => {
    const s = { label, start: t, end: t + sec, confidence };
    t += sec;
    return s;
  });
  return { status: 'ok', analyzer: A, segments };
}

test('DC from BWF bext and INFO: Description → description, Originator → publisher, CodingHistory → source', () => {
  const mg = buildMetadataGeneration(
    reportWith({
      bext: {
        description: 'Oral history interview, tape 3 side A',
        originator: 'ICBSA',
        originator_reference: 'ICBSA-1961-07',
        origination_date: '1961:07:14',
        origination_time: '10-20-30',
        umid: null,
        coding_history: 'A=ANALOGUE,M=mono,T=Studer A80\nA=PCM,F=96000,W=24,M=mono,T=RME ADI-2',
      },
      riff_info: { INAM: 'Intervista — Seán Ó Riada', IART: 'Seán Ó Riada', ICMT: 'ñandú' },
      common: { title: 'Intervista â€” SeÃ¡n', artist: 'SeÃ¡n Ã“ Riada' },
    }),
  );
  const dc = mg.dublin_core!;
  assert.deepEqual(
    dc.title,
    ['Intervista — Seán Ó Riada'],
    'INFO read as UTF-8; common not repeated',
  );
  assert.deepEqual(dc.creator, ['Seán Ó Riada'], 'the originator is not a creator');
  assert.deepEqual(dc.publisher, ['ICBSA']);
  assert.equal(dc.description![0], 'Oral history interview, tape 3 side A');
  assert.equal(dc.description![1], 'ñandú');
  assert.match(dc.description![2]!, /1:30, stereo, 48 kHz, 24-bit, PCM in WAVE \(lossless\)/);
  assert.deepEqual(dc.date, ['1961-07-14T10:20:30']);
  assert.deepEqual(dc.identifier, [`sha256:${'f'.repeat(64)}`, 'ICBSA-1961-07']);
  assert.deepEqual(dc.source, [
    'Coding history: A=ANALOGUE,M=mono,T=Studer A80; A=PCM,F=96000,W=24,M=mono,T=RME ADI-2',
  ]);
  assert.equal(dc.language, undefined, 'language unknown: omitted, not guessed');
  assert.deepEqual(dc.extent, ['PT1M30.25S', '1:30']);
  const prov = mg.provenance!;
  const fieldOf = (el: string, i = 0): string | undefined =>
    prov.filter((p) => p.element === el)[i]?.field;
  assert.equal(fieldOf('title'), 'riff_info.INAM');
  assert.equal(fieldOf('publisher'), 'bext.originator');
  assert.equal(fieldOf('description'), 'bext.description');
  assert.equal(fieldOf('source'), 'bext.coding_history');
  assert.equal(prov.find((p) => p.element === 'identifier')?.source, 'fixity');
  // One provenance entry per value.
  const values = Object.values(dc).reduce((n, v) => n + (v as string[]).length, 0);
  assert.equal(prov.length, values);
  assert.deepEqual(mg.cultural_tags!.content, []);
  assert.deepEqual(mg.for_review, []);
});

test('DC falls back to the file name; tags from Vorbis, ID3 and MP4 blocks', () => {
  const vorbis = buildMetadataGeneration(
    reportWith({ vorbis: { language: 'ita', GENRE: 'Folk', TITLE: 'Canto di Matera' } }),
  );
  assert.deepEqual(vorbis.dublin_core!.title, ['Canto di Matera']);
  assert.deepEqual(vorbis.dublin_core!.language, ['ita']);
  assert.deepEqual(vorbis.dublin_core!.subject, ['Folk']);
  const id3 = buildMetadataGeneration(
    reportWith({
      id3: { TIT2: 'Ωmega', TPE1: 'Ñandú', COMM: 'side B', TPUB: 'Discoteca di Stato' },
    }),
  );
  assert.deepEqual(id3.dublin_core!.title, ['Ωmega']);
  assert.deepEqual(id3.dublin_core!.creator, ['Ñandú']);
  assert.deepEqual(id3.dublin_core!.publisher, ['Discoteca di Stato']);
  assert.equal(id3.dublin_core!.description![0], 'side B');
  const mp4 = buildMetadataGeneration(
    reportWith({ other: { iTunes: { '©nam': 'Ñ', cprt: 'CC BY' } } }),
  );
  assert.deepEqual(mp4.dublin_core!.title, ['Ñ']);
  assert.deepEqual(mp4.dublin_core!.rights, ['CC BY']);
  assert.equal(mp4.provenance![0]!.field, 'other.iTunes.©nam');
  const none = buildMetadataGeneration(reportWith({}));
  assert.deepEqual(none.dublin_core!.title, ['tape 7.wav']);
  assert.equal(none.provenance![0]!.source, 'file');
  assert.equal(none.dublin_core!.source, undefined, 'the file name is not a source');
});

test('a confident, certain heritage category supported by the content enters dc:subject with its evidence', () => {
  const mg = buildMetadataGeneration(
    reportWith(
      {},
      {
        segmentation: segmentation(['music', 60, 0.9], ['singing', 30, 0.8]),
        music_analysis: { status: 'ok', analyzer: A, music_detected: true },
        heritage_classification: {
          status: 'ok',
          analyzer: { name: 'heritage-classifier', version: '1.0.0' },
          predicted_category: 'folk_music',
          confidence: 0.81,
          uncertain: false,
        },
        instrumentation: {
          status: 'ok',
          analyzer: A,
          tags: [
            {
              family: 'strings',
              score: 0.9,
              coverage: 0.8,
              present: true,
              held_out_precision: 0.79,
            },
            {
              family: 'keyboard',
              score: 0.94,
              coverage: 0.9,
              present: true,
              held_out_precision: 0.57,
            },
            { family: 'woodwind', score: 0.8, coverage: 0.7, present: true },
            {
              family: 'plucked',
              score: 0.6,
              coverage: 0.5,
              present: true,
              held_out_precision: 0.9,
            },
            { family: 'brass', score: 0.2, coverage: 0, present: false, held_out_precision: 0.9 },
          ],
        },
      },
    ),
  );
  assert.deepEqual(mg.dublin_core!.subject, ['folk_music', 'strings', 'Music', 'Singing']);
  assert.equal(mg.cultural_tags!.heritage_category, 'folk_music');
  assert.equal(mg.cultural_tags!.heritage_uncertain, false);
  assert.deepEqual(mg.cultural_tags!.content, ['music', 'singing']);
  assert.deepEqual(mg.cultural_tags!.keywords, ['strings']);
  const subj = mg.provenance!.find((p) => p.value === 'folk_music')!;
  assert.equal(subj.source, 'analysis');
  assert.equal(subj.evidence![0]!.section, 'heritage_classification');
  assert.equal(subj.evidence![0]!.analyzer?.name, 'heritage-classifier');
  assert.equal(subj.evidence![0]!.confidence, 0.81);
  assert.match(
    mg.dublin_core!.description!.at(-1)!,
    /Contains music and singing\. Heritage category: folk_music \(confidence 0\.81\)\./,
  );
  const plucked = mg.for_review!.find((w) => w.statement === 'instrument.plucked')!;
  assert.match(plucked.reason, /score 0\.6 below 0\.75/);
  // a confident tag from a family the model often gets wrong on unseen sources is for review
  const keyboard = mg.for_review!.find((w) => w.statement === 'instrument.keyboard')!;
  assert.match(keyboard.reason, /held-out precision for keyboard is 0\.57, below 0\.7/);
  assert.equal(keyboard.confidence, 0.94);
  const woodwind = mg.for_review!.find((w) => w.statement === 'instrument.woodwind')!;
  assert.match(woodwind.reason, /records no held-out precision for woodwind/);
  const strings = mg.provenance!.find((p) => p.value === 'strings')!;
  assert.match(strings.evidence![0]!.basis, /held-out precision 0\.79 >= 0\.7/);
  assert.equal(mg.thresholds!['instrument_precision'], 0.7);
  assert.equal(mg.thresholds!['heritage_confidence'], 0.75);
});

test('uncertain, unclassified, weak or unsupported heritage categories stay out of dc:subject, for review', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { predicted_category: 'opera', confidence: 0.3, uncertain: true, uncertain_reasons: ['low'] },
      /uncertain \(low\)/,
    ],
    [{ predicted_category: 'unclassified', confidence: 0.9, uncertain: false }, /unclassified/],
    [
      { predicted_category: 'classical_music', confidence: 0.72, uncertain: false },
      /confidence 0\.72 below 0\.75/,
    ],
    [
      { predicted_category: 'classical_music', confidence: 0.9, uncertain: false },
      /no music or singing is stated/,
    ],
    [
      { predicted_category: 'historical_speech', confidence: 0.9, uncertain: false },
      /no speech is stated/,
    ],
  ];
  for (const [hc, reason] of cases) {
    const mg = buildMetadataGeneration(
      reportWith({}, { heritage_classification: { status: 'ok', analyzer: A, ...hc } }),
    );
    assert.equal(mg.dublin_core!.subject, undefined, String(hc['predicted_category']));
    assert.equal(mg.cultural_tags!.heritage_category, undefined);
    assert.equal(mg.cultural_tags!.heritage_uncertain, true);
    const w = mg.for_review!.find((x) => x.statement === 'heritage_category')!;
    assert.equal(w.value, hc['predicted_category']);
    assert.match(w.reason, reason);
    assert.doesNotMatch(mg.dublin_core!.description!.join(' '), /Heritage category/);
  }
});

test('no speaker statement without speech; speech comes from voice_activity', () => {
  const music = buildMetadataGeneration(
    reportWith(
      {},
      {
        voice_activity: {
          status: 'ok',
          analyzer: A,
          speech_ratio: 0.006,
          speech_duration_sec: 0.76,
        },
        segmentation: segmentation(['music', 90, 0.9]),
        music_analysis: { status: 'ok', analyzer: A, music_detected: true },
        speaker_recognition: {
          status: 'ok',
          analyzer: A,
          speakers_detected: 1,
          estimated_by: 'bic',
        },
      },
    ),
  );
  assert.deepEqual(music.cultural_tags!.content, ['music']);
  assert.equal(music.cultural_tags!.speakers_detected, undefined);
  assert.doesNotMatch(music.dublin_core!.description!.join(' '), /speaker/);
  assert.match(
    music.for_review!.find((w) => w.statement === 'speakers')!.reason,
    /no speech stated/,
  );

  const speech = buildMetadataGeneration(
    reportWith(
      {},
      {
        voice_activity: { status: 'ok', analyzer: A, speech_ratio: 0.87, speech_duration_sec: 78 },
        // Speech over music is not music content; the music analyzer found none either.
        segmentation: segmentation(['speech_over_music', 90, 0.8]),
        music_analysis: { status: 'ok', analyzer: A, music_detected: false },
        speaker_recognition: {
          status: 'ok',
          analyzer: A,
          speakers_detected: 2,
          estimated_by: 'bic',
        },
      },
    ),
  );
  assert.deepEqual(speech.dublin_core!.subject, ['Speech']);
  assert.deepEqual(speech.cultural_tags!.content, ['speech']);
  assert.equal(speech.cultural_tags!.speakers_detected, 2);
  assert.match(
    speech.dublin_core!.description!.at(-1)!,
    /^Contains speech\. 2 speakers \(estimated\)\.$/,
  );
  const ev = speech.provenance!.find((p) => p.value === 'Speech')!.evidence![0]!;
  assert.equal(ev.section, 'voice_activity');
  assert.match(ev.basis, /speech_ratio 0\.87 >= 0\.1/);
});

test('VAD speech the segmentation calls singing is not speech, and speakers are counted on the refined speech', () => {
  // A sung call (the VAD fires on 39 s of it) with no spoken word: no speech, no speaker count.
  const sung = buildMetadataGeneration(
    reportWith(
      {},
      {
        voice_activity: {
          status: 'ok',
          analyzer: A,
          speech_ratio: 0.195,
          speech_duration_sec: 39,
          speech_segments: [
            { start: 10, end: 30 },
            { start: 100, end: 119 },
          ],
        },
        segmentation: segmentation(['singing', 200, 0.9]),
        music_analysis: { status: 'ok', analyzer: A, music_detected: true },
        speaker_recognition: {
          status: 'ok',
          analyzer: A,
          speakers_detected: 0,
          speech_sec: 0,
          speech_excluded_sec: 39,
          speech_refined_by: 'segmentation',
        },
      },
    ),
  );
  assert.deepEqual(sung.cultural_tags!.content, ['music', 'singing']);
  const withheld = sung.for_review!.find((w) => w.statement === 'content.speech')!;
  assert.match(
    withheld.reason,
    /speech_ratio 0 \(0 s\) below 0\.1 \/ 1 s \(VAD 39 s, of which 39 s the segmentation labels singing, music or noise\)/,
  );

  // Speech, then singing: speech is stated from the part the segmentation calls speech, and the
  // speaker count needs 3 s of the speech it was counted on (the section's speech_sec).
  const mixed = buildMetadataGeneration(
    reportWith(
      {},
      {
        voice_activity: {
          status: 'ok',
          analyzer: A,
          speech_ratio: 0.4,
          speech_duration_sec: 40,
          speech_segments: [{ start: 0, end: 40 }],
        },
        segmentation: segmentation(['speech', 12, 0.9], ['singing', 88, 0.9]),
        music_analysis: { status: 'ok', analyzer: A, music_detected: true },
        speaker_recognition: {
          status: 'ok',
          analyzer: A,
          speakers_detected: 1,
          estimated_by: 'ahc_threshold',
          speech_sec: 2.9,
          speech_excluded_sec: 27.5,
          speech_refined_by: 'segmentation',
        },
      },
    ),
  );
  // 12 s of speech + the 0.5-s tolerance = 12.5 s of the VAD's 40; share 0.4 × 12.5 / 40
  const said = mixed.provenance!.find((p) => p.value === 'Speech')!.evidence![0]!;
  assert.equal(
    said.basis,
    'speech_ratio 0.13 >= 0.1, 12.5 s >= 1 s (VAD 40 s, of which 27.5 s the segmentation labels singing, music or noise)',
  );
  assert.equal(
    mixed.for_review!.find((w) => w.statement === 'speakers')!.reason,
    'only 2.9 s of speech, below 3 s',
  );
  assert.equal(mixed.cultural_tags!.speakers_detected, undefined);
});

test('music is not stated when music_analysis finds none, nor below the posterior threshold', () => {
  const denied = buildMetadataGeneration(
    reportWith(
      {},
      {
        segmentation: segmentation(['music', 90, 0.9]),
        music_analysis: { status: 'ok', analyzer: A, music_detected: false },
        instrumentation: {
          status: 'ok',
          analyzer: A,
          tags: [
            { family: 'brass', score: 0.95, coverage: 1, present: true, held_out_precision: 0.9 },
          ],
        },
      },
    ),
  );
  assert.equal(denied.dublin_core!.subject, undefined);
  assert.match(
    denied.for_review!.find((w) => w.statement === 'content.music')!.reason,
    /music_detected is false/,
  );
  assert.match(
    denied.for_review!.find((w) => w.statement === 'instrument.brass')!.reason,
    /no music stated/,
  );
  const weak = buildMetadataGeneration(
    reportWith({}, { segmentation: segmentation(['speech', 60, 0.9], ['singing', 30, 0.55]) }),
  );
  assert.deepEqual(weak.cultural_tags!.content, ['speech']);
  assert.match(
    weak.for_review!.find((w) => w.statement === 'content.singing')!.reason,
    /posterior below 0\.6/,
  );
});
