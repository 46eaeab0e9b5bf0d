/**
 * The speaker-diarization analyzer (section `speaker_recognition`). While frames stream it keeps
 * only the compact features of `FrameFeatureStore` (45 bytes per 10 ms; 5 with the neural engine,
 * which needs no log-mel) and computes f0 (YIN on the frame decimated to 8 kHz); `finish()` runs
 * the offline pipeline of `diarize.ts` over the speech regions of the `voice_activity` section
 * (energy fallback when it did not run).
 *
 * Two engines (docs/DIARIZATION.md): `neural` — pyannote segmentation-3.0 + CAM++ embeddings on
 * the 16 kHz blocks as they stream (neural-diarizer.ts), chosen whenever both bundled models are
 * present; `model-free` — the change-detection + clustering pipeline of diarize.ts, the fallback
 * when a model file is missing (or when asked for, or with a custom `embeddingModelPath`).
 *
 * Options: `options.minSpeakers` / `options.maxSpeakers`; `analyzerOptions.diarization`:
 * `{ engine?: 'auto'|'neural'|'model-free', threshold?: number, embeddingModelPath?: string,
 * embeddingFeature?: 'melLog'|'mfcc', detectOverlap?: boolean }`.
 */
import { YinPitchEstimator } from '../../dsp/pitch.js';
import { SonoError } from '../../errors.js';
import type { Analyzer, AnalyzerContext, FinishContext } from '../analyzer.js';
import { DEFAULT_FRAMER, type Frame } from '../frames.js';
import type { TimeRegion } from './der.js';
import { diarize, type DiarizeOptions, type SpeakerSummary } from './diarize.js';
import {
  MomentsEmbeddingEngine,
  StatisticsEmbeddingEngine,
  type EmbeddingEngine,
} from './embedding-engine.js';
import { detectEnergySpeech } from './energy-vad.js';
import { FrameFeatureStore } from './feature-store.js';
import { hasModel, modelProvenance, type ModelProvenance } from '../../models/registry.js';
import {
  CAMPLUS_MODEL_ID,
  OnnxCampplusEmbeddingEngine,
} from './engines/onnx-campplus-embedding-engine.js';
import {
  OnnxPyannoteSegmentationEngine,
  PYANNOTE_SEGMENTATION_MODEL_ID,
} from './engines/onnx-pyannote-segmentation-engine.js';
import {
  NeuralDiarizer,
  type NeuralDiarization,
  type NeuralDiarizerOptions,
} from './neural-diarizer.js';
import { summariseNeuralSpeakers, toTurns } from './neural-turns.js';
import { OnnxEmbeddingEngine } from './onnx-embedding-engine.js';
import type { SpeakerRecognitionSection } from './types.js';
import { speakingRegions, vadSpeechOf } from '../consistency/index.js';

export const DIARIZATION_ANALYZER_VERSION = '2.1.0';
const DEFAULT_MAX_SPEAKERS = 10;
/** Speaker sets are bitmasks in the neural engine. */
const NEURAL_MAX_SPEAKERS = 32;
/** Below this count confidence the section asks for a person to check the speaker count. */
const COUNT_REVIEW_BELOW = 0.3;

export interface DiarizationAnalyzerOptions {
  /** `auto` (default): neural when its models are present, else model-free. */
  readonly engine?: 'auto' | 'neural' | 'model-free';
  /** Neural engine: AHC threshold and window settings (see NeuralDiarizerOptions). */
  readonly neural?: Omit<NeuralDiarizerOptions, 'minSpeakers' | 'maxSpeakers'>;
  /** Local path of an ONNX speaker-embedding model (see OnnxEmbeddingEngine). */
  readonly embeddingModelPath?: string;
  readonly embeddingFeature?: 'melLog' | 'mfcc';
  /** @defaultValue true */
  readonly detectOverlap?: boolean;
  /** Expert settings of the offline pipeline (see DiarizeOptions). */
  readonly tuning?: Omit<
    DiarizeOptions,
    'engine' | 'minSpeakers' | 'maxSpeakers' | 'detectOverlap'
  > & {
    /** Model-free engine: 'moments' (default) or 'gaussian'. */
    readonly engineId?: 'gaussian' | 'moments';
  };
}

function checkBound(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1 || v > 100) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name,
      detail: `${v} is not an integer in 1..100`,
    });
  }
  return v;
}

/** Validated speaker-count bounds from the analyze options. */
export function resolveSpeakerBounds(min?: number, max?: number): { min: number; max: number } {
  const lo = checkBound('minSpeakers', min) ?? 1;
  const hi = checkBound('maxSpeakers', max) ?? Math.max(DEFAULT_MAX_SPEAKERS, lo);
  if (lo > hi) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'minSpeakers',
      detail: `minSpeakers (${lo}) is greater than maxSpeakers (${hi})`,
    });
  }
  return { min: lo, max: hi };
}

