/** Stage factory of the audio fingerprint (section `audio_fingerprint`) and the matcher. */
import type { AnalyzerFactory } from '../analyzer.js';
import { FingerprintAnalyzer } from './fingerprint-analyzer.js';

export {
  FingerprintAnalyzer,
  FINGERPRINT_ANALYZER_NAME,
  FINGERPRINT_ANALYZER_VERSION,
  FINGERPRINT_METHOD,
} from './fingerprint-analyzer.js';
export type { FingerprintSection } from './fingerprint-analyzer.js';
export {
  FINGERPRINT_ENCODING,
  TripletWriter,
  decodePoints,
  encodeTriplets,
  pointsOf,
} from './encoding.js';
export type { FingerprintPoints } from './encoding.js';
export { matchFingerprint, MemoryFingerprintIndex } from './match.js';
export type { Alignment, FingerprintIndex, MatchOptions, Posting } from './match.js';
export {
  DUPLICATES_SCHEMA_VERSION,
  NEAR_DUPLICATE_COVERAGE,
  exactPair,
  findDuplicatePairs,
  findDuplicatesOf,
  invertAlignment,
  pairOf,
} from './duplicates.js';
export type { DuplicateKind, DuplicatePair, FingerprintedRecording } from './duplicates.js';

export const createFingerprintAnalyzers: AnalyzerFactory = () => [new FingerprintAnalyzer()];
