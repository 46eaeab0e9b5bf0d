/** Speaker diarization: analyzer (section `speaker_recognition`), embedding engines, DER. */
export {
  createDiarizationAnalyzers,
  DiarizationAnalyzer,
  DIARIZATION_ANALYZER_VERSION,
  resolveSpeakerBounds,
  type DiarizationAnalyzerOptions,
} from './diarization-analyzer.js';
export { diarize, type DiarizeOptions, type DiarizationResult } from './diarize.js';
export {
  StatisticsEmbeddingEngine,
  type EmbeddingEngine,
  type FeatureWindow,
} from './embedding-engine.js';
export { OnnxEmbeddingEngine, type OnnxEmbeddingOptions } from './onnx-embedding-engine.js';
export {
  computeDer,
  parseRttm,
  parseUem,
  type DerOptions,
  type DerResult,
  type SpeakerTurn,
  type TimeRegion,
} from './der.js';
export type { SpeakerRecognitionSection } from './types.js';
