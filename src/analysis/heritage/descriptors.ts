/**
 * The interpretable descriptors heritage classification decides on. Every descriptor is a number
 * scaled to roughly 0..1, with a name, a unit-bearing raw value and the section it came from, so
 * the report can show *why* a category was chosen.
 *
 * Sections are read defensively: a section that did not run leaves its descriptors at a neutral
 * value and is listed in `missing`, which makes the result `uncertain`.
 */
import type { AcousticEvidence } from './acoustic-evidence.js';
import type { PitchEvidence } from './pitch-evidence.js';

export const DESCRIPTOR_NAMES = [
  'speech_ratio',
  'music_ratio',
  'singing_ratio',
  'speakers',
  'vibrato',
  'voice_pitch_range',
  'reverberation',
  'band_limitation',
  'noise',
  'clicks',
  'percussion',
  'polyphony',
  'rhythm_regularity',
  'strings',
  'keyboard',
  'winds',
  'plucked',
  'voice',
  'spectral_change',
  'syllabic_modulation',
  'brightness',
  'pure_tone',
  'pitch_run',
  'pitch_steady',
  'pitch_vibrato',
] as const;

export type DescriptorName = (typeof DESCRIPTOR_NAMES)[number];

export interface Descriptor {
  readonly name: DescriptorName;
  /** Scaled value, about 0..1, that the models use. */
  readonly value: number;
  /** The measured quantity before scaling, with its unit. */
  readonly raw: number | null;
  readonly unit: string;
  /** Report section (or `acoustic`) it came from. */
  readonly source: string;
}

export interface DescriptorSet {
  readonly descriptors: readonly Descriptor[];
  /** Sections whose absence left descriptors at neutral values. */
  readonly missing: readonly string[];
}

type Obj = Readonly<Record<string, unknown>>;

function asObj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Section object when its status is ok. */
function okSection(sections: Obj, name: string): Obj | undefined {
  const s = asObj(sections[name]);
  return s && s['status'] === 'ok' ? s : undefined;
}

const clamp01 = (x: number): number => Math.max(0, Math.min(1, x));

/** Seconds per segmentation label from `segments: [{label, start, end}]`. */
function labelSeconds(seg: Obj): Map<string, number> {
  const out = new Map<string, number>();
  const list = Array.isArray(seg['segments']) ? (seg['segments'] as unknown[]) : [];
  for (const item of list) {
    const s = asObj(item);
    const label = typeof s?.['label'] === 'string' ? s['label'] : undefined;
    const start = num(s?.['start']);
    const end = num(s?.['end']);
    if (label && start !== undefined && end !== undefined && end > start) {
      out.set(label, (out.get(label) ?? 0) + (end - start));
    }
  }
  return out;
}

/** Instrument-family score from `instrumentation.tags: [{family, score}]`. */
function familyScore(inst: Obj | undefined, family: string): number | undefined {
  const tags = inst && Array.isArray(inst['tags']) ? (inst['tags'] as unknown[]) : undefined;
  if (!tags) return undefined;
  for (const t of tags) {
    const o = asObj(t);
    if (o?.['family'] === family) return num(o['score']);
  }
  return 0;
}

/**
 * Builds the descriptor set from finished report sections and the acoustic evidence.
 * @param sections - `ctx.sections` (segmentation, voice_activity, speaker_recognition,
 *   music_analysis, instrumentation, quality_control).
 */
