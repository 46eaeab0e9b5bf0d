import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcousticEvidenceCollector,
  type AcousticEvidence,
} from '../../../src/analysis/heritage/acoustic-evidence.js';
import { createDefaultModel } from '../../../src/analysis/heritage/default-model.js';
import { classifyHeritage } from '../../../src/analysis/heritage/index.js';
import { DEFAULT_FRAMER, Framer } from '../../../src/analysis/frames.js';
import { trainHeritageModel } from '../../../src/analysis/heritage/train.js';
import { DESCRIPTOR_NAMES } from '../../../src/analysis/heritage/descriptors.js';
import { concat, noise, rng, silence, tone } from '../../helpers/fixtures.js';

function measure(signal: Float32Array): AcousticEvidence {
  const c = new AcousticEvidenceCollector();
  const f = new Framer(DEFAULT_FRAMER, (fr) => c.onFrame(fr));
  f.push(signal);
  f.flush();
  return c.finish();
}

/** Sections of a plausible music recording (strings, no speech), for out-of-taxonomy tests. */
const musicSections = {
  segmentation: { status: 'ok', segments: [{ label: 'music', start: 0, end: 10 }] },
  speaker_recognition: { status: 'ok', speakers_detected: 0 },
  music_analysis: { status: 'ok' },
  instrumentation: { status: 'ok', tags: [{ family: 'strings', score: 0.9 }] },
};

const cleanRoom: AcousticEvidence = {
  frames: 6000,
  bandwidth_hz: 7800,
  snr_db: 55,
  noise_flatness: 0.1,
  clicks_per_min: 0,
  decay_db_per_sec: -350,
  quiet_ratio: 0.2,
  spectral_change: 3,
  syllabic_modulation: 0.35,
  centroid_hz: 600,
  pure_tone_ratio: 0.08,
  active_ratio: 0.8,
};

const oldCarrier: AcousticEvidence = {
  frames: 6000,
  bandwidth_hz: 4200,
  snr_db: 25,
  noise_flatness: 0.6,
  clicks_per_min: 30,
  decay_db_per_sec: -60,
  quiet_ratio: 0.02,
  spectral_change: 1.5,
  syllabic_modulation: 0.35,
  centroid_hz: 600,
  pure_tone_ratio: 0.1,
  active_ratio: 0.98,
};

const ok = (o: object): object => ({ status: 'ok', ...o });
const segs = (label: string, sec: number): object =>
  ok({ segments: [{ label, start: 0, end: sec, confidence: 0.9 }] });

test('a clean single-reader speech recording is spoken word, with evidence', () => {
  const r = classifyHeritage(
    createDefaultModel(),
    {
      segmentation: segs('speech', 60),
      speaker_recognition: ok({ speakers_detected: 1 }),
      music_analysis: ok({}),
      instrumentation: ok({ tags: [] }),
    },
    cleanRoom,
  );
  assert.equal(r.predicted_category, 'spoken_word');
  assert.equal(Object.keys(r.scores).length, createDefaultModel().taxonomy.length);
  assert.deepEqual(r.unclassified_reasons, []);
  assert.ok(Math.abs(Object.values(r.scores).reduce((a, b) => a + b, 0) - 1) < 1e-3);
  assert.ok(r.evidence.length > 0 && r.evidence.every((e) => typeof e.contribution === 'number'));
});

test('the same speech on an old, noisy, reverberant carrier is historical speech', () => {
  const r = classifyHeritage(
    createDefaultModel(),
    {
      segmentation: segs('speech', 60),
      speaker_recognition: ok({ speakers_detected: 1 }),
      music_analysis: ok({}),
      instrumentation: ok({ tags: [] }),
    },
    oldCarrier,
  );
  assert.equal(r.predicted_category, 'historical_speech');
});

test('missing sections make the result uncertain and say why', () => {
  const r = classifyHeritage(createDefaultModel(), {}, cleanRoom);
  assert.equal(r.uncertain, true);
  assert.ok(r.uncertain_reasons.some((x) => /segmentation/.test(x)));
});

test('acoustic evidence: band-limited noise shows band limitation, full-band noise does not', () => {
  const white = noise(5, 16000, 0.3, 11);
  // band-limited: 120 random-phase partials between 100 Hz and 3 kHz, nothing above
  const r = rng(3);
  const partials = Array.from({ length: 120 }, () => ({
    f: 100 + 2900 * r(),
    ph: 2 * Math.PI * r(),
  }));
  const low = new Float32Array(white.length);
  for (let i = 0; i < low.length; i++) {
    let v = 0;
    for (const p of partials) v += Math.sin((2 * Math.PI * p.f * i) / 16000 + p.ph);
    low[i] = 0.02 * v;
  }
  const full = measure(white);
  const limited = measure(low);
  assert.ok(full.bandwidth_hz > 7000, `full ${full.bandwidth_hz}`);
  assert.ok(
    limited.bandwidth_hz > 2500 && limited.bandwidth_hz < 3600,
    `limited ${limited.bandwidth_hz}`,
  );
});

