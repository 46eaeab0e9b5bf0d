import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { validateModel, predictProbabilities } from '../../../src/analysis/heritage/model.js';
import {
  calibrationError,
  reliabilityTable,
  brierScore,
} from '../../../src/analysis/heritage/calibration.js';
import {
  categorySourceWeights,
  crossValidateStated,
  macroF1,
  parseLabelsCsv,
  ruleConfidence,
  sourceWeights,
  trainHeritageModel,
  type LabelledSample,
} from '../../../src/analysis/heritage/train.js';
import { SonoError } from '../../../src/errors.js';
import { rng } from '../../helpers/fixtures.js';

function synthetic(seed: number): LabelledSample[] {
  // three categories separated along features 0 and 1, noise on feature 2; 4 sources each
  const r = rng(seed);
  const out: LabelledSample[] = [];
  const centres: Record<string, [number, number]> = { a: [0.2, 0.2], b: [0.8, 0.2], c: [0.5, 0.9] };
  for (const [label, [cx, cy]] of Object.entries(centres)) {
    for (let s = 0; s < 4; s++) {
      for (let k = 0; k < 5; k++) {
        out.push({
          x: [cx + (r() - 0.5) * 0.2, cy + (r() - 0.5) * 0.2, r()],
          label,
          source: `${label}-${s}`,
        });
      }
    }
  }
  return out;
}

test('training on separable data gives a valid model with high cross-validated accuracy', () => {
  const model = trainHeritageModel(synthetic(3), {
    features: ['f0', 'f1', 'noise'],
    iterations: 600,
  });
  validateModel(model);
  assert.deepEqual(model.taxonomy, ['a', 'b', 'c']);
  const t = model.training!;
  assert.equal(t.samples, 60);
  assert.equal(t.sources, 12);
  assert.ok(t.accuracy! >= 0.95, `accuracy ${t.accuracy}`);
  assert.ok(t.macro_f1! >= 0.95);
  assert.ok(t.expected_calibration_error! < 0.2);
  const p = predictProbabilities(model, [0.8, 0.2, 0.5]);
  assert.equal(p.indexOf(Math.max(...p)), 1);
});