export function buildDescriptors(
  sections: Obj,
  acoustic: AcousticEvidence,
  pitch?: PitchEvidence,
): DescriptorSet {
  const missing: string[] = [];
  const out: Descriptor[] = [];
  const add = (
    name: DescriptorName,
    value: number,
    raw: number | null,
    unit: string,
    source: string,
  ): void => {
    out.push({ name, value: clamp01(value), raw, unit, source });
  };

  const seg = okSection(sections, 'segmentation');
  const vad = okSection(sections, 'voice_activity');
  if (seg) {
    const secs = labelSeconds(seg);
    const get = (l: string): number => secs.get(l) ?? 0;
    const active =
      get('speech') + get('music') + get('speech_over_music') + get('singing') + get('noise');
    const denom = active > 0 ? active : 1;
    // speech over music is both: a speech with background music (or crowd) is still speech
    const speech = get('speech') + get('speech_over_music');
    const music = get('music') + get('singing') + get('speech_over_music');
    add('speech_ratio', speech / denom, speech / denom, 'fraction of active audio', 'segmentation');
    add('music_ratio', music / denom, music / denom, 'fraction of active audio', 'segmentation');
    add(
      'singing_ratio',
      get('singing') / denom,
      get('singing') / denom,
      'fraction of active audio',
      'segmentation',
    );
  } else {
    missing.push('segmentation');
    const vr = num(vad?.['speech_ratio']);
    add(
      'speech_ratio',
      vr ?? 0.5,
      vr ?? null,
      'fraction (voice activity)',
      vr !== undefined ? 'voice_activity' : 'none',
    );
    add(
      'music_ratio',
      vr !== undefined ? 1 - vr : 0.5,
      null,
      'fraction (complement of speech)',
      'voice_activity',
    );
    add('singing_ratio', 0, null, 'fraction', 'none');
  }

  const spk = okSection(sections, 'speaker_recognition');
  const nSpk = num(spk?.['speakers_detected']);
  if (nSpk === undefined) missing.push('speaker_recognition');
  // 0 speakers → 0, 1 → 0.25, 2 → 0.5, 4+ → 1
  add(
    'speakers',
    nSpk === undefined ? 0.25 : Math.min(1, nSpk / 4),
    nSpk ?? null,
    'speakers',
    'speaker_recognition',
  );

  const music = okSection(sections, 'music_analysis');
  if (!music) missing.push('music_analysis');
  const voice = asObj(music?.['voice']);
  const vibratoCents = num(voice?.['vibrato_extent_cents']);
  add(
    'vibrato',
    (vibratoCents ?? 0) / 100,
    vibratoCents ?? null,
    'cents (vibrato extent)',
    'music_analysis',
  );
  const range = Array.isArray(voice?.['pitch_range_hz'])
    ? (voice['pitch_range_hz'] as unknown[])
    : undefined;
  const lo = num(range?.[0]);
  const hi = num(range?.[1]);
  const semitones = lo && hi && hi > lo ? 12 * Math.log2(hi / lo) : null;
  add('voice_pitch_range', (semitones ?? 0) / 24, semitones, 'semitones', 'music_analysis');
  // No steady beat where there is no music: an absent or `not_applicable` tempo, or a section
  // that found no music, is confidence 0 (the same value before and after tempo became
  // not_applicable outside music). Only a section that did not run stays neutral.
  const tempo = asObj(music?.['tempo']);
  const noMusic = music?.['music_detected'] === false || tempo?.['status'] === 'not_applicable';
  const tempoConf = noMusic ? 0 : (num(tempo?.['confidence']) ?? 0);
  add(
    'rhythm_regularity',
    music ? tempoConf : 0.5,
    music ? tempoConf : null,
    'tempo confidence',
    'music_analysis',
  );
  const poly = num(music?.['polyphony_estimate']);
  add(
    'polyphony',
    poly !== undefined ? Math.min(1, poly / 4) : 0.25,
    poly ?? null,
    'simultaneous pitches',
    'music_analysis',
  );

  const inst = okSection(sections, 'instrumentation');
  if (!inst) missing.push('instrumentation');
  const perc = familyScore(inst, 'percussion') ?? num(music?.['percussiveness']);
  add(
    'percussion',
    perc ?? 0.2,
    perc ?? null,
    'score',
    inst ? 'instrumentation' : 'music_analysis',
  );
  for (const [name, fams] of [
    ['strings', ['strings']],
    ['keyboard', ['keyboard']],
    ['winds', ['brass', 'woodwind']],
    ['plucked', ['plucked']],
    ['voice', ['voice']],
  ] as const) {
    const scores = fams
      .map((f) => familyScore(inst, f))
      .filter((x): x is number => x !== undefined);
    const v = scores.length > 0 ? Math.max(...scores) : undefined;
    add(name, v ?? 0.2, v ?? null, 'score', 'instrumentation');
  }

  // acoustic evidence (always available)
  const decay = acoustic.decay_db_per_sec;
  // −400 dB/s (dry) → 0, −40 dB/s (RT60 ≈ 1.5 s) → 1
  add(
    'reverberation',
    decay === null ? 0.3 : (Math.log10(400) - Math.log10(Math.max(40, -decay))) / Math.log10(10),
    decay,
    'dB/s energy decay',
    'acoustic',
  );
  // Prefer QC's native-rate effective bandwidth relative to what the file could hold
  // (min(Nyquist, 20 kHz) → 0, a fifth of it → 1, log scale): a 16 kHz file that fills its band
  // says nothing about its carrier, a 96 kHz transfer with nothing above 5 kHz does. Without QC,
  // the 16 kHz stream's own bandwidth (8 kHz, its full band → 0, 3 kHz → 1).
  const qcBand = asObj(okSection(sections, 'quality_control')?.['bandwidth']);
  const qcBandwidth = num(qcBand?.['effective_bandwidth_hz']);
  const nyquist = num(qcBand?.['nyquist_hz']);
  if (qcBandwidth !== undefined && qcBandwidth > 0 && nyquist !== undefined && nyquist > 0) {
    const ceiling = Math.min(nyquist, 20000);
    add(
      'band_limitation',
      Math.log(ceiling / Math.min(ceiling, qcBandwidth)) / Math.log(5),
      qcBandwidth,
      'Hz (effective bandwidth)',
      'quality_control',
    );
  } else {
    add(
      'band_limitation',
      (8000 - acoustic.bandwidth_hz) / 5000,
      acoustic.bandwidth_hz,
      'Hz (within 60 dB of the peak)',
      'acoustic',
    );
  }
  // 45 dB spread → 0 (clean), 15 dB → 1 (noisy); flat hiss adds to it. Continuous speech
  // without pauses spreads about 30 dB, which this scale calls only moderately noisy.
  add(
    'noise',
    (45 - acoustic.snr_db) / 30 + 0.3 * acoustic.noise_flatness,
    acoustic.snr_db,
    'dB level spread',
    'acoustic',
  );
  add(
    'clicks',
    acoustic.clicks_per_min / 60,
    acoustic.clicks_per_min,
    'clicks per minute',
    'acoustic',
  );

  // content shape from the classifier's own frames (independent of segmentation)
  add(
    'spectral_change',
    (acoustic.spectral_change ?? 1.5) / 3.5,
    acoustic.spectral_change,
    'mean |Δ log mel| over 100 ms',
    'acoustic',
  );
  add(
    'syllabic_modulation',
    acoustic.syllabic_modulation ?? 0.3,
    acoustic.syllabic_modulation,
    'share of 1–12 Hz envelope modulation at 3–6 Hz',
    'acoustic',
  );
  // 100 Hz → 0, 6.4 kHz → 1 on a log scale
  add(
    'brightness',
    acoustic.centroid_hz === null ? 0.4 : Math.log2(Math.max(100, acoustic.centroid_hz) / 100) / 6,
    acoustic.centroid_hz,
    'Hz (median spectral centroid)',
    'acoustic',
  );
  add(
    'pure_tone',
    acoustic.pure_tone_ratio,
    acoustic.pure_tone_ratio,
    'fraction of active frames',
    'acoustic',
  );

  addPitchDescriptors(add, pitch, missing);

  const order = new Map(DESCRIPTOR_NAMES.map((n, i) => [n, i]));
  out.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  return { descriptors: out, missing };
}

type AddFn = (
  name: DescriptorName,
  value: number,
  raw: number | null,
  unit: string,
  source: string,
) => void;

/** The learned pitch front-end's contour statistics (CREPE tiny, `pitch-evidence.ts`). */
function addPitchDescriptors(
  add: AddFn,
  pitch: PitchEvidence | undefined,
  missing: string[],
): void {
  const src = 'pitch (crepe-tiny)';
  if (!pitch || pitch.engine === null) missing.push('pitch');
  const p = pitch?.engine === null ? undefined : pitch;
  // a voiced frame's run: syllables 0.1–0.25 s, held notes fill the 0.7 s burst
  add(
    'pitch_run',
    (p?.voiced_run_sec ?? 0) / 0.64,
    p?.voiced_run_sec ?? null,
    's (mean voiced run)',
    src,
  );
  add(
    'pitch_steady',
    p?.steady_ratio ?? 0,
    p?.steady_ratio ?? null,
    'fraction of 20 ms steps within 20 cents',
    src,
  );
  add(
    'pitch_vibrato',
    p?.vibrato_ratio ?? 0,
    p?.vibrato_ratio ?? null,
    'fraction of voiced runs with a 4–8 Hz vibrato',
    src,
  );
}