test('acoustic evidence: a slowly decaying tail reads as more reverberant than a fast one', () => {
  const bursts = (decayPerSec: number): Float32Array => {
    const r = rng(5);
    const x = new Float32Array(16000 * 6);
    for (let b = 0; b < 6; b++) {
      const start = b * 16000;
      for (let i = 0; i < 16000; i++) {
        const env = i < 1600 ? 1 : Math.pow(10, (-decayPerSec * ((i - 1600) / 16000)) / 20);
        x[start + i] = 0.5 * env * (2 * r() - 1);
      }
    }
    return x;
  };
  const slow = measure(bursts(60)).decay_db_per_sec ?? 0;
  const fast = measure(bursts(400)).decay_db_per_sec ?? 0;
  assert.ok(slow > fast, `slow ${slow} fast ${fast}`);
  assert.ok(slow > -120 && slow < -30, `slow ${slow}`);
});

test('silence and a test tone are unclassified, with the rule that decided it', () => {
  const quiet = classifyHeritage(createDefaultModel(), musicSections, measure(silence(5, 16000)));
  assert.equal(quiet.predicted_category, 'unclassified');
  assert.match(quiet.unclassified_reasons[0]!, /silence/);
  const beep = classifyHeritage(
    createDefaultModel(),
    musicSections,
    measure(tone(1000, 8, 16000, 0.3)),
  );
  assert.equal(beep.predicted_category, 'unclassified');
  assert.ok(beep.unclassified_reasons.some((r) => /pure tone/.test(r)));
  // the scores of every taxonomy category are still there (CONTRACT)
  assert.equal(Object.keys(beep.scores).length, createDefaultModel().taxonomy.length);
  // a rule-decided result states the rules' smoothed precision on the model's training files
  const rules = createDefaultModel().out_of_taxonomy!;
  assert.equal(beep.confidence, Math.round(rules.confidence * 10000) / 10000);
  assert.equal(quiet.confidence, beep.confidence);
  // a model without that record (older artifacts) falls back to what the model leaves outside
  const { out_of_taxonomy: _r, ...older } = createDefaultModel();
  const old = classifyHeritage(older, musicSections, measure(tone(1000, 8, 16000, 0.3)));
  const top = Math.max(
    ...Object.entries(old.scores)
      .filter(([c]) => c !== 'unclassified')
      .map(([, p]) => p),
  );
  assert.ok(Math.abs(old.confidence - Math.max(old.scores['unclassified']!, 1 - top)) < 1e-3);
});

test('acoustic content shape: speech-like bursts change faster than a held harmonic note', () => {
  // 4 Hz bursts of noise with a different spectral tilt each (syllables) vs one sustained chord
  const r = rng(9);
  const parts: Float32Array[] = [];
  for (let i = 0; i < 24; i++) {
    const burst = noise(0.15, 16000, 0.3, 100 + i);
    const k = 0.2 + 0.75 * r();
    for (let j = 1; j < burst.length; j++) burst[j] = burst[j]! * (1 - k) + k * burst[j - 1]!;
    parts.push(burst, silence(0.1, 16000));
  }
  const syllables = measure(concat(...parts));
  const held = tone(220, 6, 16000, 0.2);
  const h2 = tone(440, 6, 16000, 0.1);
  for (let i = 0; i < held.length; i++) held[i] = held[i]! + h2[i]!;
  const note = measure(held);
  assert.ok(
    syllables.spectral_change! > 2 * note.spectral_change!,
    `syllables ${syllables.spectral_change} note ${note.spectral_change}`,
  );
  assert.ok(syllables.syllabic_modulation! > 0.4, `modulation ${syllables.syllabic_modulation}`);
  assert.ok(note.pure_tone_ratio < 0.9 || note.centroid_hz! < 400);
  assert.ok(Math.abs(measure(tone(1000, 3, 16000)).centroid_hz! - 1000) <= 50);
});

test('a weak model says so in its artifact and in every report made with it', () => {
  // two overlapping categories from random features: cross-validation cannot separate them
  const r = rng(4);
  const samples = Array.from({ length: 24 }, (_, i) => ({
    x: DESCRIPTOR_NAMES.map(() => r()),
    label: i % 2 === 0 ? 'work_song' : 'lullaby',
    source: `s${i % 6}`,
  }));
  const weak = trainHeritageModel(samples, { iterations: 200 });
  assert.equal(weak.training!.weak, true);
  assert.ok(weak.training!.warnings!.some((w) => /accuracy|recall|F1/.test(w)));
  const rep = classifyHeritage(weak, musicSections, cleanRoom);
  assert.equal(rep.model.weak, true);
  assert.deepEqual(rep.model.warnings, weak.training!.warnings);
  assert.equal(rep.uncertain, true);
  assert.ok(rep.uncertain_reasons.some((x) => /own cross-validation: .*accuracy/.test(x)));
});
