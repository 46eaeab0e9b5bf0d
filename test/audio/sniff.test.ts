import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeNonAudio, sniffAudioFormat } from '../../src/audio/sniff.js';
import { encodeWav, tone } from '../helpers/fixtures.js';

const hex = (h: string, pad = 64): Buffer =>
  Buffer.concat([Buffer.from(h, 'hex'), Buffer.alloc(pad)]);
const ascii = (s: string, pad = 64): Buffer =>
  Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(pad)]);

test('audio containers are recognised by magic bytes', () => {
  const wav = encodeWav([tone(440, 0.01, 8000)], { sampleRateHz: 8000 });
  const rf64 = Buffer.from(wav);
  rf64.write('RF64', 0, 'latin1');
  const bw64 = Buffer.from(wav);
  bw64.write('BW64', 0, 'latin1');
  const ftyp = Buffer.concat([
    hex('00000020', 0),
    ascii('ftypM4A \u0000\u0000\u0000\u0000M4A mp42isom', 8),
  ]);
  const cases: [Buffer, string, string][] = [
    [wav, 'wav', 'audio/wav'],
    [rf64, 'rf64', 'audio/wav'],
    [bw64, 'bw64', 'audio/wav'],
    [ascii('fLaC\u0000\u0000\u0000\u0022'), 'flac', 'audio/flac'],
    [ascii('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0010'), 'mp3', 'audio/mpeg'],
    [hex('fffb9064'), 'mp3', 'audio/mpeg'], // MPEG-1 Layer III, 128 kbps, 44.1 kHz
    [ascii('OggS\u0000\u0002'), 'ogg', 'audio/ogg'],
    [ascii('FORM\u0000\u0000\u0010\u0000AIFF'), 'aiff', 'audio/aiff'],
    [ascii('FORM\u0000\u0000\u0010\u0000AIFC'), 'aiff', 'audio/aiff'],
    [ftyp, 'm4a', 'audio/mp4'],
    // Generic brands that phones and recorders write for audio-only MP4.
    [
      Buffer.concat([hex('00000018', 0), ascii('ftypisom\u0000\u0000\u0002\u0000isomiso2', 8)]),
      'm4a',
      'audio/mp4',
    ],
    [
      Buffer.concat([hex('00000014', 0), ascii('ftyp3gp4\u0000\u0000\u0000\u00003gp4', 8)]),
      'm4a',
      'audio/mp4',
    ],
  ];
  for (const [head, format, mime] of cases)
    assert.deepEqual(sniffAudioFormat(head), { format, mime }, format);
});

test('non-audio content is not sniffed as audio and is named', () => {
  const cases: [Buffer, string][] = [
    [hex('89504e470d0a1a0a0000000d49484452'), 'PNG image'],
    [hex('ffd8ffe000104a464946'), 'JPEG image'],
    [ascii('%PDF-1.7\n'), 'PDF document'],
    [hex('504b030414000600'), 'ZIP archive'],
    [Buffer.from('Inventario nastri, 1974\nNastro 42: canti di lavoro\n'), 'text'],
    [Buffer.from('<?xml version="1.0"?><catalogue/>'), 'XML document'],
  ];
  for (const [head, name] of cases) {
    assert.equal(sniffAudioFormat(head), null, name);
    assert.equal(describeNonAudio(head), name);
  }
  // ISO BMFF brands of other kinds (HEIF image, QuickTime) are not audio; random bytes unnamed.
  for (const brand of ['heic', 'mif1', 'qt  ']) {
    const head = Buffer.concat([
      hex('00000014', 0),
      ascii(`ftyp${brand}\u0000\u0000\u0000\u0000${brand}`, 0),
    ]);
    assert.equal(sniffAudioFormat(head), null, brand);
  }
  assert.equal(describeNonAudio(hex('00010203fefdfcfb0a0b0c0d', 0)), null);
});
