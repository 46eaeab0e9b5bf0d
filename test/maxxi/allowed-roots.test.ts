import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { SonoError } from '../../src/errors.js';
import { resolveAllowedPath } from '../../src/maxxi/allowed-roots.js';
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
