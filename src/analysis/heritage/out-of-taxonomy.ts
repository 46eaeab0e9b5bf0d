/**
 * The explicit `unclassified` outcome: audio that no heritage category describes (silence, test
 * tones, hum, birdsong, electronic or percussion-only stems). A linear model trained on a thin
 * corpus cannot learn "none of these" from a handful of nature clips, so these rules run before
 * it, each on interpretable evidence and each stated in the report. A model whose taxonomy holds
 * an `unclassified` class (the default one does) may also predict it on its own.
 */
import type { AcousticEvidence } from './acoustic-evidence.js';
import { DESCRIPTOR_NAMES, type Descriptor } from './descriptors.js';

export const UNCLASSIFIED = 'unclassified';

/** Rule thresholds (docs/HERITAGE.md). */
export const OUT_OF_TAXONOMY_THRESHOLDS = {
  /** Below this share of frames above −50 dBFS (with no speech or singing): mostly silence. */
  minActiveRatio: 0.2,
  /** At or above this share of active frames that are one pure tone: test tone, sweep or hum. */
  maxPureToneRatio: 0.9,
  /** Above this median spectral centroid (Hz): brighter than any voice or instrument. */
  maxCentroidHz: 3000,
  /** Voice/instrument evidence below these: neither voice nor acoustic instrument. */
  minVoiceRatio: 0.1,
  minFamilyScore: 0.3,
} as const;

/** Reasons the audio lies outside the taxonomy (empty: inside, let the model decide). */
export function outOfTaxonomyReasons(
  descriptors: readonly Descriptor[],
  acoustic: AcousticEvidence,
): string[] {
  const th = OUT_OF_TAXONOMY_THRESHOLDS;
  const d = new Map(descriptors.map((x) => [x.name as string, x.value]));
  const v = (n: string): number => d.get(n) ?? 0;
  const voiced = Math.max(v('speech_ratio'), v('singing_ratio'));
  const reasons: string[] = [];
  const pct = (x: number): string => `${(100 * x).toFixed(0)} %`;
  if (acoustic.frames === 0 || acoustic.active_ratio === 0)
    reasons.push('silence: no audio above −50 dBFS');
  else if (acoustic.active_ratio < th.minActiveRatio && voiced < th.minVoiceRatio)
    reasons.push(
      `mostly silence: only ${pct(acoustic.active_ratio)} of the audio is above −50 dBFS, with no speech or singing`,
    );
  if (acoustic.active_ratio > 0 && acoustic.pure_tone_ratio >= th.maxPureToneRatio)
    reasons.push(
      `${pct(acoustic.pure_tone_ratio)} of the active audio is a single pure tone (test tone, sweep or hum)`,
    );
  if (acoustic.centroid_hz !== null && acoustic.centroid_hz > th.maxCentroidHz)
    reasons.push(
      `median spectral centroid ${Math.round(acoustic.centroid_hz)} Hz, brighter than voices and instruments (birdsong, insects, hiss)`,
    );
  const family = Math.max(v('strings'), v('keyboard'), v('winds'), v('plucked'));
  if (
    reasons.length === 0 &&
    voiced < th.minVoiceRatio &&
    v('voice') < th.minFamilyScore &&
    family < th.minFamilyScore
  )
    reasons.push(
      'no speech, no singing, no voice and no acoustic instrument family (electronic or percussion-only material)',
    );
  return reasons;
}

/**
 * The same rules on a stored descriptor vector (DESCRIPTOR_NAMES order, as `sonoteca train`
 * reads it from a report) and the report's acoustic evidence.
 */
export function outOfTaxonomyReasonsOfVector(
  x: readonly number[],
  acoustic: AcousticEvidence,
): string[] {
  const descriptors = DESCRIPTOR_NAMES.map((name, i) => ({
    name,
    value: x[i] ?? 0,
    raw: null,
    unit: '',
    source: '',
  }));
  return outOfTaxonomyReasons(descriptors, acoustic);
}
