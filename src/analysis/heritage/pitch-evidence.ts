/**
 * Pitch-contour evidence from a learned pitch tracker (CREPE tiny): bursts of 32 frames at a
 * 20 ms hop (0.7 s of audio) are tracked, every 2 s during the first 20 s and every 10 s after
 * (a 5 s clip gets 3 bursts, a 3 min record 26, an hour 368), skipping bursts below −50 dBFS.
 * A denser schedule (every second for 30 s, then every 5 s) cost the comprehensive analysis of
 * the corpus about as much CPU as all other analyzers but diarization together (bench/run.ts).
 * Each burst is reduced to contour statistics (`src/dsp/pitch-contour.ts`) and pooled into
 * bounded histograms: how much is voiced, how long the voiced runs last, how steady the pitch is,
 * how often a vibrato shows, and where the pitch sits.
 *
 * Memory is bounded (one burst buffer, two fixed histograms); CPU about 20 ms per burst.
 */
import { analyseBurstContour } from '../../dsp/pitch-contour.js';
import {
  CREPE_CENTS_OFFSET,
  CREPE_CENTS_PER_BIN,
  CREPE_PITCH_BINS,
  CREPE_WINDOW_SAMPLES,
  centsToHz,
} from '../../dsp/crepe-decode.js';
import type { ModelProvenance } from '../../models/registry.js';
import type { PitchEngine } from '../pitch/pitch-engine.js';

export interface PitchEvidence {
  /** Engine and model that ran (null: none could run, the descriptors are neutral). */
  readonly engine: string | null;
  readonly model: ModelProvenance | null;
  /** Bursts tracked (above the level gate) and frames in them. */
  readonly bursts: number;
  readonly frames: number;
  /** Share of tracked frames that are voiced (periodicity ≥ 0.4). */
  readonly voiced_ratio: number | null;
  /** Mean length of the voiced run a voiced frame belongs to, seconds (at most 0.7 s). */
  readonly voiced_run_sec: number | null;
  /** Share of frame-to-frame steps inside voiced runs within 20 cents. */
  readonly steady_ratio: number | null;
  /** Share of voiced runs of ≥ 0.24 s that carry a 4–8 Hz vibrato of 15–200 cents. */
  readonly vibrato_ratio: number | null;
  readonly median_f0_hz: number | null;
  /** p5–p95 range of the voiced pitch, semitones. */
  readonly f0_range_semitones: number | null;
  /** Median periodicity of voiced frames. */
  readonly median_periodicity: number | null;
}

const HOP_SAMPLES = 320;
const FRAMES_PER_BURST = 32;
const WINDOW = CREPE_WINDOW_SAMPLES;
const SPAN = (FRAMES_PER_BURST - 1) * HOP_SAMPLES + WINDOW;
const EARLY_PERIOD_SEC = 2;
const EARLY_SEC = 20;
const LATE_PERIOD_SEC = 10;
const GATE_RMS = 10 ** (-50 / 20);

export class PitchEvidenceCollector {
  private readonly burst = new Float32Array(SPAN);
  private readonly frames = new Float32Array(FRAMES_PER_BURST * WINDOW);
  private filled = 0;
  private nextStart = 0;
  private bursts = 0;
  private nFrames = 0;
  private voiced = 0;
  private runSq = 0;
  private runSum = 0;
  private steps = 0;
  private steady = 0;
  private tested = 0;
  private vibrato = 0;
  private readonly centsHist = new Float64Array(CREPE_PITCH_BINS);
  private readonly periodicityHist = new Float64Array(100);
  private failed = false;

  constructor(
    private readonly engine: PitchEngine | null,
    private readonly sampleRateHz: number,
  ) {}

  async start(): Promise<void> {
    if (!this.engine || this.sampleRateHz !== 16000) {
      this.failed = true;
      return;
    }
    try {
      await this.engine.load();
    } catch (e) {
      // a missing or damaged pitch model leaves its descriptors neutral and the result uncertain
      // ("sections not available: pitch"), rather than failing the whole classification
      this.failed = true;
      this.loadError = e instanceof Error ? e.message : String(e);
    }
  }

