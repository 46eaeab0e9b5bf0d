/**
 * Per-frame descriptors of the segmentation, folded into 0.1 s blocks as they stream in, so the
 * analyzer keeps 13 floats per 0.1 s (1.9 MB per audio hour) and never any samples.
 *
 * Frames are the pipeline's shared DEFAULT_FRAMER frames (16 kHz, 32 ms window, 10 ms hop); the
 * descriptors reuse their log-mel bands, so only harmonicity costs extra: a normalised
 * autocorrelation on the frame decimated to 4 kHz, every second frame (lags 4–80 = 1000–50 Hz).
 * Hand-written (with `src/dsp/pitch.ts`'s YIN available) because YIN at 16 kHz over every frame
 * costs more than the whole speech-side budget; harmonicity and a coarse f0 are all that is needed.
 *
 * Block layout (BLOCK_FIELDS, one Float32 each):
 *  0 logE        mean frame level, dBFS (floor −100)
 *  1 flux        mean positive log-mel flux (nepers per band)
 *  2 logFlat     mean log spectral flatness of the mel bands (≤ 0; 0 = white)
 *  3 centroid    mean mel-band centroid (0–1)
 *  4 harm        mean harmonicity (max normalised autocorrelation, 0–1)
 *  5 voiced      fraction of analysed frames with harmonicity ≥ 0.6
 *  6 cont        fraction of analysed frames continuing the previous pitch (< 1 semitone)
 *  7 slope       mean |Δ pitch| between consecutive voiced frames, semitones
 *  8 mod4        share of the 1 s energy envelope's modulation energy at 3–6 Hz (syllable rate)
 *  9 modDepth    std / mean of the 1 s rms envelope
 * 10 lowEnergy   share of the last 1 s's frames below half the mean energy
 * 11 logEStd     std of frame level inside the block, dB
 * 12 sustain     spectral-peak persistence: cosine similarity of the frame's peak-enhanced log
 *                spectrum (312 Hz–4 kHz) with that of the frame 0.24 s earlier, every fourth
 *                frame (held notes and chords score high; speech, crowd and hiss low)
 * (8–10 are computed over the second ending with the block.)
 */
import type { Frame } from '../frames.js';

export const BLOCK_SEC = 0.1;
export const FRAMES_PER_BLOCK = 10;
export const BLOCK_FIELDS = 13;
export const BLOCK_FIELD_NAMES = [
  'logE',
  'flux',
  'logFlat',
  'centroid',
  'harm',
  'voiced',
  'cont',
  'slope',
  'mod4',
  'modDepth',
  'lowEnergy',
  'logEStd',
  'sustain',
] as const;

const DECIM = 4;
const MIN_LAG = 4; // 1000 Hz at 4 kHz
const MAX_LAG = 80; // 50 Hz at 4 kHz
const VOICED = 0.6;
const ENV_FRAMES = 100; // 1 s of 10 ms frames
const MOD_MAX_HZ = 16;
// Spectral-peak persistence: FFT bins 10–128 of the 512-point spectrum at 16 kHz (312 Hz–4 kHz;
// below 312 Hz mains hum would look like a held chord), on every fourth frame (pitch takes the
// even ones; every second frame cost 14 % of the descriptors), SUSTAIN_LAG analysed frames
// (0.24 s) apart.
const PEAK_LO = 10;
const PEAK_HI = 128;
const PEAK_HALF = 4;
const SUSTAIN_LAG = 6;

