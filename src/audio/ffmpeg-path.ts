/**
 * Resolves the ffmpeg binary: `FFMPEG_PATH`, then `ffmpeg` on PATH, then the static build shipped
 * in the `@ffmpeg-installer/ffmpeg` npm package, so a fresh machine needs nothing else.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { SonoError } from '../errors.js';

export type FfmpegSource = 'FFMPEG_PATH' | 'PATH' | 'npm';

export interface FfmpegBinary {
  readonly path: string;
  readonly source: FfmpegSource;
}

let cached: FfmpegBinary | undefined;

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds ffmpeg (memoised). Throws SONO_ERR_FFMPEG_NOT_FOUND naming every place it looked. */
export function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegBinary {
  if (cached && env === process.env) return cached;
  const tried: string[] = [];
  let found: FfmpegBinary | undefined;
  const fromEnv = env['FFMPEG_PATH'];
  if (fromEnv) {
    if (isExecutable(fromEnv)) found = { path: fromEnv, source: 'FFMPEG_PATH' };
    else
      throw new SonoError('SONO_ERR_FFMPEG_NOT_FOUND', {
        detail: `FFMPEG_PATH=${fromEnv} is not executable`,
      });
  }
  if (!found) {
    for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
      const p = join(dir, 'ffmpeg');
      if (isExecutable(p)) {
        found = { path: p, source: 'PATH' };
        break;
      }
    }
    tried.push('ffmpeg on PATH');
  }
  if (!found) {
    try {
      const require = createRequire(import.meta.url);
      const pkg = require('@ffmpeg-installer/ffmpeg') as { path: string };
      if (isExecutable(pkg.path)) found = { path: pkg.path, source: 'npm' };
    } catch {
      // package absent on this platform
    }
    tried.push('@ffmpeg-installer/ffmpeg');
  }
  if (!found)
    throw new SonoError('SONO_ERR_FFMPEG_NOT_FOUND', { detail: `tried ${tried.join(', ')}` });
  if (env === process.env) cached = found;
  return found;
}
