/**
 * The default heritage model: hand-set weights over interpretable descriptors (0..1 each), because
 * no freely licensed labelled heritage corpus is large enough to train on (see
 * docs/HERITAGE.md). Each weight below states the archival reasoning behind it; an archive that has
 * labelled files should train its own model with `sonoteca train`.
 *
 * Reading a row: a positive weight means "more of this descriptor makes the category likelier".
 */
import { DESCRIPTOR_NAMES, type DescriptorName } from './descriptors.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type HeritageModel } from './model.js';

export const DEFAULT_TAXONOMY = [
  'folk_music',
  'classical_music',
  'opera',
  'spoken_word',
  'historical_speech',
  'religious_chant',
] as const;

type Row = Partial<Record<DescriptorName, number>>;

/**
 * Weights per category. Reasoning:
 * - spoken_word (readings, poetry): mostly speech, one reader, clean modern carrier (full band,
 *   low noise, no clicks), a dry booth (little reverberation), no music.
 * - historical_speech (addresses, oratory, broadcasts): mostly speech, but the carrier shows its
 *   age (band-limited, noisy, crackle) and the space is large (halls, open air, PA reverberation).
 * - opera: sung voice with wide, operatic vibrato (> 50 cents) and a wide pitch range, usually
 *   with orchestra (strings, winds); little speech, little percussion.
 * - religious_chant: sung voice without operatic vibrato, narrow melodic range, reverberant sacred
 *   spaces, little percussion and no steady beat, often monophonic or drone.
 * - classical_music: instrumental art music: strings, keyboard, winds, polyphony; no singing, no
 *   drum kit, no speech.
 * - folk_music: song and dance: voice with plucked instruments or fiddle, a steady beat, some
 *   percussion; neither speech nor operatic vibrato.
 */
const WEIGHTS: Record<(typeof DEFAULT_TAXONOMY)[number], Row> = {
  spoken_word: {
    speech_ratio: 5,
    music_ratio: -3,
    singing_ratio: -3,
    band_limitation: -2.5,
    noise: -1.5,
    clicks: -1.5,
    reverberation: -1.5,
    speakers: -1,
  },
  historical_speech: {
    speech_ratio: 5,
    music_ratio: -3,
    singing_ratio: -3,
    band_limitation: 2.5,
    noise: 1.5,
    clicks: 1.5,
    reverberation: 1.5,
  },
  opera: {
    singing_ratio: 2,
    voice: 1,
    vibrato: 4,
    voice_pitch_range: 1.5,
    strings: 0.5,
    winds: 0.5,
    speech_ratio: -3,
    percussion: -1.5,
  },
  religious_chant: {
    singing_ratio: 2,
    voice: 2,
    reverberation: 2,
    vibrato: -2,
    voice_pitch_range: -1,
    percussion: -2,
    rhythm_regularity: -1.5,
    speech_ratio: -2,
  },
  classical_music: {
    music_ratio: 3,
    strings: 2,
    keyboard: 1.5,
    winds: 1,
    polyphony: 1,
    singing_ratio: -2,
    voice: -1,
    percussion: -2,
    speech_ratio: -4,
  },
  folk_music: {
    music_ratio: 2.5,
    plucked: 2,
    voice: 1,
    singing_ratio: 1,
    percussion: 1,
    rhythm_regularity: 2.5,
    vibrato: -1,
    speech_ratio: -4,
  },
};

/** Per-category offsets so that a neutral descriptor set does not favour any category. */
const BIAS: Record<(typeof DEFAULT_TAXONOMY)[number], number> = {
  spoken_word: -1,
  historical_speech: -3.5,
  opera: -1,
  religious_chant: -1.5,
  classical_music: -0.5,
  folk_music: -1,
};

/**
 * Softmax temperature, fitted by `npm run eval` (leave-one-source-out over the corpus' labelled
 * files; see docs/EVALUATION.md) and rounded.
 */
export const DEFAULT_TEMPERATURE = 1;

/** Below this top probability the default model flags `uncertain`. */
export const DEFAULT_UNCERTAIN_BELOW = 0.5;

export function createDefaultModel(temperature = DEFAULT_TEMPERATURE): HeritageModel {
  return {
    format: MODEL_FORMAT,
    format_version: MODEL_FORMAT_VERSION,
    name: 'sonoteca-default-heritage',
    created_at: '2026-11-21T00:00:00Z',
    taxonomy: [...DEFAULT_TAXONOMY],
    features: [...DESCRIPTOR_NAMES],
    standardize: null,
    weights: DEFAULT_TAXONOMY.map((c) => DESCRIPTOR_NAMES.map((f) => WEIGHTS[c][f] ?? 0)),
    bias: DEFAULT_TAXONOMY.map((c) => BIAS[c]),
    temperature,
    uncertain_below: DEFAULT_UNCERTAIN_BELOW,
    training: null,
  };
}