test('training refuses a single category and mismatched feature counts', () => {
  const one = synthetic(1).filter((s) => s.label === 'a');
  assert.throws(
    () => trainHeritageModel(one, { features: ['f0', 'f1', 'noise'] }),
    (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_INVALID_LABELS',
  );
  assert.throws(
    () => trainHeritageModel(synthetic(1), { features: ['f0'] }),
    (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_INVALID_PARAMETER',
  );
});

test('macro F1 of a known confusion matrix', () => {
  // class 0: 2 right, 1 wrong (predicted 1); class 1: 1 right
  // P0 = 2/2, R0 = 2/3 → F1 0.8; P1 = 1/2, R1 = 1 → F1 0.6667
  assert.ok(
    Math.abs(
      macroF1([
        [2, 1],
        [0, 1],
      ]) -
        (0.8 + 2 / 3) / 2,
    ) < 1e-12,
  );
});

test('labels CSV: header columns, quoting, relative paths and default sources', () => {
  const rows = parseLabelsCsv(
    'path,category,source\n"a, b.wav",opera,s1\nsub/c.flac,folk_music,\n',
    '/data/labels.csv',
  );
  assert.deepEqual(rows, [
    { path: join('/data', 'a, b.wav'), category: 'opera', source: 's1' },
    {
      path: join('/data', 'sub/c.flac'),
      category: 'folk_music',
      source: join('/data', 'sub/c.flac'),
    },
  ]);
  assert.throws(
    () => parseLabelsCsv('file,label\nx,y\n', 'l.csv'),
    (e: unknown) =>
      e instanceof SonoError && e.code === 'SONO_ERR_INVALID_LABELS' && /path/.test(e.message),
  );
  assert.throws(() => parseLabelsCsv('path,category\nx.wav,\n', 'l.csv'), /line 2/);
});

test('category weighting: every category the same total, every source the same share of it', () => {
  // category a: source s1 (2 files), s2 (1 file); category b: source s3 (1 file)
  const w = categorySourceWeights(['a', 'a', 'a', 'b'], ['s1', 's1', 's2', 's3']);
  assert.deepEqual(w, [0.5, 0.5, 1, 2]);
  // source weighting gives the larger category (two sources) twice the weight of b
  assert.deepEqual(
    sourceWeights(['s1', 's1', 's2', 's3']).map((v) => Math.round(v * 1e9) / 1e9),
    [2 / 3, 2 / 3, 4 / 3, 4 / 3].map((v) => Math.round(v * 1e9) / 1e9),
  );
});

test("the rules' confidence is their Laplace-smoothed precision", () => {
  assert.equal(ruleConfidence(0, 0), 0.5);
  assert.equal(ruleConfidence(3, 3), 0.8);
  assert.equal(ruleConfidence(10, 9), 10 / 12);
});

test('reliability table and Brier score of stated confidences', () => {
  const conf = [0.95, 0.92, 0.55, 0.3];
  const right = [true, false, true, true];
  const round = (v: number): number => Math.round(v * 1e9) / 1e9;
  assert.deepEqual(
    reliabilityTable(conf, right).map((b) => ({ ...b, mean_confidence: round(b.mean_confidence) })),
    [
      { from: 0.3, to: 0.4, samples: 1, mean_confidence: 0.3, accuracy: 1 },
      { from: 0.5, to: 0.6, samples: 1, mean_confidence: 0.55, accuracy: 1 },
      { from: 0.9, to: 1, samples: 2, mean_confidence: 0.935, accuracy: 0.5 },
    ],
  );
  // ECE = (1·0.7 + 1·0.45 + 2·0.435) / 4
  assert.ok(Math.abs(calibrationError(conf, right) - (0.7 + 0.45 + 0.87) / 4) < 1e-12);
  assert.ok(
    Math.abs(brierScore(conf, right) - (0.05 ** 2 + 0.92 ** 2 + 0.45 ** 2 + 0.7 ** 2) / 4) < 1e-12,
  );
});

/** Three separable categories plus out-of-taxonomy files the rules take (and one they miss). */
function withOutside(seed: number): LabelledSample[] {
  const r = rng(seed);
  const out: LabelledSample[] = synthetic(seed).map((s) => ({ ...s, ruledOut: false }));
  for (let s = 0; s < 4; s++)
    out.push({
      x: [r(), r(), r()],
      label: 'unclassified',
      source: `u-${s}`,
      ruledOut: s < 3,
    });
  // an in-taxonomy file the rules wrongly take
  out.push({ x: [0.2, 0.2, 0.5], label: 'a', source: 'a-odd', ruledOut: true });
  return out;
}

test('cross-validation scores what the reports state: the rules first, their own confidence', () => {
  const samples = withOutside(5);
  const taxonomy = ['a', 'b', 'c', 'unclassified'];
  const cv = crossValidateStated(samples, taxonomy, 0.05, 300);
  samples.forEach((s, i) => {
    if (!s.ruledOut) {
      assert.equal(cv.confidence[i], Math.max(...cv.probabilities[i]!));
      return;
    }
    assert.equal(cv.predicted[i], 3);
    // precision of the rules on the other sources: 4 firings, 3 right, or 3 firings, 2 right
    const expected = s.label === 'unclassified' ? ruleConfidence(3, 2) : ruleConfidence(3, 3);
    assert.equal(cv.confidence[i], expected);
  });
  const model = trainHeritageModel(samples, { features: ['f0', 'f1', 'noise'], iterations: 300 });
  assert.deepEqual(model.out_of_taxonomy, { fired: 4, correct: 3, confidence: 4 / 6 });
  const t = model.training!;
  assert.equal(t.weighting, 'category');
  // the report's figures are those of the stated decisions
  const correct = cv.predicted.map((p, i) => p === cv.labels[i]);
  assert.equal(t.accuracy, correct.filter(Boolean).length / samples.length);
  assert.equal(t.expected_calibration_error, calibrationError(cv.confidence, correct));
  assert.deepEqual(t.reliability, reliabilityTable(cv.confidence, correct));
  assert.equal(
    t.reliability!.reduce((a, b) => a + b.samples, 0),
    samples.length,
  );
  // the wrongly ruled-out file costs category a recall; the missed outside file is the model's
  assert.ok(t.per_category_recall!['a']! < 1);
  assert.ok(t.model_alone_accuracy! > 0.7);
});
