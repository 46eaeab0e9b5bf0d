/** Stage factory of the instrument-family tagger (section `instrumentation`). */
import type { AnalyzerFactory } from '../analyzer.js';
import { InstrumentationAnalyzer } from './instrumentation-analyzer.js';

export {
  InstrumentationAnalyzer,
  INSTRUMENTATION_ANALYZER_NAME,
  INSTRUMENTATION_ANALYZER_VERSION,
} from './instrumentation-analyzer.js';
export type {
  InstrumentationSection,
  FamilyTag,
  InstrumentationOptions,
} from './instrumentation-analyzer.js';
export {
  INSTRUMENT_FAMILIES,
  heldOutPrecision,
  loadInstrumentationModel,
  predictFamilies,
  defaultInstrumentationModelPath,
} from './model.js';
export type { InstrumentationModel, InstrumentFamily } from './model.js';

export const createInstrumentationAnalyzers: AnalyzerFactory = () => [
  new InstrumentationAnalyzer(),
];
