/**
 * The shared framing of the analysis stream (mono float32 at the analysis rate). The pipeline owns
 * one Framer per distinct FramerConfig and hands every frame to every analyzer that asked for that
 * config, so the windowed FFT, mel bands and MFCC are computed once per frame (lazily, on first
 * access) however many analyzers read them.
 *
 * Frame buffers are reused: a Frame is only valid during the callback that receives it. Copy what
 * you keep (and keep it compact: memory must not grow with a recording's length beyond compact
 * per-frame features).
 */
import { Fft } from '../dsp/fft.js';
import { applyMelBank, dctMatrix, melFilterBank, type MelFilter } from '../dsp/mel.js';
import { hannWindow } from '../dsp/window.js';

export interface FramerConfig {
  /** Sample rate of the analysis stream. */
  readonly sampleRateHz: number;
  /** Window length in samples (<= fftSize). */
  readonly windowSamples: number;
  /** Hop between frame starts, in samples. */
  readonly hopSamples: number;
  /** FFT size (power of two). */
  readonly fftSize: number;
  /** Number of mel bands for `melLog`. @defaultValue 40 */
  readonly nMels?: number;
  /** Number of MFCC coefficients (including c0). @defaultValue 20 */
  readonly nMfcc?: number;
}

/** 16 kHz, 32 ms window, 10 ms hop, 512-point FFT: the speech-side default. */
export const DEFAULT_FRAMER: FramerConfig = Object.freeze({
  sampleRateHz: 16000,
  windowSamples: 512,
  hopSamples: 160,
  fftSize: 512,
  nMels: 40,
  nMfcc: 20,
});

/** Stable key of a config, for memoising framers in the pipeline. */
export function framerKey(c: FramerConfig): string {
  return `${c.sampleRateHz}/${c.windowSamples}/${c.hopSamples}/${c.fftSize}/${c.nMels ?? 40}/${c.nMfcc ?? 20}`;
}

/** One analysis frame. Getters compute on first access and memoise for the frame's lifetime. */
export interface Frame {
  /** 0-based frame index. */
  readonly index: number;
  /** Time of the frame start, seconds. */
  readonly startSec: number;
  /** Time of the frame centre, seconds. */
  readonly centerSec: number;
  readonly config: FramerConfig;
  /** The raw (unwindowed) samples of the window; length windowSamples. */
  readonly samples: Float32Array;
  /** Root-mean-square of the raw window. */
  readonly rms: number;
  /** Power spectrum of the Hann-windowed frame, length fftSize/2 + 1. */
  readonly power: Float32Array;
  /** Natural log of mel band energies (+1e-10), length nMels. */
  readonly melLog: Float32Array;
  /** MFCC (orthonormal DCT-II of melLog), length nMfcc. */
  readonly mfcc: Float32Array;
}

class FrameImpl implements Frame {
  index = 0;
  startSec = 0;
  centerSec = 0;
  rms = 0;
  readonly samples: Float32Array;
  private readonly windowed: Float32Array;
  private readonly powerBuf: Float32Array;
  private readonly melBuf: Float32Array;
  private readonly mfccBuf: Float32Array;
  private hasPower = false;
  private hasMel = false;
  private hasMfcc = false;
  private readonly fft: Fft;
  private readonly bank: readonly MelFilter[];
  private readonly dct: Float32Array;
  private readonly window: Float32Array;

  constructor(readonly config: FramerConfig) {
    const nMels = config.nMels ?? 40;
    const nMfcc = config.nMfcc ?? 20;
    this.samples = new Float32Array(config.windowSamples);
    this.windowed = new Float32Array(config.fftSize);
    this.powerBuf = new Float32Array(config.fftSize / 2 + 1);
    this.melBuf = new Float32Array(nMels);
    this.mfccBuf = new Float32Array(nMfcc);
    this.fft = Fft.of(config.fftSize);
    this.bank = melFilterBank(config.sampleRateHz, config.fftSize, nMels);
    this.dct = dctMatrix(nMels, nMfcc);
    this.window = hannWindow(config.windowSamples);
  }

