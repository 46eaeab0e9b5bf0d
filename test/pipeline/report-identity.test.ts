/**
 * A report re-addressed to another file holding the same bytes: path, name, title and the
 * name-versus-content finding follow the new file; the analysis is untouched; addressing it back
 * gives the original report.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { analyzeFile } from '../../src/pipeline/analyze-file.js';
import { addressReport, reportForTask } from '../../src/pipeline/report-identity.js';
import { validateReport } from '../../src/pipeline/validate-report.js';
import { qcChecks } from '../audio/mislabelled-fixtures.js';
import { tempDir, tone, writeWav } from '../helpers/fixtures.js';

const dir = tempDir('sonoteca-identity-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('addressReport moves path, name, title and the extension finding to the new file only', async () => {
  const path = writeWav(dir, 'original.wav', [tone(440, 1, 16000, 0.3)], { sampleRateHz: 16000 });
  const original = await analyzeFile(path, { processingType: 'technical' });
  assert.equal(original.results.technical_metadata.content?.extension_mismatch, false);
  const verdict = (r: typeof original): unknown =>
    (r.results.quality_control as { verdict?: string }).verdict;

  const moved = addressReport(original, {
    taskId: 't-2',
    path: '/x/y/copy.mp3',
    fileName: 'copy.mp3',
  });
  assert.equal(moved.task_id, 't-2');
  assert.deepEqual(moved.source, {
    ...original.source,
    path: '/x/y/copy.mp3',
    file_name: 'copy.mp3',
  });
  assert.deepEqual(moved.results.metadata_generation.dublin_core?.title, ['copy.mp3']);
  const content = moved.results.technical_metadata.content!;
  assert.deepEqual(
    [content.format, content.extension, content.extension_format, content.extension_mismatch],
    ['wav', 'mp3', 'mp3', true],
  );
  const check = qcChecks(moved).find((c) => c.id === 'extension_mismatch');
  assert.equal(check?.status, 'warn');
  assert.match(check!.message, /named \.mp3 \(MP3\) but the content is WAV/);
  assert.equal(moved.warnings[0], 'the file is named .mp3 but holds WAV content; read as WAV');
  assert.equal(JSON.stringify(moved).includes('original.wav'), false);
  // The analysis itself is the same.
  assert.deepEqual(moved.results.fixity, original.results.fixity);
  assert.deepEqual(moved.audio_info, original.audio_info);
  const v = validateReport(moved);
  assert.ok(v.valid, v.valid ? '' : v.errors.join('\n'));

  // Back to the original name: the finding, its warning and the verdict are as they were.
  const back = addressReport(moved, { path, fileName: 'original.wav' });
  assert.equal(
    qcChecks(back).some((c) => c.id === 'extension_mismatch'),
    false,
  );
  assert.deepEqual(back.warnings, original.warnings);
  assert.equal(verdict(back), verdict(original));
  assert.deepEqual(back.results.metadata_generation, original.results.metadata_generation);

  // Already addressed: the very same object; a task without a client name is named by its path.
  const own = { id: 't-1', sourcePath: path, originalName: 'original.wav' };
  const mine = reportForTask(original, own);
  assert.equal(reportForTask(mine, own), mine);
  const task = { id: 't-3', sourcePath: join(dir, 'up', 'take.flac'), originalName: null };
  assert.equal(reportForTask(original, task).source.file_name, 'take.flac');
});
