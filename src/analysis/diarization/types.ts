/** The `speaker_recognition` report section (docs/schema/sections/speaker_recognition.schema.json). */
import type { SectionBase } from '../analyzer.js';
import type { DiarizedOverlap, DiarizedTurn, SpeakerSummary } from './diarize.js';

export interface SpeakerRecognitionSection extends SectionBase {
  /** Number of speakers found (CONTRACT.md name). */
  readonly speakers_detected?: number;
  /** Speaker with the most talk time (CONTRACT.md name); null when nobody speaks. */
  readonly dominant_speaker?: string | null;
  readonly speakers?: readonly SpeakerSummary[];
  /** Who speaks when: speech-only runs of one speaker, time-ordered (seconds). */
  readonly turns?: readonly DiarizedTurn[];
  /** Regions where two speakers are likely talking at once. */
  readonly overlaps?: readonly DiarizedOverlap[];
  /** How the number of speakers was decided: BIC stopping rule, eigengap, or the given bounds. */
  readonly estimated_by?: 'bic' | 'eigengap' | 'bounds';
  readonly bounds?: { readonly min_speakers: number; readonly max_speakers: number };
  /** Where the speech regions came from. */
  readonly speech_source?: 'voice_activity' | 'energy';
  readonly speech_sec?: number;
  readonly embedding_engine?: string;
  readonly segments_detected?: number;
  readonly clusters_before_resegmentation?: number;
}