export class DiarizationAnalyzer implements Analyzer<SpeakerRecognitionSection> {
  readonly section = 'speaker_recognition';
  readonly name = 'sonoteca-diarization';
  readonly version = DIARIZATION_ANALYZER_VERSION;
  readonly frameConfigs = [DEFAULT_FRAMER];
  private readonly store: FrameFeatureStore;
  private readonly yin: YinPitchEstimator;
  private readonly half: Float32Array;
  private readonly bounds: { min: number; max: number };
  private readonly engine: EmbeddingEngine;
  private readonly opts: DiarizationAnalyzerOptions;
  private readonly neural: NeuralDiarizer | undefined;
  private readonly models: readonly ModelProvenance[];

  constructor(ctx: AnalyzerContext) {
    const c = DEFAULT_FRAMER;
    this.bounds = resolveSpeakerBounds(ctx.options.minSpeakers, ctx.options.maxSpeakers);
    this.opts = (ctx.options.analyzerOptions?.['diarization'] ?? {}) as DiarizationAnalyzerOptions;
    this.engine = this.opts.embeddingModelPath
      ? new OnnxEmbeddingEngine({
          modelPath: this.opts.embeddingModelPath,
          ...(this.opts.embeddingFeature ? { feature: this.opts.embeddingFeature } : {}),
        })
      : this.opts.tuning?.engineId === 'gaussian'
        ? new StatisticsEmbeddingEngine()
        : new MomentsEmbeddingEngine();
    this.neural = this.createNeural(ctx);
    // The neural engine embeds the 16 kHz blocks itself and reads only level, f0 and periodicity
    // back from the store (speaker summaries): no log-mel bands then, 5 bytes a frame instead of
    // 45 (1.8 MB instead of 16.2 MB per audio hour). The model-free engine clusters the log-mel.
    this.store = new FrameFeatureStore(
      this.neural ? 0 : (c.nMels ?? 40),
      c.hopSamples / c.sampleRateHz,
      c.windowSamples / 2 / c.sampleRateHz,
    );
    this.models = this.neural
      ? [PYANNOTE_SEGMENTATION_MODEL_ID, CAMPLUS_MODEL_ID].map((id) => modelProvenance(id))
      : [];
    // YIN runs on the frame decimated by 2 (8 kHz): 4× cheaper, still covers 62.5–500 Hz.
    this.yin = new YinPitchEstimator({
      sampleRateHz: c.sampleRateHz / 2,
      minF0Hz: 60,
      maxF0Hz: 500,
    });
    this.half = new Float32Array(c.windowSamples / 2);
  }

  private createNeural(ctx: AnalyzerContext): NeuralDiarizer | undefined {
    const want = this.opts.engine ?? 'auto';
    if (want === 'model-free' || (want === 'auto' && this.opts.embeddingModelPath))
      return undefined;
    const present = hasModel(PYANNOTE_SEGMENTATION_MODEL_ID) && hasModel(CAMPLUS_MODEL_ID);
    if (!present || ctx.analysisRateHz !== 16000) {
      if (want === 'neural') {
        throw new SonoError('SONO_ERR_MODEL_LOAD', {
          model: `${PYANNOTE_SEGMENTATION_MODEL_ID}, ${CAMPLUS_MODEL_ID}`,
          detail: present
            ? `analysis rate ${ctx.analysisRateHz} Hz, 16000 needed`
            : 'model file missing',
        });
      }
      return undefined;
    }
    return new NeuralDiarizer(
      new OnnxPyannoteSegmentationEngine(),
      new OnnxCampplusEmbeddingEngine(),
      {
        ...this.opts.neural,
        minSpeakers: this.bounds.min,
        maxSpeakers: Math.min(this.bounds.max, NEURAL_MAX_SPEAKERS),
      },
    );
  }

  async start(): Promise<void> {
    if (this.neural) await this.neural.load();
    else await this.engine.load?.();
  }

  onSamples(block: Float32Array): Promise<void> | void {
    if (this.neural) return this.neural.push(block);
  }

  onFrame(frame: Frame): void {
    const levelDb = 20 * Math.log10(frame.rms + 1e-10);
    let f0 = 0;
    let periodicity = 0;
    if (levelDb > -60) {
      const s = frame.samples;
      // pairwise average = 2-tap low-pass (zero at 4 kHz) + decimation by 2
      for (let i = 0; i < this.half.length; i++) this.half[i] = 0.5 * (s[2 * i]! + s[2 * i + 1]!);
      const est = this.yin.estimate(this.half);
      f0 = est.f0Hz;
      periodicity = est.periodicity;
    }
    this.store.push(frame.melLog, levelDb, f0, periodicity);
  }

