/** Segmentation into speech / music / speech_over_music / noise / silence / singing. */
import type { AnalyzerFactory } from '../analyzer.js';
import { createSegmentationAnalyzer as makeSegmentation } from './segmentation-analyzer.js';
export {
  createSegmentationAnalyzer,
  createSegmentationFeatureCollector,
  posteriorsToSegments,
  SEGMENTATION_ANALYZER_VERSION,
  SEGMENTATION_FEATURES,
  type LabelledSegment,
  type SegmentationOptions,
  type SegmentationSection,
  type SegmentationFeaturesSection,
} from './segmentation-analyzer.js';
export {
  CompiledSegmenter,
  defaultSegmenterModelPath,
  loadSegmenterModel,
  validateSegmenterModel,
  SEGMENT_LABELS,
  SEGMENTER_FORMAT,
  SEGMENTER_FORMAT_VERSION,
  type SegmentLabel,
  type SegmenterModel,
} from './model.js';
export { computeWindowFeatures, FEATURE_NAMES, N_FEATURES } from './features.js';
export { BLOCK_SEC, SegmentationDescriptors } from './descriptors.js';
export { trainSegmenter, type TrainOptions } from './train.js';
export { viterbiPath, pathToRuns, mergeShortRuns } from './smoothing.js';

/** Stage factory (`segmentation`): options from `analyzerOptions['segmentation']`. */
export const createSegmentationStage: AnalyzerFactory = (ctx) => [makeSegmentation(ctx)];
