/**
 * Issue 8 regressions through the pipeline: every mislabelled fixture reports the codec, rate
 * and duration of its content with an extension_mismatch QC check; damaged files are analysed
 * as far as they decode with a truncated/damaged check saying how much is missing and where;
 * only a file with nothing decodable fails.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { analyzeFile, analyzeFileSafe } from '../../src/pipeline/analyze-file.js';
import { assertReportMatches, writeMislabelledFixtures } from '../audio/mislabelled-fixtures.js';
import { writeEncoded } from '../audio/ffmpeg-fixtures.js';
import { tempDir, tone } from '../helpers/fixtures.js';

const dir = tempDir('sonoteca-damaged-');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Encodes 4 s of tone as `name` and writes its first half as `half-<name>`. */
function writeHalf(name: string, rateHz: number, codecArgs: string[]): string {
  const bytes = readFileSync(
    writeEncoded(dir, name, [tone(440, 4, rateHz, 0.4)], { sampleRateHz: rateHz }, codecArgs),
  );
  const p = join(dir, `half-${name}`);
  writeFileSync(p, bytes.subarray(0, bytes.length >> 1));
  return p;
}

for (const f of writeMislabelledFixtures(dir)) {
  test(`report agrees with the content: ${f.name}`, async () => {
    assertReportMatches(await analyzeFile(f.path, { processingType: 'technical' }), f);
  });
}

test('a FLAC cut in half: analysed to where it stops, with how much is missing', async () => {
  const p = writeHalf('whole.flac', 44100, ['-c:a', 'flac']);
  const r = await analyzeFile(p, { processingType: 'technical' });
  const integrity = r.results.technical_metadata.integrity!;
  assert.equal(integrity.status, 'truncated');
  assert.equal(integrity.declared_duration_sec, 4);
  assert.ok(integrity.decoded_duration_sec > 1 && integrity.decoded_duration_sec < 3);
  assert.ok(
    Math.abs(integrity.missing_sec! - (4 - integrity.decoded_duration_sec)) < 0.002,
    JSON.stringify(integrity),
  );
  assert.equal(integrity.audio_ends_at_sec, integrity.decoded_duration_sec);
  assert.equal((r.results.quality_control as unknown as { verdict: string }).verdict, 'fail');
});

test('an Opus file cut in half is truncated (no end-of-stream page); amount unknown', async () => {
  const p = writeHalf('whole.opus', 16000, ['-c:a', 'libopus', '-b:a', '24k']);
  const r = await analyzeFile(p, { processingType: 'technical' });
  const integrity = r.results.technical_metadata.integrity!;
  assert.equal(integrity.status, 'truncated');
  assert.match(integrity.detail ?? '', /last Ogg page .* is cut|end-of-stream/);
  assert.equal(integrity.missing_sec, null);
  assert.ok(integrity.decoded_duration_sec > 1 && integrity.decoded_duration_sec < 3);
});

test('only a file with nothing decodable fails: a WAV header without samples', async () => {
  const wav = readFileSync(join(dir, 'src.mp3.src.wav'));
  const p = join(dir, 'header-only.wav');
  writeFileSync(p, wav.subarray(0, 44));
  const r = await analyzeFileSafe(p, { processingType: 'technical' });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'SONO_ERR_TRUNCATED');
});
