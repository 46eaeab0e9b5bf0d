/**
 * Shared by the speech-side evaluations, the segmenter training script and their tests: decode a
 * (short) corpus file whole into 16 kHz mono, and drive analyzers over in-memory samples the way
 * the pipeline does (analysis blocks, shared frames, finish in order). Corpus files are a few
 * minutes at most, so holding them whole here is fine; the analyzers themselves stay streaming.
 */
import { spawn } from 'node:child_process';
import type { Analyzer, AnalyzerContext, SectionBase } from '../src/analysis/analyzer.js';
import { Framer, framerKey, type Frame, type FramerConfig } from '../src/analysis/frames.js';
import { resolveFfmpeg } from '../src/audio/ffmpeg-path.js';
import type { AudioInfo } from '../src/audio/types.js';

export const RATE_HZ = 16000;

/** Decodes a whole file to mono float32 at 16 kHz with ffmpeg. */
export async function decodeMono16k(path: string): Promise<Float32Array> {
  const ff = resolveFfmpeg();
  const child = spawn(
    ff.path,
    ['-v', 'error', '-i', path, '-ac', '1', '-ar', String(RATE_HZ), '-f', 'f32le', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const chunks: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (b: Buffer) => chunks.push(b));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((res) => child.on('close', res));
  if (code !== 0) throw new Error(`ffmpeg failed on ${path}: ${err.trim()}`);
  const buf = Buffer.concat(chunks);
  const out = new Float32Array(buf.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** A synthetic AudioInfo for in-memory samples. */
export function memoryAudioInfo(durationSec: number): AudioInfo {
  return {
    duration: durationSec,
    sample_rate: RATE_HZ,
    channels: 1,
    bit_depth: 32,
    bitrate: null,
    container: 'memory',
    codec: 'IEEE_FLOAT',
    lossless: true,
    mime_type: 'audio/wav',
    file_size_bytes: 0,
  };
}

export interface DriveResult {
  readonly sections: Record<string, unknown>;
  /** Wall milliseconds spent in each analyzer (by section), inference awaits included. */
  readonly msBySection: Record<string, number>;
}

/**
 * Runs analyzers over in-memory samples like the pipeline: start, then blocks of `blockSamples`
 * (onSamples, then shared frames), then finish in order with the earlier sections visible.
 */
export async function driveAnalyzers(
  makeAnalyzers: (ctx: AnalyzerContext) => Analyzer[],
  samples: Float32Array,
  options: AnalyzerContext['options'] = {},
  blockSamples = 16384,
): Promise<DriveResult> {
  function* blocks(): Generator<Float32Array> {
    for (let off = 0; off < samples.length; off += blockSamples) {
      yield samples.subarray(off, Math.min(samples.length, off + blockSamples));
    }
  }
  return driveAnalyzersStream(makeAnalyzers, blocks(), samples.length / RATE_HZ, options);
}

/**
 * Same as driveAnalyzers over a stream of blocks (any lengths), so benchmarks can feed hours of
 * audio without holding it. `durationSec` is the stream's total duration (for AudioInfo).
 */
export async function driveAnalyzersStream(
  makeAnalyzers: (ctx: AnalyzerContext) => Analyzer[],
  blocks: Iterable<Float32Array>,
  durationSec: number,
  options: AnalyzerContext['options'] = {},
): Promise<DriveResult> {
  const ctx: AnalyzerContext = {
    audioInfo: memoryAudioInfo(durationSec),
    analysisRateHz: RATE_HZ,
    options,
  };
  const analyzers = makeAnalyzers(ctx);
  const ms: Record<string, number> = {};
  const timed = async (a: Analyzer, fn: () => unknown): Promise<void> => {
    const t = performance.now();
    await fn();
    ms[a.section] = (ms[a.section] ?? 0) + performance.now() - t;
  };
  for (const a of analyzers) await timed(a, () => a.start?.(ctx));
  const framers = new Map<string, { framer: Framer; readers: Analyzer[] }>();
  for (const a of analyzers) {
    for (const cfg of a.frameConfigs ?? []) {
      const key = framerKey(cfg);
      let e = framers.get(key);
      if (!e) {
        const readers: Analyzer[] = [];
        const dispatch = (f: Frame): void => {
          for (const r of readers) {
            const t = performance.now();
            r.onFrame?.(f);
            ms[r.section] = (ms[r.section] ?? 0) + performance.now() - t;
          }
        };
        e = { framer: new Framer(cfg as FramerConfig, dispatch), readers };
        framers.set(key, e);
      }
      e.readers.push(a);
    }
  }
  let framingMs = 0;
  let off = 0;
  let total = 0;
  for (const block of blocks) {
    for (const a of analyzers) if (a.onSamples) await timed(a, () => a.onSamples!(block, off));
    off += block.length;
    total += block.length;
    for (const { framer } of framers.values()) {
      const t = performance.now();
      framer.push(block);
      framingMs += performance.now() - t;
    }
  }
  for (const { framer } of framers.values()) framer.flush();
  const sections: Record<string, unknown> = {};
  const decodedSec = total / RATE_HZ;
  for (const a of analyzers) {
    const t = performance.now();
    sections[a.section] = (await a.finish({
      ...ctx,
      durationSec: decodedSec,
      sections,
    })) as SectionBase;
    ms[a.section] = (ms[a.section] ?? 0) + performance.now() - t;
  }
  ms['(framing+frames)'] = framingMs;
  return { sections, msBySection: ms };
}
