import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDecode } from '../../src/audio/decode.js';
import { resolveFfmpeg } from '../../src/audio/ffmpeg-path.js';
import { probeFile } from '../../src/audio/probe.js';
import { SonoError } from '../../src/errors.js';
import { encodeWav, tempDir, tone, writeWav } from '../helpers/fixtures.js';
import { bextChunk, infoChunk, ixmlChunk, toRf64 } from './bwf-fixtures.js';
import { writeEncoded } from './ffmpeg-fixtures.js';

const dir = tempDir('sonoteca-probe-');
after(() => rmSync(dir, { recursive: true, force: true }));

async function probeRejects(path: string, code: string, opts = {}): Promise<SonoError> {
  try {
    await probeFile(path, opts);
  } catch (e) {
    assert.ok(e instanceof SonoError, `expected SonoError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`${path}: expected ${code}`);
}

const IXML = `<?xml version="1.0" encoding="UTF-8"?>
<BWFXML><IXML_VERSION>2.10</IXML_VERSION><PROJECT>Oral history 1974</PROJECT><SCENE>12</SCENE>
<TAKE>3</TAKE><NOTE>Interview, kitchen</NOTE><SPEED><NOTE>pull-down off</NOTE></SPEED></BWFXML>`;

const UMID = Buffer.alloc(32, 0xab);
const TIME_REF = 8589934597n; // 2^33 + 5: needs the high 32 bits

function bwfChunks(version: number) {
  return [
    bextChunk({
      description: 'Field recording, Rèbbio', // è as Latin-1: read back by the fallback
      originator: 'Sonoteca Test Archive',
      originatorReference: 'STA-0042',
      originationDate: '1974-06-21',
      originationTime: '14:30:05',
      timeReference: TIME_REF,
      version,
      umid: UMID,
      loudness: [-2345, 750, -120, -1800, -2050],
      codingHistory: 'A=ANALOGUE,M=mono,T=Studer A807\r\nA=PCM,F=48000,W=24,M=mono,T=RME ADI-2\r\n',
    }),
    ixmlChunk(IXML),
    infoChunk({
      INAM: 'Canto di lavoro',
      IART: 'Coro di Premia',
      ICRD: '1974-06-21',
      ICMT: 'Tape 42, side A',
    }),
  ];
}

test('BWF: bext v2 (64-bit time reference, loudness), iXML and LIST/INFO are read', async () => {
  const x = tone(440, 1.25, 48000, 0.25);
  const p = writeWav(dir, 'bwf.wav', [x], {
    sampleRateHz: 48000,
    format: 'pcm24',
    extraChunks: bwfChunks(2),
  });
  const r = await probeFile(p);
  const a = r.audio_info;
  assert.equal(a.container, 'WAVE');
  assert.equal(a.codec, 'PCM');
  assert.equal(a.sample_rate, 48000);
  assert.equal(a.channels, 1);
  assert.equal(a.bit_depth, 24);
  assert.equal(a.lossless, true);
  assert.equal(a.duration, 1.25);
  assert.equal(a.bitrate, 48000 * 24);
  assert.equal(a.mime_type, 'audio/wav');
  const b = r.embedded.bext!;
  assert.equal(b.description, 'Field recording, Rèbbio');
  assert.equal(b.originator, 'Sonoteca Test Archive');
  assert.equal(b.originator_reference, 'STA-0042');
  assert.equal(b.origination_date, '1974-06-21');
  assert.equal(b.origination_time, '14:30:05');
  assert.equal(b.time_reference, Number(TIME_REF));
  assert.ok(Math.abs(b.time_reference_sec! - Number(TIME_REF) / 48000) < 1e-9);
  assert.equal(b.version, 2);
  assert.equal(b.umid, UMID.toString('hex'));
  assert.equal(b.loudness_value, -23.45);
  assert.equal(b.loudness_range, 7.5);
  assert.equal(b.max_true_peak_level, -1.2);
  assert.equal(b.max_momentary_loudness, -18);
  assert.equal(b.max_short_term_loudness, -20.5);
  assert.equal(
    b.coding_history,
    'A=ANALOGUE,M=mono,T=Studer A807\nA=PCM,F=48000,W=24,M=mono,T=RME ADI-2',
  );
  assert.equal(r.embedded.ixml, IXML);
  assert.equal(r.embedded.ixml_fields!['PROJECT'], 'Oral history 1974');
  assert.equal(r.embedded.ixml_fields!['TAKE'], '3');
  assert.equal(r.embedded.ixml_fields!['SPEED/NOTE'], 'pull-down off');
  assert.deepEqual(r.embedded.riff_info, {
    INAM: 'Canto di lavoro',
    IART: 'Coro di Premia',
    ICRD: '1974-06-21',
    ICMT: 'Tape 42, side A',
  });
  assert.equal(r.embedded.common.title, 'Canto di lavoro');
  assert.equal(r.embedded.common.artist, 'Coro di Premia');
  assert.ok(r.embedded.tag_types.includes('bext'));
  assert.ok(r.embedded.tag_types.includes('iXML'));
  // The data chunk: right where encodeWav put it (after every metadata chunk), 3 bytes/sample.
  const file = readFileSync(p);
  assert.equal(r.wav!.dataSize, 60000 * 3);
  assert.equal(file.toString('latin1', r.wav!.dataOffset - 8, r.wav!.dataOffset - 4), 'data');
  assert.equal(r.wav!.dataOffset + r.wav!.dataSize, file.length);
  // JSON-serialisable, unchanged by a round trip.
  assert.deepEqual(JSON.parse(JSON.stringify(r.embedded)), r.embedded);
});

test('bext version 1: the loudness fields are null (reserved bytes before v2)', async () => {
  const p = writeWav(dir, 'bwf-v1.wav', [tone(440, 0.2, 44100)], {
    sampleRateHz: 44100,
    extraChunks: [bwfChunks(1)[0]!],
  });
  const b = (await probeFile(p)).embedded.bext!;
  assert.equal(b.version, 1);
  assert.equal(b.loudness_value, null);
  assert.equal(b.max_true_peak_level, null);
  assert.equal(b.originator_reference, 'STA-0042');
});

test('RF64 with ds64: sizes from ds64, bext read, and ffmpeg decodes it', async () => {
  const x = tone(1000, 0.5, 48000, 0.5);
  const wav = encodeWav([x, x], {
    sampleRateHz: 48000,
    format: 'pcm24',
    extraChunks: bwfChunks(2),
  });
  const p = join(dir, 'rf64.wav');
  writeFileSync(p, toRf64(wav));
  const r = await probeFile(p);
  assert.equal(r.audio_info.container, 'RF64');
  assert.equal(r.audio_info.channels, 2);
  assert.equal(r.audio_info.duration, 0.5);
  assert.equal(r.wav!.dataSize, 24000 * 6);
  assert.equal(r.embedded.bext!.loudness_value, -23.45);
  assert.equal(r.embedded.common.title, 'Canto di lavoro');
  const s = startDecode(p);
  let n = 0;
  for await (const b of s.analysis) n += b.length;
  await s.done;
  assert.equal(n, 8000);
});

test('MP3 (ID3v2), Opus, FLAC, AIFF and M4A: codec, rate, depth, duration, tags', async () => {
  const x = tone(440, 2, 44100, 0.4);
  const meta = [
    '-metadata',
    'title=Ninna nanna',
    '-metadata',
    'artist=Maria R.',
    '-metadata',
    'date=1958',
  ];
  const mp3 = writeEncoded(dir, 'a.mp3', [x, x], { sampleRateHz: 44100 }, [
    ...meta,
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
  ]);
  const r1 = await probeFile(mp3);
  assert.equal(r1.audio_info.container, 'MPEG');
  assert.equal(r1.audio_info.codec, 'MPEG 1 Layer 3');
  assert.equal(r1.audio_info.bit_depth, null);
  assert.equal(r1.audio_info.lossless, false);
  assert.equal(r1.audio_info.bitrate, 128000);
  assert.equal(r1.audio_info.mime_type, 'audio/mpeg');
  assert.ok(Math.abs(r1.audio_info.duration - 2) < 0.06, `mp3 duration ${r1.audio_info.duration}`);
  assert.equal(r1.embedded.id3!['TIT2'], 'Ninna nanna');
  assert.equal(r1.embedded.common.title, 'Ninna nanna');
  assert.equal(r1.embedded.common.artist, 'Maria R.');

  const opus = writeEncoded(dir, 'a.opus', [x], { sampleRateHz: 44100 }, [
    ...meta,
    '-c:a',
    'libopus',
    '-b:a',
    '48k',
  ]);
  const r2 = await probeFile(opus);
  assert.equal(r2.audio_info.container, 'Ogg');
  assert.equal(r2.audio_info.codec, 'Opus');
  assert.equal(r2.audio_info.sample_rate, 48000);
  assert.ok(Math.abs(r2.audio_info.duration - 2) < 0.01, `opus duration ${r2.audio_info.duration}`);
  assert.equal(r2.embedded.vorbis!['TITLE'], 'Ninna nanna');

  const flac = writeEncoded(dir, 'a.flac', [x, x], { sampleRateHz: 44100, format: 'pcm24' }, [
    ...meta,
    '-c:a',
    'flac',
  ]);
  const r3 = await probeFile(flac);
  assert.equal(r3.audio_info.codec, 'FLAC');
  assert.equal(r3.audio_info.bit_depth, 24);
  assert.equal(r3.audio_info.lossless, true);
  assert.equal(r3.audio_info.duration, 2);
  assert.equal(r3.audio_info.mime_type, 'audio/flac');
  assert.equal(r3.embedded.common.date, '1958');

  // An ID3v2 tag in front of FLAC: the container found wins over the sniffed MP3.
  const id3flac = join(dir, 'id3.flac');
  writeFileSync(
    id3flac,
    Buffer.concat([Buffer.from('ID3\x04\0\0\0\0\0\0', 'latin1'), readFileSync(flac)]),
  );
  const r3b = await probeFile(id3flac);
  assert.equal(r3b.audio_info.container, 'FLAC');
  assert.equal(r3b.audio_info.mime_type, 'audio/flac');
  assert.equal(r3b.audio_info.duration, 2);

  const aiff = writeEncoded(dir, 'a.aiff', [x], { sampleRateHz: 44100 }, ['-c:a', 'pcm_s16be']);
  const r4 = await probeFile(aiff);
  assert.match(r4.audio_info.container, /^AIFF/);
  assert.equal(r4.audio_info.bit_depth, 16);
  assert.equal(r4.audio_info.mime_type, 'audio/aiff');
  assert.ok(Math.abs(r4.audio_info.duration - 2) < 1e-6);

  const m4a = writeEncoded(dir, 'a.m4a', [x, x], { sampleRateHz: 44100 }, [
    ...meta,
    '-c:a',
    'aac',
    '-b:a',
    '96k',
  ]);
  const r5 = await probeFile(m4a);
  assert.equal(r5.audio_info.container, 'MPEG-4');
  assert.equal(r5.audio_info.mime_type, 'audio/mp4');
  assert.match(r5.audio_info.codec, /AAC/);
  assert.ok(Math.abs(r5.audio_info.duration - 2) < 0.06, `m4a duration ${r5.audio_info.duration}`);
  assert.equal(r5.embedded.common.title, 'Ninna nanna');
});

test('bad input: every case gets its own code', async () => {
  const good = encodeWav([tone(440, 0.5, 16000)], { sampleRateHz: 16000 });
  const write = (name: string, bytes: Buffer | string): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  await probeRejects(join(dir, 'nope.wav'), 'SONO_ERR_PATH_NOT_FOUND');
  await probeRejects(write('empty.wav', Buffer.alloc(0)), 'SONO_ERR_EMPTY_FILE');
  const folder = join(dir, 'folder.wav');
  mkdirSync(folder);
  await probeRejects(folder, 'SONO_ERR_NOT_AUDIO');

  const png = Buffer.concat([
    Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
    Buffer.alloc(100),
  ]);
  const e1 = await probeRejects(write('png.wav', png), 'SONO_ERR_NOT_AUDIO');
  assert.equal(e1.details['detected'], 'PNG image');
  assert.match(e1.message, /PNG image/);
  const e2 = await probeRejects(
    write('text.wav', 'title,artist\nCanto,Coro\n'),
    'SONO_ERR_NOT_AUDIO',
  );
  assert.equal(e2.details['detected'], 'text');

  // Truncated WAV headers: inside the RIFF header, inside fmt, inside the data chunk header.
  for (const cut of [8, 30, 40]) {
    const e = await probeRejects(
      write(`cut${cut}.wav`, good.subarray(0, cut)),
      'SONO_ERR_TRUNCATED',
    );
    assert.match(e.message, /truncated/i);
  }

  // A data chunk that claims ten times what the file holds: a cut file, probed with its damage.
  const liar = Buffer.from(good);
  const realSize = liar.readUInt32LE(40);
  liar.writeUInt32LE(realSize * 10, 40);
  const cutWav = await probeFile(write('liar.wav', liar));
  assert.equal(cutWav.damage?.kind, 'truncated');
  assert.equal(cutWav.damage?.declared_bytes, realSize * 10);
  assert.equal(cutWav.damage?.present_bytes, realSize);
  assert.match(
    cutWav.damage?.detail ?? '',
    new RegExp(`declares ${realSize * 10} bytes but only ${realSize} bytes`),
  );
  // The header's duration is what was recorded; the decode says how much is left.
  assert.ok(Math.abs(cutWav.audio_info.duration - 5) < 0.01, String(cutWav.audio_info.duration));
  // A data chunk with no complete sample frame in it has nothing to decode.
  await probeRejects(write('nodata.wav', good.subarray(0, 45)), 'SONO_ERR_TRUNCATED');

  // Absurd declared sizes: an RF64 data size of 2^60 bytes; a 1 Hz header declaring 12 days.
  const rf64 = toRf64(good, 2n ** 60n);
  await probeRejects(write('absurd-rf64.wav', rf64), 'SONO_ERR_FILE_TOO_LARGE');
  const slow = encodeWav([new Float32Array(1_050_000)], { sampleRateHz: 1 });
  const e4 = await probeRejects(write('absurd-duration.wav', slow), 'SONO_ERR_FILE_TOO_LARGE');
  assert.match(e4.message, /291\.7 h/);
  // Over a configured limit.
  await probeRejects(write('big.wav', good), 'SONO_ERR_FILE_TOO_LARGE', { maxFileSizeBytes: 1000 });
  await probeRejects(write('long.wav', good), 'SONO_ERR_FILE_TOO_LARGE', { maxDurationSec: 0.25 });

  // A WAVE format tag nobody decodes.
  const odd = Buffer.from(good);
  odd.writeUInt16LE(0x1234, 20);
  const e5 = await probeRejects(write('odd.wav', odd), 'SONO_ERR_UNSUPPORTED_CODEC');
  assert.match(e5.message, /0x1234/);
});

test('truncated MP3 (with a Xing/Info header, and cut inside the last frame without one) is probed with its damage', async () => {
  const x = tone(330, 6, 44100, 0.4);
  const withInfo = readFileSync(
    writeEncoded(dir, 'full.mp3', [x], { sampleRateHz: 44100 }, [
      '-c:a',
      'libmp3lame',
      '-b:a',
      '128k',
    ]),
  );
  await probeFile(join(dir, 'full.mp3')); // the complete file is fine
  const p1 = join(dir, 'half.mp3');
  writeFileSync(p1, withInfo.subarray(0, Math.floor(withInfo.length * 0.6)));
  const r1 = await probeFile(p1);
  assert.equal(r1.damage?.kind, 'truncated');
  assert.match(r1.damage?.detail ?? '', /Info header declares/);
  assert.ok(r1.damage!.present_bytes! < 0.65 * r1.damage!.declared_bytes!);

  const noXing = readFileSync(
    writeEncoded(dir, 'noxing.mp3', [x], { sampleRateHz: 44100 }, [
      '-c:a',
      'libmp3lame',
      '-b:a',
      '128k',
      '-write_xing',
      '0',
      '-id3v2_version',
      '0',
    ]),
  );
  await probeFile(join(dir, 'noxing.mp3'));
  const p2 = join(dir, 'noxing-cut.mp3');
  writeFileSync(p2, noXing.subarray(0, noXing.length - 150)); // frames are 417/418 bytes
  const r2 = await probeFile(p2);
  assert.match(r2.damage?.detail ?? '', /last MPEG frame is cut/);
  assert.equal(r2.damage?.ends_at_byte, noXing.length - 150);
});

test('a video-only MP4 has no audio stream, at probe and at decode', async () => {
  const p = join(dir, 'video.mp4');
  execFileSync(resolveFfmpeg().path, [
    '-hide_banner',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=32x32:rate=5:duration=0.4',
    '-c:v',
    'mjpeg',
    p,
  ]);
  await probeRejects(p, 'SONO_ERR_NO_AUDIO_STREAM');
  const s = startDecode(p);
  const isNoAudio = (e: unknown): boolean =>
    e instanceof SonoError && e.code === 'SONO_ERR_NO_AUDIO_STREAM';
  // The analysis stream rethrows the decode failure when it ends, and `done` rejects with it.
  await assert.rejects(async () => {
    for await (const _b of s.analysis);
  }, isNoAudio);
  await assert.rejects(s.done, isNoAudio);
});

test('a streamed WAV (0xFFFFFFFF size placeholders) is read to the end of the file', async () => {
  const wav = encodeWav([tone(440, 0.5, 8000)], { sampleRateHz: 8000 });
  wav.writeUInt32LE(0xffffffff, 4);
  wav.writeUInt32LE(0xffffffff, 40);
  const p = join(dir, 'streamed.wav');
  writeFileSync(p, wav);
  const r = await probeFile(p);
  assert.equal(r.audio_info.duration, 0.5);
  assert.deepEqual(r.wav, { dataOffset: 44, dataSize: 8000 });
  assert.deepEqual(r.warnings, [
    'data chunk size is the 0xFFFFFFFF placeholder; using the file length',
  ]);
});

test('cut FLAC, M4A, Ogg and AIFF headers are truncated; an AIFF missing samples is probed with its damage', async () => {
  const x = tone(440, 1, 22050, 0.4);
  const enc = (name: string, args: string[]): Buffer =>
    readFileSync(writeEncoded(dir, name, [x], { sampleRateHz: 22050 }, args));
  const files: [string, Buffer][] = [
    ['c.flac', enc('c.flac', ['-c:a', 'flac'])],
    ['c.m4a', enc('c.m4a', ['-c:a', 'aac', '-b:a', '64k'])],
    ['c.ogg', enc('c.ogg', ['-c:a', 'libvorbis'])],
    ['c.aiff', enc('c.aiff', ['-c:a', 'pcm_s16be'])],
  ];
  for (const [name, bytes] of files) {
    const p = join(dir, `cut-${name}`);
    writeFileSync(p, bytes.subarray(0, 20));
    await probeRejects(p, 'SONO_ERR_TRUNCATED');
  }
  const aiff = files[3]![1];
  const p = join(dir, 'half.aiff');
  writeFileSync(p, aiff.subarray(0, aiff.length >> 1));
  const r = await probeFile(p);
  assert.equal(r.damage?.kind, 'truncated');
  assert.match(r.damage?.detail ?? '', /declares 22050 sample frames \(44100 bytes\)/);
});
