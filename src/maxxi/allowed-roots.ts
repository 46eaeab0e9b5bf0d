/**
 * Submission by reference (`POST /api/maxxi/results`, batch by path): a path is accepted only when
 * its real location (symlinks resolved) lies inside one of the configured roots, so neither `..`
 * nor a symlink can reach outside them. The worker opens such a file once, by descriptor
 * (`openAllowedFile`), and analyses that descriptor: a directory swapped for a symlink after the
 * submission was accepted cannot redirect the analysis.
 */
import { constants, existsSync } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve, sep } from 'node:path';
import { SonoError } from '../errors.js';

/** Real paths of the roots that exist. */
async function realRootsOf(roots: readonly string[]): Promise<string[]> {
  return (await Promise.all(roots.map((r) => realpath(r).catch(() => undefined)))).filter(
    (r): r is string => r !== undefined,
  );
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The check made before touching the file system (so nothing outside the roots is even probed):
 * `path` as written lies inside a root, real or as configured.
 */
function isWrittenInside(
  path: string,
  roots: readonly string[],
  realRoots: readonly string[],
): boolean {
  return realRoots.some((r) => isInside(path, r)) || roots.some((r) => isInside(path, r));
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
  const realRoots = await realRootsOf(roots);
  if (!isWrittenInside(lexical, roots, realRoots))
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

/** A file opened once, by descriptor; `path` reopens that very file (not whatever the name holds now). */
export interface PinnedFile {
  readonly handle: FileHandle;
  /** `/proc/<pid>/fd/<fd>` on Linux (readable by this process's threads and its children). */
  readonly path: string;
  readonly sizeBytes: number;
  close(): Promise<void>;
}

/** Linux exposes every open descriptor as a path that reopens the same file. */
const FD_PATHS = existsSync(`/proc/${process.pid}/fd`);

/**
 * Opens `path` once, without following a symlink in its last component, then proves that the
 * descriptor is a regular file inside one of `roots`: the path's real location (symlinks on the
 * way resolved after the open) must lie inside a root and be the inode the descriptor holds.
 * Analyse `PinnedFile.path` afterwards: later swaps of the name cannot redirect it. With `roots`
 * undefined only the same-inode check applies.
 *
 * @throws SonoError SONO_ERR_PATH_NOT_ALLOWED (a symlink on the way, the file outside the roots, or
 *   the path swapped while it was opened), SONO_ERR_PATH_NOT_FOUND (missing, not a regular file).
 */
export async function openAllowedFile(
  path: string,
  roots: readonly string[] | undefined,
): Promise<PinnedFile> {
  const realRoots = roots === undefined ? undefined : await realRootsOf(roots);
  if (roots !== undefined && !isWrittenInside(path, roots, realRoots!))
    throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path });
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path });
    throw new SonoError('SONO_ERR_PATH_NOT_FOUND', { path });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new SonoError('SONO_ERR_PATH_NOT_FOUND', { path });
    const real = await realpath(path).catch(() => undefined);
    const named = real === undefined ? undefined : await stat(real).catch(() => undefined);
    // The name must lead, now, to the very inode opened, and that inode must lie inside a root:
    // a directory on the way swapped for a symlink to elsewhere fails one of the two.
    if (
      real === undefined ||
      named === undefined ||
      named.dev !== st.dev ||
      named.ino !== st.ino ||
      (realRoots !== undefined && !realRoots.some((r) => isInside(real, r)))
    )
      throw new SonoError('SONO_ERR_PATH_NOT_ALLOWED', { path });
    return {
      handle,
      path: FD_PATHS ? `/proc/${process.pid}/fd/${handle.fd}` : path,
      sizeBytes: st.size,
      close: () => handle.close(),
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
}
