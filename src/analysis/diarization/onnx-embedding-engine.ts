/**
 * An `EmbeddingEngine` over a speaker-embedding ONNX model loaded from a local path (e.g. a
 * WeSpeaker or 3D-Speaker ResNet exported to ONNX). Nothing is downloaded: the archive provides the
 * file. The model must take one float32 input of shape [1, T, F] — T frames of the features named
 * by `feature` (`melLog`: 40 natural-log mel bands, 32 ms window, 10 ms hop at 16 kHz; `mfcc`:
 * the normalised MFCC) — and return the embedding as its first output. Models trained on other
 * front ends (80 Kaldi fbank bands, 25 ms windows) need a matching export; see docs/DIARIZATION.md.
 */
import { existsSync } from 'node:fs';
import { SonoError } from '../../errors.js';
import { loadOnnxSession, OnnxTensor, type OnnxSession } from '../../models/onnx.js';
import type { EmbeddingEngine, FeatureWindow } from './embedding-engine.js';

export interface OnnxEmbeddingOptions {
  /** Local path of the .onnx file. */
  readonly modelPath: string;
  /** Which stored features feed the model. @defaultValue 'melLog' */
  readonly feature?: 'melLog' | 'mfcc';
  /** Input name; default: the model's first input. */
  readonly inputName?: string;
  /** Subtract the per-window mean of each feature (CMN) before inference. @defaultValue true */
  readonly meanNormalise?: boolean;
  /** Shortest window embedded, frames. @defaultValue 50 */
  readonly minFrames?: number;
}

export class OnnxEmbeddingEngine implements EmbeddingEngine {
  readonly id: string;
  readonly space = 'cosine' as const;
  readonly minFrames: number;
  private session: OnnxSession | undefined;

  constructor(private readonly opts: OnnxEmbeddingOptions) {
    this.id = `onnx:${opts.modelPath.split(/[\\/]/).pop() ?? opts.modelPath}`;
    this.minFrames = opts.minFrames ?? 50;
  }

  /** Opens the ONNX session; SONO_ERR_MODEL_LOAD when the file is missing or not a usable model. */
  async load(): Promise<void> {
    if (this.session) return;
    const path = this.opts.modelPath;
    if (!existsSync(path)) {
      throw new SonoError('SONO_ERR_MODEL_LOAD', {
        model: path,
        detail: 'file not found (speaker-embedding models are loaded from a local path only)',
      });
    }
    // The shared session cache of src/models/ (one session per model file and process; it maps
    // an unusable file to SONO_ERR_MODEL_LOAD).
    this.session = await loadOnnxSession(path);
  }

  async embed(w: FeatureWindow): Promise<Float32Array> {
    await this.load();
    const session = this.session!;
    const useMel = (this.opts.feature ?? 'melLog') === 'melLog';
    const f = useMel ? w.nMels : w.mfccDim;
    const data = Float32Array.from(useMel ? w.melLog : w.mfcc);
    if (this.opts.meanNormalise ?? true) {
      for (let k = 0; k < f; k++) {
        let m = 0;
        for (let t = 0; t < w.nFrames; t++) m += data[t * f + k]!;
        m /= Math.max(1, w.nFrames);
        for (let t = 0; t < w.nFrames; t++) data[t * f + k]! -= m;
      }
    }
    const input = this.opts.inputName ?? session.inputNames[0]!;
    const out = await session.run({ [input]: new OnnxTensor('float32', data, [1, w.nFrames, f]) });
    const first = out[session.outputNames[0]!];
    if (!first || !(first.data instanceof Float32Array)) {
      throw new SonoError('SONO_ERR_MODEL_LOAD', {
        model: this.opts.modelPath,
        detail: 'first output is not a float32 tensor',
      });
    }
    return Float32Array.from(first.data);
  }

  /** Drops this engine's reference; the session itself is shared and released at worker shutdown. */
  dispose(): Promise<void> {
    this.session = undefined;
    return Promise.resolve();
  }
}
