/**
 * Acoustic evidence for heritage classification that no other analyzer reports: signs of the
 * carrier and the recording space. Computed over the shared 16 kHz frames with bounded memory
 * (histograms and a capped reservoir, never per-frame arrays).
 *
 * - band limitation: the highest frequency at which the long-term average spectrum of the
 *   non-silent frames stays within 60 dB of its peak (old discs, cylinders and broadcast lines
 *   rarely carry content above 4–6 kHz; modern masters reach the 8 kHz limit of this stream). The
 *   pipeline prefers the QC section's native-rate bandwidth when it ran;
 * - noise floor: the spread between loud and quiet frame levels (signal-to-noise in dB) and the
 *   spectral flatness of the quiet frames (broadband hiss is flat);
 * - impulsive noise: clicks/crackle rate (a frame ≥ 12 dB above both neighbours), typical of
 *   shellac and vinyl;
 * - reverberation: the median decay slope (dB/s) of the level's falls — large halls,
 *   churches and outdoor PA decay slowly, a studio reading decays fast.
 */
import type { Frame } from '../frames.js';

const DB_MIN = -120;
const DB_BINS = 240; // 0.5 dB bins from -120 to 0 dBFS
const MAX_DECAYS = 4096;

export interface AcousticEvidence {
  /** Frames analysed. */
  readonly frames: number;
  /** Highest frequency within 60 dB of the long-term spectrum's peak, Hz (≤ 8000 at 16 kHz). */
  readonly bandwidth_hz: number;
  /** Level spread p95 − p10 of frame levels, dB: a proxy of signal-to-noise ratio. */
  readonly snr_db: number;
  /** Mean spectral flatness (0..1) of the quietest 20 % of frames above digital silence. */
  readonly noise_flatness: number;
  /** Impulsive clicks per minute. */
  readonly clicks_per_min: number;
  /** Median energy decay slope after sharp drops, dB/s (negative; closer to 0 = more reverberant). */
  readonly decay_db_per_sec: number | null;
  /** Fraction of frames below −60 dBFS. */
  readonly quiet_ratio: number;
}

function dbBin(db: number): number {
  return Math.max(0, Math.min(DB_BINS - 1, Math.floor((db - DB_MIN) * 2)));
}

/** Percentile of a histogram, returned as the bin index (linear scan; bins are few). */
function histPercentile(hist: Float64Array, total: number, p: number): number {
  if (total <= 0) return 0;
  const target = p * total;
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= target) return i;
  }
  return hist.length - 1;
}

/** Streams frames in, yields AcousticEvidence at the end. */
export class AcousticEvidenceCollector {
  private frames = 0;
  private readonly levelHist = new Float64Array(DB_BINS);
  private readonly flatnessSum = new Float64Array(DB_BINS);
  private spectrumSum: Float64Array | undefined;
  private binHz = 0;
  private prev2 = -Infinity;
  private prev1 = -Infinity;
  private clicks = 0;
  private quiet = 0;
  private fallStartDb: number | null = null;
  private fallMinDb = 0;
  private fallFrames = 0;
  private fallFramesToMin = 0;
  private lastDb = -Infinity;
  private readonly decays: number[] = [];
  private decaySeen = 0;
  private hopSec = 0.01;

  onFrame(frame: Frame): void {
    const power = frame.power;
    const n = power.length;
    if (this.spectrumSum === undefined) {
      this.spectrumSum = new Float64Array(n);
      this.binHz = frame.config.sampleRateHz / frame.config.fftSize;
      this.hopSec = frame.config.hopSamples / frame.config.sampleRateHz;
    }
    this.frames++;
    const rms = frame.rms;
    const db = rms > 0 ? 20 * Math.log10(rms) : DB_MIN;
    const bin = dbBin(db);
    this.levelHist[bin]! += 1;
    if (db < -60) this.quiet++;

    let total = 0;
    let logSum = 0;
    for (let k = 1; k < n; k++) {
      const p = power[k]!;
      total += p;
      logSum += Math.log(p + 1e-12);
    }
    if (db > DB_MIN + 1 && total > 0) {
      const flatness = Math.exp(logSum / (n - 1)) / (total / (n - 1));
      this.flatnessSum[bin]! += flatness;
    }
    if (db > -60) {
      const sum = this.spectrumSum;
      for (let k = 0; k < n; k++) sum[k]! += power[k]!;
    }

    // clicks: the previous frame stood ≥ 12 dB above both of its neighbours
    if (this.prev1 > -50 && this.prev1 - this.prev2 >= 12 && this.prev1 - db >= 12) this.clicks++;
    this.prev2 = this.prev1;
    this.prev1 = db;

    this.trackDecay(db);
  }

