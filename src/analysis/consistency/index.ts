/** Consistency between sections that state the same fact (speech regions: voice_activity). */
import type { AnalyzerFactory } from '../analyzer.js';
import { createSpeechConsistencyAnalyzer } from './speech-consistency.js';
export {
  createSpeechConsistencyAnalyzer,
  reconcileSegmentation,
  speakingRegions,
  vadSpeechOf,
  SPEECH_CONSISTENCY_VERSION,
  SPEECH_TOLERANCE_SEC,
  type Relabelling,
  type SpeechConsistency,
} from './speech-consistency.js';

/** Stage factory (`speech-consistency`): runs after segmentation, before speakers and music. */
export const createSpeechConsistencyStage: AnalyzerFactory = () => [
  createSpeechConsistencyAnalyzer(),
];
