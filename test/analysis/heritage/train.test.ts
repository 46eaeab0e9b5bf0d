import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { validateModel, predictProbabilities } from '../../../src/analysis/heritage/model.js';
import {
  macroF1,
  parseLabelsCsv,
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
