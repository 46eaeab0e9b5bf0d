/** The `speaker_recognition` report section (docs/schema/sections/speaker_recognition.schema.json). */
import type { ModelProvenance } from '../../models/registry.js';
import type { SectionBase } from '../analyzer.js';
import type { DiarizedOverlap, DiarizedTurn, SpeakerSummary } from './diarize.js';

export interface SpeakerRecognitionSection extends SectionBase {
  /** Number of speakers found (CONTRACT.md name). */
  readonly speakers_detected?: number;
  /** Speaker with the most talk time (CONTRACT.md name); null when nobody speaks. */
  readonly dominant_speaker?: string | null;
  readonly speakers?: readonly (SpeakerSummary & { readonly embedding?: SpeakerEmbedding })[];
  /** Who speaks when: speech-only runs of one speaker, time-ordered (seconds). */
  readonly turns?: readonly DiarizedTurn[];
  /** Regions where two speakers are likely talking at once. */
  readonly overlaps?: readonly DiarizedOverlap[];
  /** How the number of speakers was decided: BIC stopping rule, eigengap, or the given bounds. */
  readonly estimated_by?: 'bic' | 'eigengap' | 'bounds' | 'ahc_threshold';
  /** 0–1: how far the count decision lies from the clustering threshold (neural engine; null otherwise). */
  readonly count_confidence?: number | null;
  /** The count is close to a decision boundary: a person should check it. */
  readonly count_needs_review?: boolean;
  /** Which engine ran: `neural` (segmentation + embedding models) or `model-free` (fallback). */
  readonly engine?: {
    readonly id: 'neural' | 'model-free';
    readonly segmentation?: string;
    readonly embedding?: string;
  };
  /** Models behind the section (id, version, sha256); empty for the model-free engine. */
  readonly models?: readonly ModelProvenance[];
  readonly clustering?: {
    readonly method: 'ahc_average_cosine';
    readonly threshold: number;
    readonly windows: number;
    readonly embeddings: number;
  };
  readonly bounds?: { readonly min_speakers: number; readonly max_speakers: number };
  /** Where the speech regions came from. */
  readonly speech_source?:
    'voice_activity' | 'energy' | 'segmentation_model' | 'segmentation_model_within_voice_activity';
  readonly speech_sec?: number;
  /**
   * Set when the segmentation refined the VAD speech (report 1.4.0): speakers are counted only
   * where both call it speech; `speech_excluded_sec` is the VAD speech left out because the
   * segmentation labels it singing, music, noise or silence.
   */
  readonly speech_refined_by?: 'segmentation';
  readonly speech_excluded_sec?: number;
  readonly embedding_engine?: string;
  readonly segments_detected?: number;
  readonly clusters_before_resegmentation?: number;
}

/** A speaker's centroid embedding (for voiceprint matching across recordings). */
export interface SpeakerEmbedding {
  /** Registry id of the embedding model; vectors of different models are not comparable. */
  readonly model: string;
  /** L2-normalised, 4 decimals. */
  readonly vector: readonly number[];
}