/** Growable Float32 matrix of blocks × BLOCK_FIELDS. */
export class BlockStore {
  private buf = new Float32Array(BLOCK_FIELDS * 1024);
  count = 0;
  push(row: Float32Array): void {
    if ((this.count + 1) * BLOCK_FIELDS > this.buf.length) {
      const next = new Float32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf.set(row, this.count * BLOCK_FIELDS);
    this.count++;
  }
  /** The blocks as one row-major Float32Array (copy, trimmed). */
  toArray(): Float32Array {
    return this.buf.slice(0, this.count * BLOCK_FIELDS);
  }
}

/**
 * Normalised autocorrelation harmonicity and f0 of one frame.
 * @param x - decimated frame (4 kHz), mean removed, length n.
 * @returns [harmonicity 0–1, f0 in Hz (0 when unvoiced)]
 */
function harmonicity(x: Float32Array, n: number, rateHz: number): [number, number] {
  // Prefix sums of energy for the NCCF denominators.
  let total = 0;
  for (let i = 0; i < n; i++) total += x[i]! * x[i]!;
  if (total < 1e-9) return [0, 0];
  let best = 0;
  let bestLag = 0;
  const r = NCCF;
  for (let k = MIN_LAG; k <= MAX_LAG && k < n - 8; k++) {
    let dot = 0;
    let e0 = 0;
    let e1 = 0;
    for (let i = 0; i + k < n; i++) {
      const a = x[i]!;
      const b = x[i + k]!;
      dot += a * b;
      e0 += a * a;
      e1 += b * b;
    }
    const v = dot / Math.sqrt(e0 * e1 + 1e-12);
    r[k] = v;
    if (v > best) {
      best = v;
      bestLag = k;
    }
  }
  if (best < VOICED) return [Math.max(0, best), 0];
  // Prefer the shortest period nearly as good as the best (avoids sub-harmonic octave errors).
  for (let k = MIN_LAG + 1; k < bestLag; k++) {
    if (r[k]! >= 0.9 * best && r[k]! >= r[k - 1]! && r[k]! >= r[k + 1]!) {
      bestLag = k;
      break;
    }
  }
  // Parabolic interpolation of the peak.
  let lag = bestLag;
  if (bestLag > MIN_LAG && bestLag < MAX_LAG) {
    const a = r[bestLag - 1]!;
    const b = r[bestLag]!;
    const c = r[bestLag + 1]!;
    const den = a - 2 * b + c;
    if (den < 0) lag = bestLag + (0.5 * (a - c)) / den;
  }
  return [best, rateHz / lag];
}
const NCCF = new Float64Array(MAX_LAG + 2);

/** Streams frames in, emits one block row per FRAMES_PER_BLOCK frames. */
export class SegmentationDescriptors {
  readonly blocks = new BlockStore();
  private readonly prevMel = new Float32Array(64);
  private hasPrev = false;
  private readonly dec = new Float32Array(512 / DECIM);
  private readonly env = new Float32Array(ENV_FRAMES);
  private envPos = 0;
  private envCount = 0;
  private lastF0 = 0;
  // Block accumulators.
  private nFrames = 0;
  private sLogE = 0;
  private sLogE2 = 0;
  private sFlux = 0;
  private sFlat = 0;
  private sCent = 0;
  private sHarm = 0;
  private nPitch = 0;
  private nVoiced = 0;
  private nCont = 0;
  private sSlope = 0;
  private nPairs = 0;
  private sSustain = 0;
  private nSustain = 0;
  private readonly peakRing = new Float32Array(SUSTAIN_LAG * (PEAK_HI - PEAK_LO));
  private readonly peakNorm = new Float32Array(SUSTAIN_LAG);
  private peakCount = 0;
  private readonly logPow = new Float32Array(PEAK_HI + PEAK_HALF + 1);
  private readonly row = new Float32Array(BLOCK_FIELDS);
  private readonly cosT: Float64Array;
  private readonly sinT: Float64Array;

  constructor(private readonly sampleRateHz = 16000) {
    // Modulation DFT tables: 1..MOD_MAX_HZ Hz over a 1 s envelope at 100 frames/s.
    this.cosT = new Float64Array(MOD_MAX_HZ * ENV_FRAMES);
    this.sinT = new Float64Array(MOD_MAX_HZ * ENV_FRAMES);
    for (let f = 1; f <= MOD_MAX_HZ; f++) {
      for (let i = 0; i < ENV_FRAMES; i++) {
        this.cosT[(f - 1) * ENV_FRAMES + i] = Math.cos((2 * Math.PI * f * i) / ENV_FRAMES);
        this.sinT[(f - 1) * ENV_FRAMES + i] = Math.sin((2 * Math.PI * f * i) / ENV_FRAMES);
      }
    }
  }

  onFrame(frame: Frame): void {
    const logE = Math.max(-100, 20 * Math.log10(frame.rms + 1e-12));
    const mel = frame.melLog;
    const nb = mel.length;
    let flux = 0;
    let sumLog = 0;
    let sumLin = 0;
    let cNum = 0;
    for (let b = 0; b < nb; b++) {
      const v = mel[b]!;
      if (this.hasPrev) flux += Math.min(10, Math.max(0, v - this.prevMel[b]!));
      this.prevMel[b] = v;
      sumLog += v;
      const lin = Math.exp(v);
      sumLin += lin;
      cNum += b * lin;
    }
    this.hasPrev = true;
    flux /= nb;
    const logFlat = sumLog / nb - Math.log(sumLin / nb + 1e-30);
    const centroid = sumLin > 1e-12 ? cNum / sumLin / (nb - 1) : 0;

    this.nFrames++;
    this.sLogE += logE;
    this.sLogE2 += logE * logE;
    this.sFlux += flux;
    this.sFlat += Math.max(-20, logFlat);
    this.sCent += centroid;
    this.env[this.envPos] = frame.rms;
    this.envPos = (this.envPos + 1) % ENV_FRAMES;
    this.envCount++;

    if (frame.index % 2 === 0) this.pitchFrame(frame.samples);
    else if (frame.index % 4 === 1) {
      this.sSustain += this.sustain(frame.power);
      this.nSustain++;
    }
    if (this.nFrames === FRAMES_PER_BLOCK) this.emitBlock();
  }

