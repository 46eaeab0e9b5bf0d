/**
 * Fixtures that need a real encoder (MP3, FLAC, Ogg …): written as WAV by the shared fixture
 * writer, then encoded with the same ffmpeg binary the decoder uses.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../src/audio/ffmpeg-path.js';
import { writeWav, type WavOptions } from '../helpers/fixtures.js';

/** Encodes planar channels with ffmpeg (`codecArgs`, e.g. `['-c:a', 'libmp3lame', '-b:a', '128k']`). */
export function writeEncoded(
  dir: string,
  name: string,
  channels: readonly Float32Array[],
  opts: WavOptions,
  codecArgs: readonly string[],
): string {
  const wav = writeWav(dir, `${name}.src.wav`, channels, opts);
  const out = join(dir, name);
  execFileSync(
    resolveFfmpeg().path,
    ['-hide_banner', '-loglevel', 'error', '-y', '-i', wav, ...codecArgs, out],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return out;
}
