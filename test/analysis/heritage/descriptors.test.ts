import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AcousticEvidence } from '../../../src/analysis/heritage/acoustic-evidence.js';
import { buildDescriptors } from '../../../src/analysis/heritage/descriptors.js';
import type { PitchEvidence } from '../../../src/analysis/heritage/pitch-evidence.js';

const acoustic: AcousticEvidence = {
  frames: 6000,
  bandwidth_hz: 7800,
  snr_db: 50,
  noise_flatness: 0.1,
  clicks_per_min: 0,
  decay_db_per_sec: -300,
  quiet_ratio: 0.2,
  spectral_change: 2,
  syllabic_modulation: 0.3,
  centroid_hz: 700,
  pure_tone_ratio: 0.05,
  active_ratio: 0.9,
};

const value = (sections: Record<string, unknown>, name: string, pitch?: PitchEvidence): number =>
  buildDescriptors(sections, acoustic, pitch).descriptors.find((d) => d.name === name)!.value;

test('rhythm_regularity: 0 without music or tempo, the confidence with it, neutral only when music_analysis did not run', () => {
  const tempo = { bpm: 96, confidence: 0.8 };
  const withMusic = { music_analysis: { status: 'ok', music_detected: true, tempo } };
  assert.equal(value(withMusic, 'rhythm_regularity'), 0.8);
  // i9a: tempo not_applicable outside music; before it: a tempo with music_detected false
  const before = { music_analysis: { status: 'ok', music_detected: false, tempo } };
  const after = {
    music_analysis: { status: 'ok', music_detected: false, tempo: { status: 'not_applicable' } },
  };
  assert.equal(value(before, 'rhythm_regularity'), 0);
  assert.equal(value(after, 'rhythm_regularity'), 0);
  assert.equal(value({ music_analysis: { status: 'ok' } }, 'rhythm_regularity'), 0);
  assert.equal(value({}, 'rhythm_regularity'), 0.5);
});

test('pitch descriptors: scaled from the pitch evidence, neutral and missing without it', () => {
  const pitch: PitchEvidence = {
    engine: 'onnx-crepe',
    model: { id: 'crepe-tiny', version: '0.0.24', sha256: 'x' },
    bursts: 10,
    frames: 320,
    voiced_ratio: 0.9,
    voiced_run_sec: 0.48,
    steady_ratio: 0.7,
    vibrato_ratio: 0.5,
    median_f0_hz: 220,
    f0_range_semitones: 12,
    median_periodicity: 0.8,
  };
  assert.equal(value({}, 'pitch_run', pitch), 0.75);
  assert.equal(value({}, 'pitch_steady', pitch), 0.7);
  assert.equal(value({}, 'pitch_vibrato', pitch), 0.5);
  assert.ok(!buildDescriptors({}, acoustic, pitch).missing.includes('pitch'));
  assert.equal(value({}, 'pitch_run'), 0);
  assert.ok(buildDescriptors({}, acoustic).missing.includes('pitch'));
});
