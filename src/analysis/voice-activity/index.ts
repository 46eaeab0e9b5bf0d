/** Voice activity: engine contract, Silero v5 engine, the shared probabilities→segments function, analyzer. */
import type { AnalyzerFactory } from '../analyzer.js';
import { createVoiceActivityAnalyzer as makeVad } from './voice-activity-analyzer.js';
export type { VadEngine } from './vad-engine.js';
export {
  createSileroVadEngine,
  resolveSileroModelPath,
  DEFAULT_SILERO_MODEL,
  DEFAULT_SILENCE_GATE_DBFS,
  type SileroEngineOptions,
} from './silero-engine.js';
export {
  probabilitiesToSegments,
  resolveSegmentOptions,
  type SpeechSegment,
  type SegmentOptions,
  type ResolvedSegmentOptions,
} from './probabilities-to-segments.js';
export {
  createVoiceActivityAnalyzer,
  getVadTrack,
  validateVoiceActivityOptions,
  VAD_TRACK,
  VOICE_ACTIVITY_ANALYZER_VERSION,
  type VadTrack,
  type VoiceActivitySection,
  type VoiceActivityOptions,
} from './voice-activity-analyzer.js';

/** Stage factory (`voice-activity`): one analyzer, options from `analyzerOptions['voice-activity']`. */
export const createVoiceActivityStage: AnalyzerFactory = (ctx) => [makeVad(ctx)];
