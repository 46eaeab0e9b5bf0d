import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commonBaseDir, discoverAudioFiles } from '../../src/cli/discover.js';
import { outputBase } from '../../src/cli/output.js';
import { tempDir } from '../helpers/fixtures.js';

test('discovery: recursive, sorted, by audio extension, hidden entries skipped, problems per argument', () => {
  const root = tempDir('sonoteca-discover-');
  mkdirSync(join(root, 'z', 'deep'), { recursive: true });
  mkdirSync(join(root, '.hidden'));
  mkdirSync(join(root, 'empty'));
  for (const f of ['b.WAV', 'a.flac', 'notes.txt', 'z/deep/c.mp3', '.hidden/d.wav', '.e.wav']) {
    writeFileSync(join(root, f), 'x');
  }
  writeFileSync(join(root, 'explicit.dat'), 'x');
  const d = discoverAudioFiles([
    root,
    join(root, 'explicit.dat'),
    join(root, 'a.flac'),
    join(root, 'missing'),
    join(root, 'empty'),
  ]);
  assert.deepEqual(
    d.files,
    ['a.flac', 'b.WAV', 'explicit.dat', 'z/deep/c.mp3'].map((f) => join(root, f)),
    'sorted, de-duplicated; a file named explicitly is taken whatever its extension',
  );
  assert.deepEqual(
    d.problems.map((p) => [p.argument, p.error.code]),
    [
      [join(root, 'missing'), 'SONO_ERR_PATH_NOT_FOUND'],
      [join(root, 'empty'), 'SONO_ERR_NO_AUDIO_FILES'],
    ],
  );
});

test('output paths mirror the tree below the common folder', () => {
  assert.equal(commonBaseDir(['/r/a/x.wav', '/r/b/c/y.wav']), '/r');
  assert.equal(commonBaseDir(['/r/a/x.wav']), '/r/a');
  assert.equal(commonBaseDir(['/r/ab/x.wav', '/r/a/y.wav']), '/r');
  assert.equal(outputBase('/out', '/r', '/r/b/c/y.wav'), '/out/b/c/y.wav');
});
