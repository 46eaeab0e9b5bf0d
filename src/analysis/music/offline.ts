/**
 * Runs analyzers over an in-memory mono signal without the pipeline: the same framing and call
 * order (start → onSamples/onFrame per block → finish) as `src/pipeline`, for unit tests, the
 * evaluation and the instrumentation training recipe, which work on short generated signals.
 */
import type { Analyzer, SectionBase } from '../analyzer.js';
import { Framer, framerKey, type Frame } from '../frames.js';
import type { AudioInfo } from '../../audio/types.js';

export interface OfflineRunOptions {
  /** Sections visible to `finish` (e.g. a segmentation). */
  readonly sections?: Readonly<Record<string, unknown>>;
  /** Block size fed per call. @defaultValue 16000 */
  readonly blockSamples?: number;
}

/**
 * @param analyzers - fresh analyzers (state is per signal).
 * @param samples - mono float32 at `sampleRateHz`, whole or as a stream of chunks (e.g. the
 *   `analysis` iterable of `startDecode`).
 * @returns the sections by analyzer `section`.
 */
export async function runAnalyzersOffline(
  analyzers: readonly Analyzer[],
  samples: Float32Array | AsyncIterable<Float32Array>,
  sampleRateHz: number,
  opts: OfflineRunOptions = {},
): Promise<Record<string, SectionBase>> {
  const knownLength = samples instanceof Float32Array ? samples.length : 0;
  const audioInfo: AudioInfo = {
    duration: knownLength / sampleRateHz,
    sample_rate: sampleRateHz,
    channels: 1,
    bit_depth: 32,
    bitrate: null,
    container: 'memory',
    codec: 'IEEE_FLOAT',
    lossless: true,
    mime_type: 'audio/wav',
    file_size_bytes: knownLength * 4,
  };
  const ctx = { audioInfo, analysisRateHz: sampleRateHz, options: {} };
  for (const a of analyzers) await a.start?.(ctx);
  const framers = new Map<string, { framer: Framer; targets: Analyzer[] }>();
  for (const a of analyzers) {
    for (const c of a.frameConfigs ?? []) {
      const k = framerKey(c);
      let f = framers.get(k);
      if (!f) {
        const targets: Analyzer[] = [];
        f = {
          framer: new Framer(c, (fr: Frame) => targets.forEach((t) => t.onFrame?.(fr))),
          targets,
        };
        framers.set(k, f);
      }
      f.targets.push(a);
    }
  }
  const block = opts.blockSamples ?? 16000;
  let fed = 0;
  const feed = async (chunk: Float32Array): Promise<void> => {
    for (const a of analyzers) await a.onSamples?.(chunk, fed);
    for (const { framer } of framers.values()) framer.push(chunk);
    fed += chunk.length;
  };
  if (samples instanceof Float32Array) {
    for (let s = 0; s < samples.length; s += block)
      await feed(samples.subarray(s, Math.min(samples.length, s + block)));
  } else {
    for await (const chunk of samples) await feed(chunk);
  }
  for (const { framer } of framers.values()) framer.flush();
  const sections: Record<string, SectionBase> = {
    ...(opts.sections as Record<string, SectionBase>),
  };
  for (const a of analyzers) {
    sections[a.section] = await a.finish({
      ...ctx,
      durationSec: fed / sampleRateHz,
      sections,
    });
  }
  return sections;
}
