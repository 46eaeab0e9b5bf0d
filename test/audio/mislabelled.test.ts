import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { parseFfmpegInfo } from '../../src/audio/ffmpeg-probe.js';
import { probeFile } from '../../src/audio/probe.js';
import { identifyContent, sniffAudioFormat } from '../../src/audio/sniff.js';
import { tempDir } from '../helpers/fixtures.js';
import { writeMislabelledFixtures } from './mislabelled-fixtures.js';

const dir = tempDir('sonoteca-mislabelled-');
after(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = writeMislabelledFixtures(dir);

for (const f of fixtures) {
  test(`probe, content decides: ${f.name}`, async () => {
    const r = await probeFile(f.path);
    assert.match(r.audio_info.codec, f.content.codec);
    assert.equal(r.audio_info.sample_rate, f.content.sampleRateHz);
    assert.equal(r.content.format, f.content.format);
    assert.equal(r.content.extension_mismatch, f.mismatch);
    if (f.mismatch)
      assert.ok(
        r.warnings.some((w) => w.includes(`named .${r.content.extension}`)),
        r.warnings.join('; '),
      );
    assert.equal(r.damage?.kind, f.damaged ? 'truncated' : undefined, r.damage?.detail);
    // The header duration (declared) of every case is what was encoded.
    assert.ok(Math.abs(r.audio_info.duration - f.declaredSec) < 0.1, `${r.audio_info.duration} s`);
  });
}

test('identifyContent: the extension family against the sniffed family', () => {
  const wav = sniffAudioFormat(Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'));
  const rf64 = sniffAudioFormat(Buffer.from('RF64\0\0\0\0WAVEds64', 'latin1'));
  assert.deepEqual(identifyContent('a.WAV', wav), {
    format: 'wav',
    extension: 'wav',
    extension_format: 'wav',
    extension_mismatch: false,
  });
  assert.equal(identifyContent('a.wav', rf64).extension_mismatch, false); // RF64 is a WAV
  assert.equal(identifyContent('a.mp3', wav).extension_mismatch, true);
  assert.equal(identifyContent('a.bin', wav).extension_mismatch, false); // not an audio extension
  assert.equal(identifyContent('noext', wav).extension, null);
  assert.equal(identifyContent('a.mp3', null).extension_mismatch, false); // content unknown
});

test('parseFfmpegInfo reads the demuxer, duration and first audio stream', () => {
  const info = parseFfmpegInfo(
    [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp3':",
      '  Duration: 00:01:03.06, start: 0.000000, bitrate: 34 kb/s',
      '    Stream #0:0(und): Audio: aac (LC) (mp4a / 0x6134706D), 16000 Hz, mono, fltp, 32 kb/s (default)',
    ].join('\n'),
  );
  assert.deepEqual(info, {
    demuxer: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSec: 63.06,
    codec: 'aac',
    sampleRateHz: 16000,
    channels: 1,
    bitrate: 32000,
    bitDepth: null,
  });
  const pcm = parseFfmpegInfo(
    [
      "Input #0, wav, from 'y.wav':",
      '  Duration: N/A, bitrate: 2304 kb/s',
      '    Stream #0:0: Audio: pcm_s24le ([1][0][0][0] / 0x0001), 48000 Hz, 2 channels, s32 (24 bit), 2304 kb/s',
    ].join('\n'),
  );
  assert.equal(pcm?.durationSec, null);
  assert.equal(pcm?.channels, 2);
  assert.equal(pcm?.bitDepth, 24);
  assert.equal(parseFfmpegInfo("Input #0, png_pipe, from 'z':\n    Stream #0:0: Video: png"), null);
});
