import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  INSTRUMENT_FAMILIES,
  InstrumentationAnalyzer,
  heldOutPrecision,
  loadInstrumentationModel,
  predictFamilies,
  type InstrumentationSection,
} from '../../../src/analysis/instrumentation/index.js';
import { WINDOW_DIM } from '../../../src/analysis/instrumentation/features.js';
import { runAnalyzersOffline } from '../../../src/analysis/music/offline.js';
import { SonoError } from '../../../src/errors.js';
import { silence, tempDir, tone } from '../../helpers/fixtures.js';
import { drumPattern } from '../music/music-fixtures.js';

const SR = 16000;

async function tag(
  x: Float32Array,
  sections: Record<string, unknown> = {},
): Promise<InstrumentationSection> {
  const out = await runAnalyzersOffline([new InstrumentationAnalyzer()], x, SR, { sections });
  return out['instrumentation'] as InstrumentationSection;
}

test('the shipped model loads, is consistent and scores every family in [0, 1]', () => {
  const m = loadInstrumentationModel();
  assert.deepEqual(m.families, [...INSTRUMENT_FAMILIES]);
  assert.equal(m.feature_names.length, WINDOW_DIM);
  assert.match(m.model_version, /^\d{4}-\d{2}-\d{2}\.r\d+$/);
  const p = predictFamilies(m, m.feature_mean);
  assert.equal(p.length, INSTRUMENT_FAMILIES.length);
  for (const v of p) assert.ok(v >= 0 && v <= 1);
  const held = (m.training_report as { held_out?: { macro_f1?: number } }).held_out;
  assert.ok(typeof held?.macro_f1 === 'number', 'training report carries held-out metrics');
});

test('a noise-burst drum pattern is tagged percussion; a sustained tone is not', async () => {
  const drums = await tag(drumPattern(120, 8, SR));
  assert.equal(drums.status, 'ok');
  assert.equal(drums.tags![0]!.family, 'percussion');
  assert.ok(drums.tags![0]!.score > 0.8, `percussion ${drums.tags![0]!.score}`);
  assert.ok(drums.present!.includes('percussion'));
  // every tag carries the shipped model's held-out precision for its family
  const m = loadInstrumentationModel();
  const perFamily = (
    m.training_report as { held_out: { per_family: Record<string, { precision: number }> } }
  ).held_out.per_family;
  for (const t of drums.tags!) {
    assert.equal(t.held_out_precision, perFamily[t.family]!.precision, t.family);
  }
  assert.equal(heldOutPrecision(m, 'strings'), 0.794);
  assert.equal(heldOutPrecision(m, 'keyboard'), 0.569);
  assert.equal(heldOutPrecision(m, 'no-such-family'), undefined);
  const sustained = await tag(tone(440, 8, SR, 0.4));
  const perc = sustained.tags!.find((t) => t.family === 'percussion')!;
  assert.ok(perc.score < 0.2, `percussion on a sustained tone ${perc.score}`);
  assert.ok(!sustained.present!.includes('percussion'));
});

test('windows and per-region tags follow the segmentation', async () => {
  const x = new Float32Array(10 * SR);
  x.set(drumPattern(100, 6, SR), 4 * SR);
  const segmentation = {
    status: 'ok',
    segments: [
      { label: 'silence', start: 0, end: 4, confidence: 1 },
      { label: 'music', start: 4, end: 10, confidence: 1 },
    ],
  };
  const s = await tag(x, { segmentation });
  assert.equal(s.music_detected, true);
  assert.equal(s.windows_analysed, 5); // 2-s windows, 1-s hop, inside 4..10 s
  assert.equal(s.per_region?.length, 1);
  assert.equal(s.per_region![0]!.tags[0]!.family, 'percussion');
});

test('silence: not_run with a reason', async () => {
  const s = await tag(silence(5, SR));
  assert.equal(s.status, 'not_run');
  assert.match(s.reason!, /non-silent/);
});

test('a broken model file fails with a coded error naming the file', () => {
  const p = join(tempDir(), 'bad-model.json');
  writeFileSync(
    p,
    JSON.stringify({
      format: 'sonoteca-instrumentation-model',
      format_version: 1,
      feature_names: ['a'],
      feature_mean: [0],
      feature_std: [1],
      layers: [],
    }),
  );
  assert.throws(
    () => loadInstrumentationModel(p),
    (e: unknown) =>
      e instanceof SonoError && e.code === 'SONO_ERR_INVALID_MODEL' && e.message.includes(p),
  );
});
