/**
 * Runs the diarization analyzer over in-memory samples the way the pipeline does (blocks to
 * `onSamples`, then frames). The engine defaults to `model-free` here so the synthetic-speaker
 * tests keep testing the fallback; neural tests ask for `engine: 'neural'`.
 */
import type { AnalyzeOptions, SectionBase } from '../../../src/analysis/analyzer.js';
import { DiarizationAnalyzer } from '../../../src/analysis/diarization/diarization-analyzer.js';
import type { SpeakerRecognitionSection } from '../../../src/analysis/diarization/types.js';
import { Framer } from '../../../src/analysis/frames.js';
import type { AudioInfo } from '../../../src/audio/types.js';

export async function runDiarization(
  samples: Float32Array,
  options: AnalyzeOptions = {},
  sections: Record<string, SectionBase | Record<string, unknown>> = {},
): Promise<SpeakerRecognitionSection> {
  const durationSec = samples.length / 16000;
  const audioInfo = {
    duration: durationSec,
    sample_rate: 16000,
    channels: 1,
  } as unknown as AudioInfo;
  const diarization = {
    engine: 'model-free',
    ...(options.analyzerOptions?.['diarization'] as object | undefined),
  };
  const ctx = {
    audioInfo,
    analysisRateHz: 16000,
    options: { ...options, analyzerOptions: { ...options.analyzerOptions, diarization } },
  };
  const a = new DiarizationAnalyzer(ctx);
  await a.start();
  const framer = new Framer(a.frameConfigs[0]!, (f) => a.onFrame(f));
  for (let i = 0; i < samples.length; i += 4096) {
    const block = samples.subarray(i, i + 4096);
    await a.onSamples(block);
    framer.push(block);
  }
  framer.flush();
  return a.finish({ ...ctx, durationSec, sections });
}
