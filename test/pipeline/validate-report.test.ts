import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFile } from '../../src/pipeline/analyze-file.js';
import { validateReport } from '../../src/pipeline/validate-report.js';
import { tempDir, tone, writeWav } from '../helpers/fixtures.js';

test('the report schema accepts a real report and rejects made-up or missing values', async () => {
  const wav = writeWav(tempDir('sonoteca-validate-'), 'one.wav', [tone(440, 1, 48000, 0.25)], {
    sampleRateHz: 48000,
    format: 'pcm24',
  });
  const report = await analyzeFile(wav, { processingType: 'technical' });
  assert.deepEqual(validateReport(report).errors, []);
  const clone = (): Record<string, Record<string, unknown>> =>
    JSON.parse(JSON.stringify(report)) as Record<string, Record<string, unknown>>;

  // A not_run section must not carry values.
  const madeUp = clone();
  madeUp['results']!['fixity'] = { status: 'not_run', reason: 'skipped', md5: '0'.repeat(32) };
  const r1 = validateReport(madeUp);
  assert.equal(r1.valid, false);
  assert.ok(
    r1.errors.some((e) => e.startsWith('/results/fixity')),
    r1.errors.join('\n'),
  );

  // A failed section needs its coded error.
  const failed = clone();
  failed['results']!['technical_metadata'] = { status: 'failed', reason: 'x' };
  assert.equal(validateReport(failed).valid, false);

  // The stable core is required.
  const noCore = clone();
  delete noCore['results']!['metadata_generation'];
  const r3 = validateReport(noCore);
  assert.equal(r3.valid, false);
  assert.ok(
    r3.errors.some((e) => e.includes('metadata_generation')),
    r3.errors.join('\n'),
  );

  const badHash = clone();
  (badHash['results']!['fixity'] as Record<string, unknown>)['sha256'] = 'not-a-hash';
  assert.equal(validateReport(badHash).valid, false);
});
