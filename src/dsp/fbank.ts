/**
 * Kaldi-compatible log mel filter-bank features ("fbank"), the front end of Kaldi-trained speaker
 * models such as CAM++ / WeSpeaker. Written here because the model needs Kaldi's exact recipe and
 * no maintained JS package implements it; it follows `kaldi::Fbank` / `torchaudio.compliance.kaldi`
 * and is tested against kaldi-native-fbank's output (test/fixtures/dsp/kaldi-fbank.json).
 *
 * Recipe per frame (25 ms = 400 samples every 10 ms at 16 kHz, `snip_edges`: only whole frames):
 * remove the DC offset, pre-emphasis 0.97, Povey window (Hann^0.85), zero-pad to 512, power
 * spectrum, 80 triangular filters on Kaldi's mel scale (1127·ln(1 + f/700)) between 20 Hz and
 * Nyquist, natural log floored at float32 epsilon. No dither (deterministic), no energy term.
 */
import { Fft } from './fft.js';

export interface KaldiFbankOptions {
  /** @defaultValue 16000 */
  readonly sampleRateHz?: number;
  /** @defaultValue 80 */
  readonly nMels?: number;
  /** @defaultValue 25 */
  readonly frameLengthMs?: number;
  /** @defaultValue 10 */
  readonly frameShiftMs?: number;
  /** @defaultValue 20 */
  readonly lowHz?: number;
}

export interface FbankFrames {
  readonly nFrames: number;
  readonly nMels: number;
  /** Row-major [nFrames × nMels], natural-log mel energies. */
  readonly data: Float32Array;
}

interface Plan {
  readonly frameSamples: number;
  readonly shiftSamples: number;
  readonly nMels: number;
  readonly fft: Fft;
  readonly window: Float64Array;
  /** Per band: first FFT bin and weights. */
  readonly bands: readonly { readonly start: number; readonly weights: Float64Array }[];
}

const FLOAT32_EPSILON = 1.1920928955078125e-7;
const plans = new Map<string, Plan>();

const kaldiMel = (hz: number): number => 1127 * Math.log(1 + hz / 700);

function planFor(o: KaldiFbankOptions): Plan {
  const sr = o.sampleRateHz ?? 16000;
  const nMels = o.nMels ?? 80;
  const frameSamples = Math.round((sr * (o.frameLengthMs ?? 25)) / 1000);
  const shiftSamples = Math.round((sr * (o.frameShiftMs ?? 10)) / 1000);
  const lowHz = o.lowHz ?? 20;
  const key = `${sr}:${nMels}:${frameSamples}:${shiftSamples}:${lowHz}`;
  const hit = plans.get(key);
  if (hit) return hit;
  let fftSize = 1;
  while (fftSize < frameSamples) fftSize *= 2;
  const window = new Float64Array(frameSamples);
  for (let i = 0; i < frameSamples; i++)
    window[i] = Math.pow(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (frameSamples - 1)), 0.85);
  // Kaldi MelBanks: bins 0 … fftSize/2 − 1, equal spacing on the mel scale, weights in mel units.
  const nBins = fftSize / 2;
  const binHz = sr / fftSize;
  const melLow = kaldiMel(lowHz);
  const melHigh = kaldiMel(sr / 2);
  const melDelta = (melHigh - melLow) / (nMels + 1);
  const bands: { start: number; weights: Float64Array }[] = [];
  for (let m = 0; m < nMels; m++) {
    const left = melLow + m * melDelta;
    const center = left + melDelta;
    const right = center + melDelta;
    const w = new Float64Array(nBins);
    let first = -1;
    let last = -1;
    for (let k = 0; k < nBins; k++) {
      const mel = kaldiMel(k * binHz);
      if (mel > left && mel < right) {
        w[k] = mel <= center ? (mel - left) / (center - left) : (right - mel) / (right - center);
        if (first < 0) first = k;
        last = k;
      }
    }
    bands.push({ start: Math.max(0, first), weights: w.slice(Math.max(0, first), last + 1) });
  }
  const plan: Plan = { frameSamples, shiftSamples, nMels, fft: new Fft(fftSize), window, bands };
  plans.set(key, plan);
  return plan;
}

/** Number of whole frames (`snip_edges`) of `nSamples` samples. */
export function countFbankFrames(nSamples: number, options: KaldiFbankOptions = {}): number {
  const p = planFor(options);
  return nSamples < p.frameSamples
    ? 0
    : 1 + Math.floor((nSamples - p.frameSamples) / p.shiftSamples);
}

/**
 * Kaldi fbank of a mono signal (float samples, any scale: Kaldi reads int16 values, the models
 * subtract the per-utterance mean, which removes the constant log-gain difference).
 * @param samples - mono signal at `sampleRateHz`.
 * @returns [nFrames × nMels] log mel energies; frame t covers samples [t·shift, t·shift + length).
 */
export function computeKaldiFbank(
  samples: Float32Array,
  options: KaldiFbankOptions = {},
): FbankFrames {
  const p = planFor(options);
  const nFrames = countFbankFrames(samples.length, options);
  const data = new Float32Array(nFrames * p.nMels);
  const frame = new Float64Array(p.fft.size);
  const power = new Float64Array(p.fft.size / 2 + 1);
  const n = p.frameSamples;
  for (let t = 0; t < nFrames; t++) {
    const off = t * p.shiftSamples;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += samples[off + i]!;
    mean /= n;
    for (let i = 0; i < n; i++) frame[i] = samples[off + i]! - mean;
    for (let i = n - 1; i > 0; i--) frame[i]! -= 0.97 * frame[i - 1]!;
    frame[0]! -= 0.97 * frame[0]!;
    for (let i = 0; i < n; i++) frame[i]! *= p.window[i]!;
    frame.fill(0, n);
    p.fft.powerSpectrum(frame, power);
    const row = t * p.nMels;
    for (let m = 0; m < p.nMels; m++) {
      const { start, weights } = p.bands[m]!;
      let e = 0;
      for (let k = 0; k < weights.length; k++) e += weights[k]! * power[start + k]!;
      data[row + m] = Math.log(Math.max(e, FLOAT32_EPSILON));
    }
  }
  return { nFrames, nMels: p.nMels, data };
}
