/**
 * pyannote segmentation-3.0 (MIT) through ONNX Runtime: PyanNet over 10 s windows at 16 kHz,
 * 589 frames of 7 powerset classes (no one, speaker 1/2/3, pairs) per window. The hard decision is
 * the most likely class per frame, which is how pyannote 3.x binarises powerset outputs.
 */
import { OnnxTensor, type OnnxSession } from '../../../models/onnx.js';
import {
  getModelSession,
  modelProvenance,
  type ModelProvenance,
} from '../../../models/registry.js';
import { powersetMasks, type SegmentationEngine } from './segmentation-engine.js';

export const PYANNOTE_SEGMENTATION_MODEL_ID = 'pyannote-segmentation-3.0';

export class OnnxPyannoteSegmentationEngine implements SegmentationEngine {
  readonly id = 'onnx-pyannote-segmentation';
  readonly model: ModelProvenance;
  readonly sampleRateHz = 16000;
  readonly windowSamples = 160000;
  readonly framesPerWindow = 589;
  // receptive field of the SincNet stack: 991 samples every 270 (model config frame_step/duration)
  readonly frameStepSec = 270 / 16000;
  readonly frameCenterSec = (991 - 1) / 2 / 16000;
  readonly maxLocalSpeakers = 3;
  private readonly masks = powersetMasks(3, 2);
  private session: OnnxSession | undefined;

  constructor(private readonly modelId = PYANNOTE_SEGMENTATION_MODEL_ID) {
    this.model = modelProvenance(modelId);
  }

  async load(): Promise<void> {
    this.session ??= await getModelSession(this.modelId);
  }

  async segment(windows: readonly Float32Array[]): Promise<Uint8Array[]> {
    if (windows.length === 0) return [];
    await this.load();
    const n = this.windowSamples;
    const batch = new Float32Array(windows.length * n);
    windows.forEach((w, b) => batch.set(w.subarray(0, n), b * n));
    const out = await this.session!.run({
      waveform: new OnnxTensor('float32', batch, [windows.length, 1, n]),
    });
    const lp = out['log_probs']!.data as Float32Array;
    const nClasses = this.masks.length;
    const frames = this.framesPerWindow;
    return windows.map((_, b) => {
      const res = new Uint8Array(frames);
      for (let f = 0; f < frames; f++) {
        const o = (b * frames + f) * nClasses;
        let best = 0;
        for (let c = 1; c < nClasses; c++) if (lp[o + c]! > lp[o + best]!) best = c;
        res[f] = this.masks[best]!;
      }
      return res;
    });
  }
}