  /** Why the pitch model could not run (undefined: it ran, or was not asked for). */
  loadError: string | undefined;

  /** Mono samples at 16 kHz, in order. */
  async onSamples(block: Float32Array, startSample: number): Promise<void> {
    if (this.failed) return;
    let i = 0;
    while (i < block.length) {
      const pos = startSample + i;
      if (this.filled === 0 && pos < this.nextStart) {
        i += Math.min(block.length - i, this.nextStart - pos);
        continue;
      }
      const take = Math.min(block.length - i, SPAN - this.filled);
      this.burst.set(block.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === SPAN) {
        await this.trackBurst();
        const startSec = this.nextStart / this.sampleRateHz;
        const period = startSec < EARLY_SEC ? EARLY_PERIOD_SEC : LATE_PERIOD_SEC;
        this.nextStart += Math.round(period * this.sampleRateHz);
        this.filled = 0;
      }
    }
  }

  private async trackBurst(): Promise<void> {
    let e = 0;
    for (let k = 0; k < SPAN; k++) e += this.burst[k]! * this.burst[k]!;
    if (Math.sqrt(e / SPAN) < GATE_RMS) return;
    for (let f = 0; f < FRAMES_PER_BURST; f++) {
      this.frames.set(this.burst.subarray(f * HOP_SAMPLES, f * HOP_SAMPLES + WINDOW), f * WINDOW);
    }
    const { cents, periodicity } = await this.engine!.track(this.frames, FRAMES_PER_BURST);
    const s = analyseBurstContour(cents, periodicity, {
      hopSec: HOP_SAMPLES / this.sampleRateHz,
    });
    this.bursts++;
    this.nFrames += s.frames;
    this.voiced += s.voicedFrames;
    for (const r of s.runLengths) {
      this.runSq += r * r;
      this.runSum += r;
    }
    this.steps += s.steps;
    this.steady += s.steadySteps;
    this.tested += s.vibratoTested;
    this.vibrato += s.vibratoRuns;
    for (const c of s.voicedCents) {
      const b = Math.round((c - CREPE_CENTS_OFFSET) / CREPE_CENTS_PER_BIN);
      this.centsHist[Math.max(0, Math.min(CREPE_PITCH_BINS - 1, b))]! += 1;
    }
    for (const p of s.voicedPeriodicity)
      this.periodicityHist[Math.min(99, Math.floor(p * 100))]! += 1;
  }

  finish(): PitchEvidence {
    const ran = !this.failed && this.engine !== null;
    const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
    const c5 = quantile(this.centsHist, 0.05);
    const c50 = quantile(this.centsHist, 0.5);
    const c95 = quantile(this.centsHist, 0.95);
    const toCents = (b: number): number => CREPE_CENTS_OFFSET + CREPE_CENTS_PER_BIN * b;
    const p50 = quantile(this.periodicityHist, 0.5);
    return {
      engine: ran ? this.engine!.id : null,
      model: ran ? this.engine!.model : null,
      bursts: this.bursts,
      frames: this.nFrames,
      voiced_ratio: ratio(this.voiced, this.nFrames),
      voiced_run_sec:
        this.runSum > 0 ? ((this.runSq / this.runSum) * HOP_SAMPLES) / this.sampleRateHz : null,
      steady_ratio: ratio(this.steady, this.steps),
      vibrato_ratio: ratio(this.vibrato, this.tested),
      median_f0_hz: c50 === null ? null : centsToHz(toCents(c50)),
      f0_range_semitones:
        c5 === null || c95 === null ? null : (CREPE_CENTS_PER_BIN * (c95 - c5)) / 100,
      median_periodicity: p50 === null ? null : (p50 + 0.5) / 100,
    };
  }
}

/** Bin index at quantile q of a histogram (null when empty). */
function quantile(hist: Float64Array, q: number): number | null {
  let total = 0;
  for (const v of hist) total += v;
  if (total === 0) return null;
  let acc = 0;
  for (let b = 0; b < hist.length; b++) {
    acc += hist[b]!;
    if (acc >= q * total) return b;
  }
  return hist.length - 1;
}
