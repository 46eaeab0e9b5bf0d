import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createDefaultModel,
  DEFAULT_TAXONOMY,
} from '../../../src/analysis/heritage/default-model.js';
import {
  loadModel,
  predictProbabilities,
  softmax,
  validateModel,
} from '../../../src/analysis/heritage/model.js';
import {
  calibrationError,
  expectedCalibrationError,
  fitTemperature,
} from '../../../src/analysis/heritage/calibration.js';
import { DESCRIPTOR_NAMES } from '../../../src/analysis/heritage/descriptors.js';
import { ruleConfidence, weaknessWarnings } from '../../../src/analysis/heritage/train.js';
import { SonoError } from '../../../src/errors.js';
import { rng, tempDir } from '../../helpers/fixtures.js';

test('the shipped default model: CONTRACT taxonomy plus unclassified, trained and cross-validated', () => {
  const m = validateModel(createDefaultModel());
  assert.deepEqual([...m.taxonomy].sort(), [...DEFAULT_TAXONOMY, 'unclassified'].sort());
  assert.deepEqual(m.features, [...DESCRIPTOR_NAMES]);
  const p = predictProbabilities(m, new Array(m.features.length).fill(0.5));
  assert.equal(p.length, 7);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  // trained on the corpus' labelled recordings, leave-one-source-out report attached
  const t = m.training!;
  assert.equal(t.cross_validation, 'leave-one-source-out');
  assert.ok(t.samples >= 40 && t.sources >= 25, `${t.samples} files, ${t.sources} sources`);
  assert.ok(t.accuracy !== null && t.expected_calibration_error !== null);
  // the warnings are exactly what its own numbers imply
  const { weak: _w, warnings, ...numbers } = t;
  assert.deepEqual(warnings, weaknessWarnings(numbers));
  assert.equal(t.weak, warnings!.length > 0);
  assert.equal(createDefaultModel(2).temperature, 2);
});

test("the shipped model: category weighting, the rules' own confidence, stated-confidence calibration", () => {
  const m = createDefaultModel();
  const t = m.training!;
  assert.equal(t.weighting, 'category');
  // the rules took the out-of-taxonomy recordings and no in-taxonomy training file
  const r = m.out_of_taxonomy!;
  assert.ok(r.fired >= 3, `rules fired on ${r.fired}`);
  assert.equal(r.correct, r.fired);
  assert.equal(r.confidence, ruleConfidence(r.fired, r.correct));
  // the ECE is the one of the reliability table stored beside it (10 bins, every file once)
  const rel = t.reliability!;
  assert.equal(
    rel.reduce((a, b) => a + b.samples, 0),
    t.samples,
  );
  const ece = rel.reduce(
    (a, b) => a + (b.samples / t.samples) * Math.abs(b.accuracy - b.mean_confidence),
    0,
  );
  assert.ok(Math.abs(ece - t.expected_calibration_error!) < 1e-9);
  // measured leave-one-source-out (docs/HERITAGE.md): rules + model 86 %, ECE 0.10, Brier 0.12
  assert.ok(t.accuracy! >= 0.8, `accuracy ${t.accuracy}`);
  assert.ok(t.expected_calibration_error! <= 0.15, `ECE ${t.expected_calibration_error}`);
  assert.ok(t.brier_score! <= 0.15, `Brier ${t.brier_score}`);
  assert.ok(t.model_alone_accuracy! < t.accuracy!);
});

test('softmax is stable for large logits and temperature flattens it', () => {
  const p = softmax([1000, 999, 0]);
  assert.ok(Math.abs(p[0]! - 1 / (1 + Math.exp(-1))) < 1e-9);
  const hot = softmax([2, 0], 1)[0]!;
  const warm = softmax([2, 0], 4)[0]!;
  assert.ok(warm < hot && warm > 0.5);
});

test('model validation names the bad field and shape errors', () => {
  const bad = { ...createDefaultModel(), bias: [0, 1] };
  assert.throws(
    () => validateModel(bad, 'x.json'),
    (e: unknown) =>
      e instanceof SonoError &&
      e.code === 'SONO_ERR_INVALID_MODEL' &&
      /bias has 2 values/.test(e.message),
  );
  const dir = tempDir();
  const p = join(dir, 'm.json');
  writeFileSync(p, '{not json');
  assert.throws(
    () => loadModel(p),
    (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_INVALID_MODEL',
  );
  assert.throws(
    () => loadModel(join(dir, 'missing.json')),
    (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_MODEL_LOAD',
  );
});

test('ECE is 0 for a perfectly calibrated binned predictor and |acc - conf| otherwise', () => {
  // 10 samples at confidence 0.8, 8 correct → calibrated
  const probs = Array.from({ length: 10 }, () => [0.8, 0.2]);
  const labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
  assert.ok(expectedCalibrationError(probs, labels) < 1e-12);
  // all wrong at 0.9 → ECE 0.9
  assert.ok(Math.abs(expectedCalibrationError([[0.9, 0.1]], [1]) - 0.9) < 1e-12);
});

test('calibration error of stated confidences: a rule-decided low confidence that was right', () => {
  // two bins: 0.3 stated and right (|1 - 0.3|), 0.95 stated and right (|1 - 0.95|)
  const e = calibrationError([0.3, 0.95], [true, true]);
  assert.ok(Math.abs(e - (0.7 + 0.05) / 2) < 1e-12);
  assert.equal(calibrationError([], []), 0);
});

test('temperature scaling recovers the temperature that generated the labels', () => {
  const r = rng(7);
  const trueT = 3;
  const logits: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const l = [r() * 8 - 4, r() * 8 - 4, r() * 8 - 4];
    const p = softmax(l, trueT);
    const u = r();
    labels.push(u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2);
    logits.push(l);
  }
  const t = fitTemperature(logits, labels);
  assert.ok(Math.abs(t - trueT) < 0.35, `fitted ${t}`);
});
