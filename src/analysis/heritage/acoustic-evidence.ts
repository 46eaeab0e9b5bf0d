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
 *   churches and outdoor PA decay slowly, a studio reading decays fast;
 * - content shape, independent of every other analyzer so it still holds when segmentation errs:
 *   spectral change (median mel-spectrum distance between frames 100 ms apart: held notes and
 *   drones are stationary, speech changes every syllable), syllabic modulation (share of the level
 *   envelope's 1–12 Hz modulation that lies at 3–6 Hz, the syllable rate of speech), the median
 *   spectral centroid, and the share of frames that are a single pure tone (test tones, sweeps).
 */
import type { Frame } from '../frames.js';

const DB_MIN = -120;
const DB_BINS = 240; // 0.5 dB bins from -120 to 0 dBFS
const MAX_DECAYS = 4096;
/** Frames between the two mel spectra compared for spectral change (100 ms at a 10 ms hop). */
const CHANGE_LAG = 10;
const CHANGE_BINS = 250; // 0.02 (natural-log units per band) bins up to 5
const CENTROID_BINS = 160; // 50 Hz bins up to 8 kHz
/** Envelope window for syllabic modulation: 128 frames (1.28 s), hop 64. */
const MOD_WINDOW = 128;
const MOD_HOP = 64;

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
  /** Median mean |Δ log mel| between active frames 100 ms apart (natural-log units); null if none. */
  readonly spectral_change: number | null;
  /** Mean share of the level envelope's 1–12 Hz modulation power at 3–6 Hz (0..1); null if none. */
  readonly syllabic_modulation: number | null;
  /** Median spectral centroid of active frames, Hz; null if none. */
  readonly centroid_hz: number | null;
  /** Fraction of active frames (> −50 dBFS) whose power sits ≥ 80 % in one spectral peak. */
  readonly pure_tone_ratio: number;
  /** Fraction of frames above −50 dBFS. */
  readonly active_ratio: number;
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
  private readonly changeHist = new Float64Array(CHANGE_BINS);
  private readonly centroidHist = new Float64Array(CENTROID_BINS);
  private melRing: Float32Array[] = [];
  private active = 0;
  private pureTone = 0;
  private readonly envelope = new Float64Array(MOD_WINDOW);
  private envFill = 0;
  private modSum = 0;
  private modWindows = 0;

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
    this.trackContent(frame, db, total);
  }

  /** Spectral change, centroid, pure-tone share and syllabic modulation (see the file header). */
  private trackContent(frame: Frame, db: number, total: number): void {
    const isActive = db > -50 && total > 0;
    const mel = frame.melLog;
    if (this.melRing.length < CHANGE_LAG + 1) this.melRing.push(new Float32Array(mel.length));
    const slot = this.melRing[frame.index % (CHANGE_LAG + 1)]!;
    const past = this.melRing[(frame.index + 1) % (CHANGE_LAG + 1)];
    if (isActive) {
      this.active++;
      const power = frame.power;
      let peak = 1;
      let weighted = 0;
      for (let k = 1; k < power.length; k++) {
        weighted += k * power[k]!;
        if (power[k]! > power[peak]!) peak = k;
      }
      const around = power[peak]! + (power[peak - 1] ?? 0) + (power[peak + 1] ?? 0);
      if (around >= 0.8 * total) this.pureTone++;
      const centroidHz = (weighted / total) * this.binHz;
      this.centroidHist[Math.min(CENTROID_BINS - 1, Math.floor(centroidHz / 50))]! += 1;
      // compare with the frame CHANGE_LAG hops back, when that one was active too (ring slot)
      if (past && frame.index >= CHANGE_LAG && past[0] !== -Infinity) {
        let d = 0;
        for (let b = 0; b < mel.length; b++) d += Math.abs(mel[b]! - past[b]!);
        d /= mel.length;
        this.changeHist[Math.min(CHANGE_BINS - 1, Math.floor(d / 0.02))]! += 1;
      }
      slot.set(mel);
    } else {
      slot[0] = -Infinity;
    }
    this.envelope[this.envFill++] = Math.max(db, -60);
    if (this.envFill === MOD_WINDOW) {
      this.addModulationWindow();
      this.envelope.copyWithin(0, MOD_HOP);
      this.envFill = MOD_WINDOW - MOD_HOP;
    }
  }

  /**
   * One envelope window: DFT power of the mean-removed dB envelope at 1..12 Hz (a direct DFT at
   * 12 frequencies is cheaper than an FFT here); windows with < 3 dB spread carry no rhythm.
   */
  private addModulationWindow(): void {
    const env = this.envelope;
    let mean = 0;
    for (let i = 0; i < MOD_WINDOW; i++) mean += env[i]!;
    mean /= MOD_WINDOW;
    let variance = 0;
    for (let i = 0; i < MOD_WINDOW; i++) variance += (env[i]! - mean) ** 2;
    if (Math.sqrt(variance / MOD_WINDOW) < 3) return;
    let inBand = 0;
    let all = 0;
    for (let hz = 1; hz <= 12; hz++) {
      const w = 2 * Math.PI * hz * this.hopSec;
      let re = 0;
      let im = 0;
      for (let i = 0; i < MOD_WINDOW; i++) {
        const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (MOD_WINDOW - 1));
        const v = (env[i]! - mean) * hann;
        re += v * Math.cos(w * i);
        im -= v * Math.sin(w * i);
      }
      const p = re * re + im * im;
      all += p;
      if (hz >= 3 && hz <= 6) inBand += p;
    }
    if (all > 0) {
      this.modSum += inBand / all;
      this.modWindows++;
    }
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

  /** Median of a histogram as the centre of its bin (`width` units per bin); null when empty. */
  private histMedian(hist: Float64Array, width: number): number | null {
    const n = hist.reduce((a, b) => a + b, 0);
    return n > 0 ? (histPercentile(hist, n, 0.5) + 0.5) * width : null;
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
      spectral_change: this.histMedian(this.changeHist, 0.02),
      syllabic_modulation: this.modWindows > 0 ? this.modSum / this.modWindows : null,
      centroid_hz: this.histMedian(this.centroidHist, 50),
      pure_tone_ratio: this.active > 0 ? this.pureTone / this.active : 0,
      active_ratio: total > 0 ? this.active / total : 0,
    };
  }
}
