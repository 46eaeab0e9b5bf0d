/**
 * Non-ASCII embedded metadata, written into real files (the BWF chunk builders; ffmpeg for FLAC,
 * Ogg, MP3, M4A), read by the real probe and pipeline, must arrive intact in Dublin Core.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { analyzeFile } from '../../src/pipeline/analyze-file.js';
import { bextChunk, infoChunk } from '../audio/bwf-fixtures.js';
import { writeEncoded } from '../audio/ffmpeg-fixtures.js';
import { tempDir, tone, writeWav } from '../helpers/fixtures.js';

const dir = tempDir('sonoteca-dc-');
after(() => rmSync(dir, { recursive: true, force: true }));
const x = tone(440, 1, 44100, 0.3);
const TITLE = 'ñandú — Ωmega';
const ARTIST = 'Seán Ó Riada';
const COMMENT = 'Intervista: però così';

test('WAV/BWF: UTF-8 INFO and Latin-1 bext reach DC unmangled, each field where it belongs', async () => {
  const wav = writeWav(dir, 'bwf.wav', [x], {
    sampleRateHz: 44100,
    format: 'pcm24',
    extraChunks: [
      bextChunk({
        description: 'Entrevista con Seán, cinta 3 cara A', // Latin-1 bytes (not valid UTF-8)
        originator: 'Fonoteca Núñez',
        originatorReference: 'FN-1961-07',
        originationDate: '1961-07-14',
        originationTime: '10:20:30',
        codingHistory: 'A=ANALOGUE,M=mono,T=Studer A80\r\nA=PCM,F=44100,W=24,M=mono,T=Prism\r\n',
      }),
      infoChunk({ INAM: TITLE, IART: ARTIST, ICMT: COMMENT }),
    ],
  });
  const r = await analyzeFile(wav, { processingType: 'technical' });
  assert.equal(r.results.technical_metadata.embedded?.common.title, TITLE);
  const mg = r.results.metadata_generation;
  const dc = mg.dublin_core!;
  assert.deepEqual(dc.title, [TITLE]);
  assert.deepEqual(dc.creator, [ARTIST]);
  assert.deepEqual(dc.publisher, ['Fonoteca Núñez']);
  assert.equal(dc.description![0], 'Entrevista con Seán, cinta 3 cara A');
  assert.equal(dc.description![1], COMMENT);
  assert.deepEqual(dc.date, ['1961-07-14T10:20:30']);
  assert.ok(dc.identifier!.includes('FN-1961-07'));
  assert.deepEqual(dc.source, [
    'Coding history: A=ANALOGUE,M=mono,T=Studer A80; A=PCM,F=44100,W=24,M=mono,T=Prism',
  ]);
  assert.equal(mg.provenance!.find((p) => p.element === 'title')!.field, 'riff_info.INAM');
  assert.equal(mg.provenance!.find((p) => p.element === 'publisher')!.field, 'bext.originator');
});

const ENCODED: readonly [string, readonly string[], string][] = [
  ['flac', ['-c:a', 'flac'], 'vorbis.'],
  ['ogg', ['-c:a', 'libvorbis', '-q:a', '2'], 'vorbis.'],
  ['mp3', ['-c:a', 'libmp3lame', '-b:a', '64k', '-id3v2_version', '3'], 'id3.'],
  ['m4a', ['-c:a', 'aac', '-b:a', '64k'], 'other.iTunes.'],
];

for (const [ext, codec, fieldPrefix] of ENCODED) {
  test(`${ext}: non-ASCII title, artist and comment reach DC unmangled`, async () => {
    const file = writeEncoded(dir, `t.${ext}`, [x], { sampleRateHz: 44100, format: 'pcm16' }, [
      ...codec,
      ...['-metadata', `title=${TITLE}`, '-metadata', `artist=${ARTIST}`],
      ...['-metadata', `comment=${COMMENT}`],
    ]);
    const r = await analyzeFile(file, { processingType: 'technical' });
    const mg = r.results.metadata_generation;
    assert.deepEqual(mg.dublin_core!.title, [TITLE]);
    assert.deepEqual(mg.dublin_core!.creator, [ARTIST]);
    assert.equal(mg.dublin_core!.description![0], COMMENT);
    const title = mg.provenance!.find((p) => p.element === 'title')!;
    assert.equal(title.source, 'embedded');
    assert.ok(title.field?.startsWith(fieldPrefix), `${ext}: ${title.field}`);
  });
}
