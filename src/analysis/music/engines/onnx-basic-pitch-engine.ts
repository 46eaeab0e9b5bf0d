/**
 * Pitch-class profile from basic-pitch (Bittner et al., ICASSP 2022; model id
 * `basic-pitch-icassp-2022`): the network's note posteriors (88 piano keys per 11.6 ms frame) are
 * summed over frames and folded over octaves. The model is trained to suppress harmonics, which
 * the spectral-peak chroma cannot do (a strong 3rd harmonic credits the fifth).
 *
 * Cost and memory are bounded by subsampling: the stream is cut into 1.99 s excerpts on a grid of
 * `strideSec` (8 s), at most `maxExcerpts` (48) are kept, and when the file is longer the grid
 * spacing doubles and every other excerpt is dropped. At finish only excerpts whose centre lies in a
 * music region run through the model (resampled 16 → 22.05 kHz, batches of 4).
 */
import {
  getModelSession,
  hasModel,
  modelProvenance,
  type ModelProvenance,
} from '../../../models/registry.js';
import { OnnxTensor, type OnnxSession } from '../../../models/onnx.js';
import { resampleSinc } from '../../../dsp/resample.js';
import type { TimeRegion } from '../regions.js';
import type { PitchClassEngine, PitchClassProfile } from './pitch-class-engine.js';

export const BASIC_PITCH_MODEL_ID = 'basic-pitch-icassp-2022';
/** Model input: 43 844 samples at 22 050 Hz (2 s minus one hop). */
const MODEL_RATE_HZ = 22050;
const MODEL_SAMPLES = 43844;
const NOTES = 88;
/** Lowest model note (MIDI 21 = A0). */
const LOWEST_MIDI = 21;
/** Posteriors below this count as no note (basic-pitch's own default note threshold is 0.3). */
const NOTE_THRESHOLD = 0.3;
const BATCH = 4;
/** Excerpts quieter than this RMS (≈ −50 dBFS) are not run. */
const MIN_RMS = 3e-3;

export interface BasicPitchEngineOptions {
  /** Sample rate of the stream. @defaultValue 16000 */
  readonly sampleRateHz?: number;
  /** Initial grid spacing of the excerpts (s). @defaultValue 8 */
  readonly strideSec?: number;
  /** Excerpts kept at most (memory: 127 kB each at 16 kHz). @defaultValue 48 */
  readonly maxExcerpts?: number;
}

interface Excerpt {
  readonly startSample: number;
  readonly data: Float32Array;
  filled: number;
}

export class OnnxBasicPitchEngine implements PitchClassEngine {
  readonly name = 'onnx-basic-pitch';
  readonly model: ModelProvenance;
  private readonly rate: number;
  private readonly excerptSamples: number;
  private readonly maxExcerpts: number;
  private strideSamples: number;
  private readonly excerpts: Excerpt[] = [];
  private session: OnnxSession | null = null;

  /** Whether the model file is present (otherwise the analyzer keeps the DSP chroma). */
  static available(): boolean {
    return hasModel(BASIC_PITCH_MODEL_ID);
  }

  constructor(opts: BasicPitchEngineOptions = {}) {
    this.model = modelProvenance(BASIC_PITCH_MODEL_ID);
    this.rate = opts.sampleRateHz ?? 16000;
    this.excerptSamples = Math.ceil((MODEL_SAMPLES * this.rate) / MODEL_RATE_HZ);
    this.strideSamples = Math.round((opts.strideSec ?? 8) * this.rate);
    this.maxExcerpts = opts.maxExcerpts ?? 48;
  }

  onSamples(block: Float32Array, startSample: number): void {
    const end = startSample + block.length;
    // Open the excerpts whose grid start falls inside this block.
    let k = Math.ceil(startSample / this.strideSamples) * this.strideSamples;
    for (; k < end; k += this.strideSamples) {
      this.excerpts.push({
        startSample: k,
        data: new Float32Array(this.excerptSamples),
        filled: 0,
      });
    }
    for (const e of this.excerpts) {
      if (e.filled >= this.excerptSamples) continue;
      const from = Math.max(startSample, e.startSample + e.filled);
      const to = Math.min(end, e.startSample + this.excerptSamples);
      if (to <= from) continue;
      e.data.set(block.subarray(from - startSample, to - startSample), from - e.startSample);
      e.filled = to - e.startSample;
    }
    if (this.excerpts.length > this.maxExcerpts) {
      this.strideSamples *= 2;
      const s = this.strideSamples;
      const kept = this.excerpts.filter((e) => e.startSample % s === 0);
      this.excerpts.length = 0;
      this.excerpts.push(...kept);
    }
  }

  async profileOver(regions: readonly TimeRegion[]): Promise<PitchClassProfile | null> {
    const chosen = this.excerpts.filter((e) => {
      if (e.filled < this.excerptSamples / 2) return false;
      const centre = (e.startSample + Math.min(e.filled, this.excerptSamples) / 2) / this.rate;
      if (!regions.some((r) => centre >= r.start && centre < r.end)) return false;
      let ss = 0;
      for (let i = 0; i < e.filled; i++) ss += e.data[i]! * e.data[i]!;
      return Math.sqrt(ss / e.filled) >= MIN_RMS;
    });
    if (chosen.length === 0) return null;
    this.session ??= await getModelSession(BASIC_PITCH_MODEL_ID);
    const inputName = this.session.inputNames[0]!;
    const pc = new Float64Array(12);
    let analysedSamples = 0;
    for (let b = 0; b < chosen.length; b += BATCH) {
      const group = chosen.slice(b, b + BATCH);
      const input = new Float32Array(group.length * MODEL_SAMPLES);
      group.forEach((e, i) => {
        const x = e.data.subarray(0, Math.min(e.filled, this.excerptSamples));
        input.set(resampleSinc(x, this.rate, MODEL_RATE_HZ, MODEL_SAMPLES), i * MODEL_SAMPLES);
        analysedSamples += x.length;
      });
      const out = await this.session.run({
        [inputName]: new OnnxTensor('float32', input, [group.length, MODEL_SAMPLES, 1]),
      });
      // StatefulPartitionedCall:1 is the note head (basic-pitch inference.py).
      const note = out['StatefulPartitionedCall:1']!.data as Float32Array;
      for (let i = 0; i < note.length; i++) {
        const p = note[i]!;
        if (p >= NOTE_THRESHOLD) pc[(LOWEST_MIDI + (i % NOTES)) % 12]! += p;
      }
    }
    let max = 0;
    for (const v of pc) max = Math.max(max, v);
    if (!(max > 0)) return null;
    for (let i = 0; i < 12; i++) pc[i]! /= max;
    return { profile: pc, analysedSec: analysedSamples / this.rate };
  }
}