  /**
   * Follows each fall of the frame level that starts at ≥ −40 dBFS: it lasts while the level
   * keeps within 1 dB of its running minimum; a fall of ≥ 10 dB over ≥ 5 frames yields a slope.
   */
  private trackDecay(db: number): void {
    if (this.fallStartDb === null) {
      if (this.lastDb >= -40 && db < this.lastDb - 0.5) {
        this.fallStartDb = this.lastDb;
        this.fallMinDb = db;
        this.fallFrames = 1;
        this.fallFramesToMin = 1;
      }
    } else if (db <= this.fallMinDb + 1 && this.fallFrames < 150) {
      this.fallFrames++;
      if (db < this.fallMinDb) {
        this.fallMinDb = db;
        this.fallFramesToMin = this.fallFrames;
      }
    } else {
      const fallDb = this.fallStartDb - this.fallMinDb;
      if (this.fallFramesToMin >= 5 && fallDb >= 10) {
        this.keepDecay(-fallDb / (this.fallFramesToMin * this.hopSec));
      }
      this.fallStartDb = null;
    }
    this.lastDb = db;
  }

  /** Reservoir sampling keeps a fixed-size, unbiased sample of decay slopes. */
  private keepDecay(slope: number): void {
    this.decaySeen++;
    if (this.decays.length < MAX_DECAYS) this.decays.push(slope);
    else {
      const j = Math.floor(((this.decaySeen * 2654435761) >>> 0) % this.decaySeen);
      if (j < MAX_DECAYS) this.decays[j] = slope;
    }
  }

  finish(): AcousticEvidence {
    const total = this.frames;
    const p95 = histPercentile(this.levelHist, total, 0.95);
    // the noise floor ignores digital silence (the lowest bin)
    const nonSilent = total - this.levelHist[0]!;
    const shifted = this.levelHist.slice();
    shifted[0] = 0;
    const p10 = histPercentile(shifted, nonSilent, 0.1);
    const p20 = histPercentile(shifted, nonSilent, 0.2);
    let flat = 0;
    let flatCount = 0;
    for (let b = 1; b <= p20; b++) {
      flat += this.flatnessSum[b]!;
      flatCount += this.levelHist[b]!;
    }
    let edgeBin = 0;
    if (this.spectrumSum) {
      const sum = this.spectrumSum;
      let peak = 0;
      for (let k = 1; k < sum.length; k++) peak = Math.max(peak, sum[k]!);
      for (let k = sum.length - 1; k > 0; k--) {
        if (peak > 0 && sum[k]! >= peak * 1e-6) {
          edgeBin = k;
          break;
        }
      }
    }
    const sorted = [...this.decays].sort((a, b) => a - b);
    const minutes = (total * this.hopSec) / 60;
    return {
      frames: total,
      bandwidth_hz: Math.round(edgeBin * this.binHz),
      snr_db: nonSilent > 0 ? (p95 - p10) / 2 : 0,
      noise_flatness: flatCount > 0 ? flat / flatCount : 0,
      clicks_per_min: minutes > 0 ? this.clicks / minutes : 0,
      decay_db_per_sec: sorted.length >= 3 ? sorted[Math.floor(sorted.length / 2)]! : null,
      quiet_ratio: total > 0 ? this.quiet / total : 0,
    };
  }
}
