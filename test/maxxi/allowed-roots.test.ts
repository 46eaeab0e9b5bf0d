import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { SonoError } from '../../src/errors.js';
import { openAllowedFile, resolveAllowedPath } from '../../src/maxxi/allowed-roots.js';
import { tempDir } from '../helpers/fixtures.js';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof SonoError && e.code === code);
}

describe('resolveAllowedPath', () => {
  const base = tempDir();
  const root = join(base, 'archive');
  const outside = join(base, 'secret');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(root, 'sub', 'a.wav'), 'RIFF');
  writeFileSync(join(outside, 'passwd'), 'x');
  symlinkSync(join(outside, 'passwd'), join(root, 'escape.wav'));
  symlinkSync(outside, join(root, 'dirlink'));
  symlinkSync(join(root, 'sub', 'a.wav'), join(root, 'inner-link.wav'));

  it('accepts files inside a root, as a path or a file URL', async () => {
    assert.equal(
      await resolveAllowedPath(join(root, 'sub', 'a.wav'), [root]),
      join(root, 'sub', 'a.wav'),
    );
    assert.equal(
      await resolveAllowedPath(pathToFileURL(join(root, 'sub', 'a.wav')).href, [root]),
      join(root, 'sub', 'a.wav'),
    );
    // A symlink that stays inside the root is fine (resolved to its target).
    assert.equal(
      await resolveAllowedPath(join(root, 'inner-link.wav'), [root]),
      join(root, 'sub', 'a.wav'),
    );
  });

  it('rejects traversal, symlink escapes, relative paths, other schemes and prefix tricks', async () => {
    await rejectsWith(
      resolveAllowedPath(join(root, '..', 'secret', 'passwd'), [root]),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
    await rejectsWith(
      resolveAllowedPath(`${root}/sub/../../secret/passwd`, [root]),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
    await rejectsWith(
      resolveAllowedPath(join(root, 'escape.wav'), [root]),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
    await rejectsWith(
      resolveAllowedPath(join(root, 'dirlink', 'passwd'), [root]),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
    await rejectsWith(resolveAllowedPath('sub/a.wav', [root]), 'SONO_ERR_PATH_NOT_ALLOWED');
    await rejectsWith(
      resolveAllowedPath('http://evil.example/a.wav', [root]),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
    await rejectsWith(
      resolveAllowedPath(`${root}-other/a.wav`, [root]),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
    await rejectsWith(
      resolveAllowedPath(`${root}/sub/a.wav\0.txt`, [root]),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
    await rejectsWith(
      resolveAllowedPath(join(root, 'sub', 'a.wav'), []),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
  });

  it('reports missing files and directories inside a root as not found', async () => {
    await rejectsWith(
      resolveAllowedPath(join(root, 'nope.wav'), [root]),
      'SONO_ERR_PATH_NOT_FOUND',
    );
    await rejectsWith(resolveAllowedPath(join(root, 'sub'), [root]), 'SONO_ERR_PATH_NOT_FOUND');
  });
});

describe('openAllowedFile', () => {
  const base = tempDir();
  const root = join(base, 'archive');
  const outside = join(base, 'elsewhere');
  mkdirSync(join(root, 'tapes'), { recursive: true });
  mkdirSync(join(root, 'other'), { recursive: true });
  mkdirSync(join(outside, 'tapes'), { recursive: true });
  writeFileSync(join(root, 'tapes', 'take.wav'), 'inside');
  writeFileSync(join(root, 'other', 'take.wav'), 'inside, other folder');
  writeFileSync(join(outside, 'tapes', 'take.wav'), 'outside');
  symlinkSync(join(outside, 'tapes', 'take.wav'), join(root, 'escape.wav'));
  symlinkSync(join(root, 'other'), join(root, 'inner-dir'));

  it('opens a file inside a root; the pinned path reads that file even after the name is swapped', async () => {
    const path = join(root, 'tapes', 'take.wav');
    const f = await openAllowedFile(path, [root]);
    try {
      assert.equal(f.sizeBytes, 6);
      assert.match(f.path, /^\/proc\/\d+\/fd\/\d+$/);
      // The name now leads outside; what the descriptor holds does not change.
      renameSync(join(root, 'tapes'), join(root, 'tapes-moved'));
      symlinkSync(join(outside, 'tapes'), join(root, 'tapes'));
      assert.equal(readFileSync(path, 'utf8'), 'outside');
      assert.equal(readFileSync(f.path, 'utf8'), 'inside');
      // Opened now, the same name is refused.
      await rejectsWith(openAllowedFile(path, [root]), 'SONO_ERR_PATH_NOT_ALLOWED');
    } finally {
      await f.close();
    }
  });

  it('refuses a symlink as the last component, and anything that resolves outside the roots', async () => {
    await rejectsWith(
      openAllowedFile(join(root, 'escape.wav'), [root]),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
    await rejectsWith(
      openAllowedFile(join(outside, 'tapes', 'take.wav'), [root]),
      'SONO_ERR_PATH_NOT_ALLOWED',
    );
  });

  it('accepts a directory symlink that stays inside a root; missing files and folders are not found', async () => {
    const f = await openAllowedFile(join(root, 'inner-dir', 'take.wav'), [root]);
    assert.equal(readFileSync(f.path, 'utf8'), 'inside, other folder');
    await f.close();
    await rejectsWith(openAllowedFile(join(root, 'gone.wav'), [root]), 'SONO_ERR_PATH_NOT_FOUND');
    await rejectsWith(openAllowedFile(join(root, 'other'), [root]), 'SONO_ERR_PATH_NOT_FOUND');
  });

  it('without roots only checks that the name leads to the file opened', async () => {
    const f = await openAllowedFile(join(outside, 'tapes', 'take.wav'), undefined);
    assert.equal(readFileSync(f.path, 'utf8'), 'outside');
    await f.close();
  });
});
