/** What an analysis covers; the stage registry (`src/pipeline/stages.ts`) maps each to its stages. */
export type ProcessingType = 'comprehensive' | 'technical' | 'speech' | 'music';

export const PROCESSING_TYPES: readonly ProcessingType[] = [
  'comprehensive',
  'technical',
  'speech',
  'music',
];
