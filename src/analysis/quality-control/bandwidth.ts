/**
 * Effective bandwidth from a long-term average spectrum at the native rate.
 *
 * Streaming and cheap: one Hann-windowed FFT of ~0.1 s per channel every `hopSec` (a subsample of
 * the signal; the long-term average converges long before every frame is seen), frames that are
 * digital silence skipped, power spectra summed over channels (so an inverted channel does not
 * cancel as it would in a mono downmix). Memory: one FFT frame per channel plus the average.
 *
 * At the end the average spectrum (smoothed over ~100 Hz) gives:
 * - `effective_bandwidth_hz`: the highest frequency whose level is within `contentRangeDb` of the
 *   mean level of the 100 Hz – 5 kHz band (where every programme has content);
 * - a brick-wall cutoff: the highest frequency with content whose level falls by >= `edgeDropDb`
 *   within 4 % of that frequency and stays down up to Nyquist, with the band below it occupied
 *   (so a lone tone is not a "cutoff"). Codecs' low-pass filters and resamplers' anti-alias
 *   filters leave exactly this shape; analogue roll-offs are far gentler.
 */
import { Fft } from '../../dsp/fft.js';
import { hannWindow } from '../../dsp/window.js';

export interface BandwidthOptions {
  /** Seconds between analysed frames. @defaultValue 0.25 */
  readonly hopSec?: number;
  /** Level range below the 100 Hz–5 kHz mean that still counts as content (dB). @defaultValue 60 */
  readonly contentRangeDb?: number;
  /** Drop (dB) across the 4 % transition band that makes a brick wall. @defaultValue 30 */
  readonly edgeDropDb?: number;
  /** Frames whose peak is at or below this level are skipped (dBFS). @defaultValue -90 */
  readonly silenceThresholdDbfs?: number;
}

export interface BandwidthResult {
  readonly effective_bandwidth_hz: number | null;
  readonly nyquist_hz: number;
  /** effective bandwidth / Nyquist. */
  readonly bandwidth_ratio: number | null;
  /** Brick-wall cutoff frequency, null when the spectrum has none. */
  readonly cutoff_hz: number | null;
  /** Level drop across the cutoff (dB), null without a cutoff. */
  readonly cutoff_drop_db: number | null;
  /** FFT size and number of frames averaged. */
  readonly fft_size: number;
  readonly frames_analyzed: number;
}

/** FFT size: the power of two nearest 0.1 s (4096 at 44.1/48 kHz), at least 1024. */
export function bandwidthFftSize(sampleRateHz: number): number {
  return Math.max(1024, 2 ** Math.round(Math.log2(sampleRateHz * 0.1)));
}

export class BandwidthEstimator {
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly fftSize: number;
  private readonly hopFrames: number;
  private readonly silenceLevel: number;
  private readonly contentRangeDb: number;
  private readonly edgeDropDb: number;
  private readonly capture: Float32Array[];
  private readonly window: Float32Array;
  private readonly windowed: Float64Array;
  private readonly power: Float64Array;
  private readonly avg: Float64Array;
  private filled = 0;
  /** Frames to skip before the next capture starts. */
  private skip = 0;
  private framePeak = 0;
  private analyzed = 0;

  constructor(sampleRateHz: number, channels: number, opts: BandwidthOptions = {}) {
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    this.fftSize = bandwidthFftSize(sampleRateHz);
    this.hopFrames = Math.max(this.fftSize, Math.round((opts.hopSec ?? 0.25) * sampleRateHz));
    this.silenceLevel = Math.pow(10, (opts.silenceThresholdDbfs ?? -90) / 20);
    this.contentRangeDb = opts.contentRangeDb ?? 60;
    this.edgeDropDb = opts.edgeDropDb ?? 30;
    this.capture = Array.from({ length: channels }, () => new Float32Array(this.fftSize));
    this.window = hannWindow(this.fftSize);
    this.windowed = new Float64Array(this.fftSize);
    this.power = new Float64Array(this.fftSize / 2 + 1);
    this.avg = new Float64Array(this.fftSize / 2 + 1);
  }