  reset(index: number): void {
    const c = this.config;
    this.index = index;
    this.startSec = (index * c.hopSamples) / c.sampleRateHz;
    this.centerSec = (index * c.hopSamples + c.windowSamples / 2) / c.sampleRateHz;
    let s = 0;
    for (let i = 0; i < this.samples.length; i++) s += this.samples[i]! * this.samples[i]!;
    this.rms = Math.sqrt(s / this.samples.length);
    this.hasPower = this.hasMel = this.hasMfcc = false;
  }

  get power(): Float32Array {
    if (!this.hasPower) {
      const w = this.window;
      for (let i = 0; i < w.length; i++) this.windowed[i] = this.samples[i]! * w[i]!;
      this.fft.powerSpectrum(this.windowed, this.powerBuf);
      this.hasPower = true;
    }
    return this.powerBuf;
  }

  get melLog(): Float32Array {
    if (!this.hasMel) {
      applyMelBank(this.power, this.bank, this.melBuf);
      for (let i = 0; i < this.melBuf.length; i++)
        this.melBuf[i] = Math.log(this.melBuf[i]! + 1e-10);
      this.hasMel = true;
    }
    return this.melBuf;
  }

  get mfcc(): Float32Array {
    if (!this.hasMfcc) {
      const mel = this.melLog;
      const nIn = mel.length;
      for (let k = 0; k < this.mfccBuf.length; k++) {
        let s = 0;
        for (let n = 0; n < nIn; n++) s += this.dct[k * nIn + n]! * mel[n]!;
        this.mfccBuf[k] = s;
      }
      this.hasMfcc = true;
    }
    return this.mfccBuf;
  }
}

/**
 * Cuts a stream of mono chunks into overlapping frames.
 * Frames start at 0, hop, 2·hop, …; the last partial window is zero-padded on `flush()`.
 */
export class Framer {
  private readonly frame: FrameImpl;
  private readonly ring: Float32Array;
  private filled = 0;
  private nextIndex = 0;
  private totalSamples = 0;
  private emittedUpTo = 0;

  constructor(
    readonly config: FramerConfig,
    private readonly onFrame: (frame: Frame) => void,
  ) {
    if (config.windowSamples > config.fftSize)
      throw new RangeError('windowSamples must be <= fftSize');
    if (config.hopSamples <= 0 || config.hopSamples > config.windowSamples) {
      throw new RangeError('hopSamples must be in (0, windowSamples]');
    }
    this.frame = new FrameImpl(config);
    this.ring = new Float32Array(config.windowSamples * 2 + 4096);
  }

  /** Number of frames emitted so far. */
  get frameCount(): number {
    return this.nextIndex;
  }

  push(chunk: Float32Array): void {
    const { windowSamples, hopSamples } = this.config;
    let offset = 0;
    this.totalSamples += chunk.length;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.ring.length - this.filled);
      this.ring.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      let start = 0;
      while (this.filled - start >= windowSamples) {
        this.frame.samples.set(this.ring.subarray(start, start + windowSamples));
        this.emit();
        start += hopSamples;
      }
      this.ring.copyWithin(0, start, this.filled);
      this.filled -= start;
    }
  }

  /** Emits the final zero-padded frame if any samples after the last frame start remain. */
  flush(): void {
    const framesCovered = this.nextIndex * this.config.hopSamples;
    if (
      this.filled > 0 &&
      this.totalSamples > framesCovered &&
      this.emittedUpTo < this.totalSamples
    ) {
      this.frame.samples.fill(0);
      this.frame.samples.set(
        this.ring.subarray(0, Math.min(this.filled, this.config.windowSamples)),
      );
      this.emit();
      this.filled = 0;
    }
  }

  private emit(): void {
    this.frame.reset(this.nextIndex);
    this.emittedUpTo = this.nextIndex * this.config.hopSamples + this.config.windowSamples;
    this.nextIndex++;
    this.onFrame(this.frame);
  }
}