  async finish(ctx: FinishContext): Promise<SpeakerRecognitionSection> {
    const vad = vadSpeechOf(ctx.sections['voice_activity']);
    const refined = vad ? speakingRegions(vad, ctx.sections['segmentation']) : undefined;
    const fromVad = refined?.regions ?? vad;
    const excluded = refined
      ? { speech_excluded_sec: refined.excludedSec, speech_refined_by: 'segmentation' as const }
      : {};
    if (this.neural) return this.finishNeural(fromVad, excluded);
    const regions = fromVad ?? detectEnergySpeech(this.store);
    const result = await diarize(this.store, regions, {
      ...this.opts.tuning,
      minSpeakers: this.bounds.min,
      maxSpeakers: this.bounds.max,
      engine: this.engine,
      detectOverlap: this.opts.detectOverlap ?? true,
    });
    await this.engine.dispose?.();
    const dominant = dominantSpeaker(result.speakers);
    return {
      status: 'ok',
      analyzer: { name: this.name, version: this.version },
      speakers_detected: result.speakers.length,
      dominant_speaker: dominant,
      speakers: result.speakers,
      turns: result.turns,
      overlaps: result.overlaps,
      estimated_by: result.estimatedBy,
      bounds: { min_speakers: this.bounds.min, max_speakers: this.bounds.max },
      speech_source: fromVad ? 'voice_activity' : 'energy',
      speech_sec: result.speechSec,
      ...excluded,
      engine: { id: 'model-free', embedding: this.engine.id },
      models: [],
      count_confidence: null,
      embedding_engine: this.engine.id,
      segments_detected: result.segmentsDetected,
      clusters_before_resegmentation: result.clustersBeforeResegmentation,
    };
  }
  private async finishNeural(
    vadSpeech: readonly TimeRegion[] | undefined,
    excluded: Pick<SpeakerRecognitionSection, 'speech_excluded_sec' | 'speech_refined_by'>,
  ): Promise<SpeakerRecognitionSection> {
    const raw = await this.neural!.finish();
    // One source of truth for speech: the segmentation model's speaker activity is kept only
    // where voice_activity found speech (widened like the speech-consistency stage), so no turn
    // and no speaker is stated where the VAD heard none (sung or bowed notes, for instance).
    const nd = vadSpeech ? maskToSpeech(raw, vadSpeech, VAD_PAD_SEC) : raw;
    const t = toTurns(nd);
    const summaries = summariseNeuralSpeakers(this.store, nd, t);
    const embeddingModel = CAMPLUS_MODEL_ID;
    const talking = new Set(t.turns.map((x) => x.speaker));
    const speakers = summaries
      .filter((s) => talking.has(s.id))
      .map((s) => {
        const c = nd.centroids[Number(s.id.slice('SPEAKER_'.length))];
        return c
          ? {
              ...s,
              embedding: {
                model: embeddingModel,
                vector: Array.from(c, (v) => Math.round(v * 1e4) / 1e4),
              },
            }
          : s;
      });
    const dominant = dominantSpeaker(speakers);
    return {
      status: 'ok',
      analyzer: { name: this.name, version: this.version },
      speakers_detected: speakers.length,
      dominant_speaker: dominant,
      speakers,
      turns: t.turns,
      overlaps: t.overlaps,
      estimated_by: nd.forcedByBounds ? 'bounds' : 'ahc_threshold',
      // no speech left to count voices in: no count was estimated, so no confidence in one
      count_confidence: speakers.length > 0 ? nd.countConfidence : null,
      count_needs_review: speakers.length > 0 && nd.countConfidence < COUNT_REVIEW_BELOW,
      bounds: { min_speakers: this.bounds.min, max_speakers: this.bounds.max },
      speech_source: vadSpeech ? 'segmentation_model_within_voice_activity' : 'segmentation_model',
      speech_sec: t.speechSec,
      ...excluded,
      engine: {
        id: 'neural',
        segmentation: 'onnx-pyannote-segmentation',
        embedding: 'onnx-campplus',
      },
      models: this.models,
      clustering: {
        method: 'ahc_average_cosine',
        threshold: nd.threshold,
        windows: nd.windows,
        embeddings: nd.embeddings,
      },
    };
  }
}

/** Padding around VAD speech (s) inside which model frames keep their speakers. */
const VAD_PAD_SEC = 0.4;

/** The diarization with every frame whose centre lies outside `speech` (± padSec) silenced. */
function maskToSpeech(
  nd: NeuralDiarization,
  speech: readonly TimeRegion[],
  padSec: number,
): NeuralDiarization {
  const activity = new Uint32Array(nd.activity.length);
  const sorted = [...speech].sort((a, b) => a.start - b.start);
  let r = 0;
  for (let g = 0; g < nd.nFrames; g++) {
    const t = nd.frameCenterSec + g * nd.frameStepSec;
    while (r < sorted.length && sorted[r]!.end + padSec < t) r++;
    const reg = sorted[r];
    if (reg && reg.start - padSec <= t) activity[g] = nd.activity[g]!;
  }
  return { ...nd, activity };
}

/** The speaker with the most talk time (CONTRACT.md `dominant_speaker`); null when nobody speaks. */
function dominantSpeaker(speakers: readonly SpeakerSummary[]): string | null {
  let dominant: string | null = null;
  let best = -1;
  for (const s of speakers)
    if (s.talk_time_sec > best) {
      best = s.talk_time_sec;
      dominant = s.id;
    }
  return dominant;
}

/** Stage factory (see src/pipeline/stages.ts). */
export function createDiarizationAnalyzers(ctx: AnalyzerContext): Analyzer[] {
  return [new DiarizationAnalyzer(ctx)];
}
