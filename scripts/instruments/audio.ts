/** Audio I/O of the training recipe: fluidsynth rendering (cached) and decoding to 16 kHz mono. */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDecode } from '../../src/audio/decode.js';

export const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '.cache');
export const SOUNDFONT =
  process.env['SONOTECA_SOUNDFONT'] ?? '/usr/share/sounds/sf2/FluidR3_GM.sf2';
export const RATE_HZ = 16000;

/**
 * Renders a MIDI file with fluidsynth at 16 kHz (default reverb and chorus) and returns mono
 * samples. Cached by the MIDI bytes and sound font path.
 */
export function renderMidi(midi: Buffer): Float32Array {
  if (!existsSync(SOUNDFONT)) {
    throw new Error(
      `sound font not found: ${SOUNDFONT} (apt-get install fluid-soundfont-gm, or set SONOTECA_SOUNDFONT)`,
    );
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const hash = createHash('sha256').update(midi).update(SOUNDFONT).digest('hex').slice(0, 20);
  const wav = join(CACHE_DIR, `render-${hash}.wav`);
  if (!existsSync(wav)) {
    const mid = join(CACHE_DIR, `render-${hash}.mid`);
    writeFileSync(mid, midi);
    execFileSync(
      'fluidsynth',
      ['-ni', '-q', '-g', '0.5', '-r', String(RATE_HZ), '-F', `${wav}.part`, SOUNDFONT, mid],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    renameSync(`${wav}.part`, wav);
  }
  return readWavMono(wav);
}

/** Reads a 16-bit PCM WAV (any channel count) as mono float32 (channel mean). */
export function readWavMono(path: string): Float32Array {
  const b = readFileSync(path);
  let off = 12;
  let channels = 2;
  let bits = 16;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(off + 10);
      bits = b.readUInt16LE(off + 22);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`${path}: expected 16-bit PCM, got ${bits}`);
      const frames = Math.floor(Math.min(size, b.length - off - 8) / (2 * channels));
      const out = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let s = 0;
        for (let c = 0; c < channels; c++) s += b.readInt16LE(off + 8 + 2 * (i * channels + c));
        out[i] = s / channels / 32768;
      }
      return out;
    }
    off += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Decodes any audio file to 16 kHz mono with the project's decoder (ffmpeg). */
export async function decodeMono16k(path: string, maxSec = Infinity): Promise<Float32Array> {
  const d = startDecode(path, { analysisRateHz: RATE_HZ });
  const chunks: Float32Array[] = [];
  let n = 0;
  const max = Number.isFinite(maxSec) ? Math.round(maxSec * RATE_HZ) : Infinity;
  for await (const c of d.analysis) {
    if (n < max) {
      const take = c.subarray(0, Math.min(c.length, max - n));
      chunks.push(take.slice());
      n += take.length;
    }
  }
  await d.done;
  const out = new Float32Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
