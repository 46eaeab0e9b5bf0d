import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeFixity } from '../../src/audio/fixity.js';
import { probeFile } from '../../src/audio/probe.js';
import { SonoError } from '../../src/errors.js';
import { encodeWav, noise, tempDir } from '../helpers/fixtures.js';
import { bextChunk, infoChunk } from './bwf-fixtures.js';

const dir = tempDir('sonoteca-fixity-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('known digests (RFC 1321 / FIPS 180-2 test vector "abc")', async () => {
  const p = join(dir, 'abc.bin');
  writeFileSync(p, 'abc');
  const f = await computeFixity(p);
  assert.deepEqual(f, {
    md5: '900150983cd24fb0d6963f7d28e17f72',
    sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    audio_data_md5: null,
    bytes: 3,
  });
});

test('audio_data_md5 covers exactly the data chunk and survives metadata edits', async () => {
  // 3 s of 48 kHz stereo 24-bit noise: 864 000 data bytes, several 1 MiB read chunks in total
  // with the metadata, so the data chunk straddles read boundaries.
  const x = noise(3, 48000, 0.5, 11);
  const y = noise(3, 48000, 0.5, 12);
  const dataBytes = encodeWav([x, y], { sampleRateHz: 48000, format: 'pcm24' }).subarray(44);
  const expectedDataMd5 = createHash('md5').update(dataBytes).digest('hex');
  const big = Buffer.alloc(700_000, 0x20); // a large iXML-like chunk pushes data past 1 MiB
  const versions = [
    [bextChunk({ description: 'first cataloguing', version: 2 }), { id: 'JUNK', data: big }],
    [
      bextChunk({
        description: 'corrected description, longer than before',
        version: 2,
        codingHistory: 'A=PCM,F=48000,W=24,M=stereo\r\n',
      }),
      infoChunk({ INAM: 'Retitled' }),
      { id: 'JUNK', data: big.subarray(1) },
    ],
  ];
  const results = [];
  for (const [i, extraChunks] of versions.entries()) {
    const file = encodeWav([x, y], { sampleRateHz: 48000, format: 'pcm24', extraChunks });
    const p = join(dir, `edit${i}.wav`);
    writeFileSync(p, file);
    const probe = await probeFile(p);
    const f = await computeFixity(p, probe.wav);
    assert.equal(f.bytes, file.length);
    assert.equal(f.md5, createHash('md5').update(file).digest('hex'));
    assert.equal(f.sha256, createHash('sha256').update(file).digest('hex'));
    assert.equal(f.audio_data_md5, expectedDataMd5);
    results.push(f);
  }
  assert.notEqual(results[0]!.md5, results[1]!.md5);
  assert.notEqual(results[0]!.sha256, results[1]!.sha256);
  assert.equal(results[0]!.audio_data_md5, results[1]!.audio_data_md5);
});

test('a missing file is SONO_ERR_PATH_NOT_FOUND', async () => {
  await assert.rejects(
    computeFixity(join(dir, 'gone.wav')),
    (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_PATH_NOT_FOUND',
  );
});