  /** Consumes interleaved frames. */
  process(x: Float32Array): void {
    const nCh = this.channels;
    const frames = Math.floor(x.length / nCh);
    let pos = 0;
    while (pos < frames) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, frames - pos);
        this.skip -= n;
        pos += n;
        continue;
      }
      const n = Math.min(this.fftSize - this.filled, frames - pos);
      let peak = this.framePeak;
      for (let c = 0; c < nCh; c++) {
        const cap = this.capture[c]!;
        for (let i = 0, j = pos * nCh + c; i < n; i++, j += nCh) {
          const v = x[j]!;
          cap[this.filled + i] = v;
          peak = Math.max(peak, Math.abs(v));
        }
      }
      this.framePeak = peak;
      this.filled += n;
      pos += n;
      if (this.filled === this.fftSize) {
        if (this.framePeak > this.silenceLevel) this.analyzeFrame();
        this.filled = 0;
        this.framePeak = 0;
        this.skip = this.hopFrames - this.fftSize;
      }
    }
  }

  private analyzeFrame(): void {
    const fft = Fft.of(this.fftSize);
    const w = this.window;
    for (const cap of this.capture) {
      for (let i = 0; i < this.fftSize; i++) this.windowed[i] = cap[i]! * w[i]!;
      fft.powerSpectrum(this.windowed, this.power);
      for (let k = 0; k < this.avg.length; k++) this.avg[k]! += this.power[k]!;
    }
    this.analyzed++;
  }

  /** Smoothed average spectrum in dB (bin k at k * sampleRate / fftSize Hz). */
  spectrumDb(): Float64Array {
    const nBins = this.avg.length;
    const binHz = this.sampleRateHz / this.fftSize;
    const half = Math.max(1, Math.round(50 / binHz));
    const out = new Float64Array(nBins);
    const norm = this.analyzed > 0 ? 1 / (this.analyzed * this.channels) : 0;
    // Running-sum moving average in the power domain, then dB with a -300 dB floor.
    let acc = 0;
    let lo = 0;
    let hi = -1;
    for (let k = 0; k < nBins; k++) {
      const from = Math.max(0, k - half);
      const to = Math.min(nBins - 1, k + half);
      while (hi < to) acc += this.avg[++hi]!;
      while (lo < from) acc -= this.avg[lo++]!;
      const mean = (Math.max(acc, 0) / (to - from + 1)) * norm;
      out[k] = 10 * Math.log10(mean + 1e-30);
    }
    return out;
  }

  result(): BandwidthResult {
    const nyquist = this.sampleRateHz / 2;
    const base = {
      nyquist_hz: nyquist,
      fft_size: this.fftSize,
      frames_analyzed: this.analyzed,
    };
    if (this.analyzed === 0)
      return {
        ...base,
        effective_bandwidth_hz: null,
        bandwidth_ratio: null,
        cutoff_hz: null,
        cutoff_drop_db: null,
      };
    const s = this.spectrumDb();
    const nBins = s.length;
    const binHz = this.sampleRateHz / this.fftSize;
    const bin = (hz: number): number => Math.max(0, Math.min(nBins - 1, Math.round(hz / binHz)));

    // Reference: mean power level of 100 Hz – min(5 kHz, Nyquist/2).
    const refLo = bin(100);
    const refHi = Math.max(refLo, bin(Math.min(5000, nyquist / 2)));
    let refPow = 0;
    for (let k = refLo; k <= refHi; k++) refPow += Math.pow(10, s[k]! / 10);
    const refDb = 10 * Math.log10(refPow / (refHi - refLo + 1) + 1e-30);
    const floorDb = refDb - this.contentRangeDb;
    let top = -1;
    for (let k = nBins - 1; k >= bin(20); k--) {
      if (s[k]! >= floorDb) {
        top = k;
        break;
      }
    }
    const bandwidthHz = top >= 0 ? Math.min(nyquist, top * binHz) : null;

    // Brick wall: suffix max of the level above each bin.
    const suffixMax = new Float64Array(nBins + 1).fill(-Infinity);
    for (let k = nBins - 1; k >= 0; k--) suffixMax[k] = Math.max(s[k]!, suffixMax[k + 1]!);
    let cutoff: number | null = null;
    let drop: number | null = null;
    const lowest = bin(2000);
    for (let k = bin(nyquist * 0.99); k >= lowest; k--) {
      const w = Math.max(3, Math.round(0.04 * k));
      // The stop band must be at least as wide as the transition (the last bins are edge-biased),
      // and the edge must start from content, not from structure inside a stop band.
      if (k + 2 * w >= nBins || s[k]! < floorDb) continue;
      const above = suffixMax[k + w]!;
      const d = s[k]! - above;
      if (d < this.edgeDropDb) continue;
      // Occupancy: most of the octave below the edge must be well above the stop band.
      let occupied = 0;
      const from = Math.floor(k / 2);
      for (let i = from; i <= k; i++) if (s[i]! >= above + this.edgeDropDb / 2) occupied++;
      if (occupied / (k - from + 1) < 0.8) continue;
      cutoff = k * binHz;
      drop = d;
      break;
    }
    return {
      ...base,
      effective_bandwidth_hz: bandwidthHz,
      bandwidth_ratio: bandwidthHz === null ? null : bandwidthHz / nyquist,
      cutoff_hz: cutoff,
      cutoff_drop_db: drop,
    };
  }
}

/** Common sample rates a master may have been upsampled from. */
export const STANDARD_RATES_HZ: readonly number[] = [
  8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 176400, 192000,
];

/**
 * The standard rate below `sampleRateHz` whose Nyquist best explains a cutoff at `cutoffHz`
 * (cutoff within 86–115 % of that Nyquist), or null. Below 100 %: the source's anti-alias pass
 * band; above: the upsampler's own transition band, which the spectral cutoff estimate reaches
 * into (16 kHz speech resampled to 48 kHz by ffmpeg measures a cutoff at 9.1 kHz, 114 %).
 */
export function likelySourceRateHz(cutoffHz: number, sampleRateHz: number): number | null {
  let best: number | null = null;
  let bestErr = Infinity;
  for (const r of STANDARD_RATES_HZ) {
    if (r >= sampleRateHz * 0.99) continue;
    const ratio = cutoffHz / (r / 2);
    if (ratio < 0.86 || ratio > 1.15) continue;
    const err = Math.abs(ratio - 0.94);
    if (err < bestErr) {
      best = r;
      bestErr = err;
    }
  }
  return best;
}
