/**
 * Submission by reference (`POST /api/maxxi/results`, batch by path): a path is accepted only when
 * its real location (symlinks resolved) lies inside one of the configured roots, so neither `..`
 * nor a symlink can reach outside them.
 */
import { realpath, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve, sep } from 'node:path';
import { SonoError } from '../errors.js';

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Accepts an absolute path or a `file://` URL; anything else is refused. */
function toPath(ref: string): string {
  if (ref.includes('\0')) throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path: '(NUL byte)' });
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
    if (!ref.toLowerCase().startsWith('file:'))
      throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path: ref });
    try {
      return fileURLToPath(ref);
    } catch {
      throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path: ref });
    }
  }
  if (!isAbsolute(ref)) throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path: ref });
  return ref;
}

/**
 * Resolves `ref` to the real path of a regular file inside one of `roots`.
 *
 * @throws SonoError SONO_ERR_PATH_NOT_ALLOWED (outside every root, relative, not a file URL, or no
 *   roots configured), SONO_ERR_PATH_NOT_FOUND (inside a root but missing or not a regular file).
 */
export async function resolveAllowedPath(ref: string, roots: readonly string[]): Promise<string> {
  const lexical = resolve(toPath(ref));
  if (roots.length === 0) throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path: ref });
  const realRoots = (
    await Promise.all(roots.map((r) => realpath(r).catch(() => undefined)))
  ).filter((r): r is string => r !== undefined);
  // Check before touching the file system so nothing outside the roots is even probed.
  if (!realRoots.some((r) => isInside(lexical, r)) && !roots.some((r) => isInside(lexical, r)))
    throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path: ref });
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    throw new SonoError('SONO_ERR_PATH_NOT_FOUND', { path: ref });
  }
  if (!realRoots.some((r) => isInside(real, r)))
    throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path: ref });
  const st = await stat(real);
  if (!st.isFile()) throw new SonoError('SONO_ERR_PATH_NOT_FOUND', { path: ref });
  return real;
}