  /**
   * Peak persistence of one frame (0–1): the log power spectrum minus its ±PEAK_HALF-bin moving
   * mean, clipped at 0, compared (cosine) with the frame SUSTAIN_LAG frames earlier.
   */
  private sustain(power: Float32Array): number {
    const lp = this.logPow;
    const lo = PEAK_LO - PEAK_HALF;
    for (let k = lo; k <= PEAK_HI + PEAK_HALF && k < power.length; k++) {
      lp[k] = Math.log(power[k]! + 1e-10);
    }
    const W = PEAK_HI - PEAK_LO;
    const slot = this.peakCount % SUSTAIN_LAG;
    const o = slot * W;
    const ring = this.peakRing;
    let run = 0;
    for (let k = PEAK_LO - PEAK_HALF; k <= PEAK_LO + PEAK_HALF; k++) run += lp[k]!;
    let norm = 0;
    let dot = 0;
    const full = this.peakCount >= SUSTAIN_LAG;
    for (let k = PEAK_LO; k < PEAK_HI; k++) {
      if (k > PEAK_LO) run += lp[k + PEAK_HALF]! - lp[k - PEAK_HALF - 1]!;
      const v = Math.max(0, lp[k]! - run / (2 * PEAK_HALF + 1));
      // The slot still holds the frame SUSTAIN_LAG frames back until it is overwritten here.
      if (full) dot += v * ring[o + k - PEAK_LO]!;
      ring[o + k - PEAK_LO] = v;
      norm += v * v;
    }
    const prevNorm = this.peakNorm[slot]!;
    this.peakNorm[slot] = norm;
    this.peakCount++;
    return full && norm > 0 && prevNorm > 0 ? dot / Math.sqrt(norm * prevNorm) : 0;
  }

  private pitchFrame(samples: Float32Array): void {
    const n = Math.floor(samples.length / DECIM);
    let mean = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < DECIM; k++) s += samples[j * DECIM + k]!;
      this.dec[j] = s / DECIM;
      mean += s / DECIM;
    }
    mean /= n;
    for (let j = 0; j < n; j++) this.dec[j]! -= mean;
    const [h, f0] = harmonicity(this.dec, n, this.sampleRateHz / DECIM);
    this.nPitch++;
    this.sHarm += h;
    if (f0 > 0) {
      this.nVoiced++;
      if (this.lastF0 > 0) {
        const st = Math.abs(12 * Math.log2(f0 / this.lastF0));
        this.nPairs++;
        this.sSlope += Math.min(st, 12);
        if (st < 1) this.nCont++;
      }
    }
    this.lastF0 = f0;
  }

  private emitBlock(): void {
    const n = this.nFrames;
    const row = this.row;
    const meanE = this.sLogE / n;
    row[0] = meanE;
    row[1] = this.sFlux / n;
    row[2] = this.sFlat / n;
    row[3] = this.sCent / n;
    row[4] = this.nPitch > 0 ? this.sHarm / this.nPitch : 0;
    row[5] = this.nPitch > 0 ? this.nVoiced / this.nPitch : 0;
    row[6] = this.nPitch > 0 ? this.nCont / this.nPitch : 0;
    row[7] = this.nPairs > 0 ? this.sSlope / this.nPairs : 0;
    this.modulation(row);
    row[11] = Math.sqrt(Math.max(0, this.sLogE2 / n - meanE * meanE));
    row[12] = this.nSustain > 0 ? this.sSustain / this.nSustain : 0;
    this.blocks.push(row);
    this.nFrames = 0;
    this.sLogE = this.sLogE2 = this.sFlux = this.sFlat = this.sCent = this.sHarm = 0;
    this.nPitch = this.nVoiced = this.nCont = this.nPairs = this.nSustain = 0;
    this.sSlope = this.sSustain = 0;
  }

  /** Fills row[8..10] from the last second of frame rms values (oldest first). */
  private modulation(row: Float32Array): void {
    const m = Math.min(this.envCount, ENV_FRAMES);
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < ENV_FRAMES; i++) {
      const v = this.env[i]!;
      sum += v;
      sum2 += v * v;
    }
    const mean = sum / m;
    const meanPow = sum2 / m;
    if (m < ENV_FRAMES / 2 || mean < 1e-6) {
      row[8] = row[9] = row[10] = 0;
      return;
    }
    let low = 0;
    for (let i = 0; i < ENV_FRAMES; i++) if (this.env[i]! * this.env[i]! < 0.5 * meanPow) low++;
    let band = 0;
    let all = 0;
    for (let f = 1; f <= MOD_MAX_HZ; f++) {
      let re = 0;
      let im = 0;
      const o = (f - 1) * ENV_FRAMES;
      // Ring order does not matter for the magnitude except for a phase factor.
      for (let i = 0; i < ENV_FRAMES; i++) {
        const v = this.env[i]! - mean;
        re += v * this.cosT[o + i]!;
        im += v * this.sinT[o + i]!;
      }
      const p = re * re + im * im;
      all += p;
      if (f >= 3 && f <= 6) band += p;
    }
    row[8] = all > 0 ? band / all : 0;
    row[9] = Math.sqrt(Math.max(0, sum2 / m - mean * mean)) / mean;
    row[10] = low / ENV_FRAMES;
  }

  /** Emits the last partial block (if any frames are pending) and returns every block. */
  finish(): Float32Array {
    if (this.nFrames > 0) this.emitBlock();
    return this.blocks.toArray();
  }
}
