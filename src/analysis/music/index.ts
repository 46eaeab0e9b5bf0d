/** Stage factory of the music descriptors (section `music_analysis`). */
import type { AnalyzerFactory } from '../analyzer.js';
import { MusicAnalyzer } from './music-analyzer.js';

export {
  MusicAnalyzer,
  CHROMA_FRAMER,
  MUSIC_ANALYZER_NAME,
  MUSIC_ANALYZER_VERSION,
} from './music-analyzer.js';
export { applicable, DSP_CHROMA_ENGINE } from './music-analyzer.js';
export type {
  MusicAnalysisSection,
  KeyEstimate,
  NotApplicable,
  TempoSection,
  TempoAlternative,
  TempoDefinition,
  MusicAnalyzerOptions,
} from './music-analyzer.js';
export {
  selectMusicRegions,
  selectPerformanceSpans,
  MAX_PERFORMANCE_GAP_SEC,
  MUSIC_LABELS,
  type TimeRegion,
  type RegionSelection,
} from './regions.js';

export const createMusicAnalyzers: AnalyzerFactory = () => [new MusicAnalyzer()];
