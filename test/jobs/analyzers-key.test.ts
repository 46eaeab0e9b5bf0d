import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDefaultModel } from '../../src/analysis/heritage/default-model.js';
import { computeAnalyzersKey } from '../../src/jobs/processor.js';
import { tempDir } from '../helpers/fixtures.js';

test('the results-cache key changes when a model file given by path changes content', () => {
  const dir = tempDir();
  const modelPath = join(dir, 'model.json');
  writeFileSync(modelPath, JSON.stringify(createDefaultModel(1)));
  const a = computeAnalyzersKey('comprehensive', { modelPath });
  assert.equal(computeAnalyzersKey('comprehensive', { modelPath }), a);
  writeFileSync(modelPath, JSON.stringify(createDefaultModel(2)));
  const b = computeAnalyzersKey('comprehensive', { modelPath });
  assert.notEqual(a, b);
  assert.notEqual(computeAnalyzersKey('comprehensive'), a);
  assert.match(a, /heritage-classifier@/);
});
