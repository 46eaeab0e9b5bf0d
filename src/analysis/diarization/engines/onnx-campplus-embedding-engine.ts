/**
 * CAM++ (3D-Speaker, Apache-2.0) through ONNX Runtime: mean-normalised 80-band Kaldi fbank in,
 * 192-dim speaker embedding out, as 3D-Speaker's own inference computes it.
 */
import { OnnxTensor, type OnnxSession } from '../../../models/onnx.js';
import {
  getModelSession,
  modelProvenance,
  type ModelProvenance,
} from '../../../models/registry.js';
import { normaliseL2, type SpeakerEmbeddingEngine } from './embedding-engine.js';

export const CAMPLUS_MODEL_ID = 'campplus-sv-zh-en-16k';

export class OnnxCampplusEmbeddingEngine implements SpeakerEmbeddingEngine {
  readonly id = 'onnx-campplus';
  readonly model: ModelProvenance;
  readonly dim = 192;
  readonly nMels = 80;
  // below ~0.3 s an utterance says little about its speaker
  readonly minFrames = 30;
  private session: OnnxSession | undefined;

  constructor(private readonly modelId = CAMPLUS_MODEL_ID) {
    this.model = modelProvenance(modelId);
  }

  async load(): Promise<void> {
    this.session ??= await getModelSession(this.modelId);
  }

  async embed(fbank: Float32Array, nFrames: number): Promise<Float32Array> {
    await this.load();
    const d = this.nMels;
    const x = Float32Array.from(fbank.subarray(0, nFrames * d));
    for (let k = 0; k < d; k++) {
      let m = 0;
      for (let t = 0; t < nFrames; t++) m += x[t * d + k]!;
      m /= Math.max(1, nFrames);
      for (let t = 0; t < nFrames; t++) x[t * d + k]! -= m;
    }
    const out = await this.session!.run({ fbank: new OnnxTensor('float32', x, [1, nFrames, d]) });
    return normaliseL2(Float32Array.from(out['embedding']!.data as Float32Array));
  }
}
