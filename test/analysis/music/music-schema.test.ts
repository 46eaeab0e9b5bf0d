/** Both shapes of the music section (music heard / not_applicable) validate against its schema. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MusicAnalyzer, type MusicAnalysisSection } from '../../../src/analysis/music/index.js';
import { runAnalyzersOffline } from '../../../src/analysis/music/offline.js';
import { validateAgainst } from '../../../src/pipeline/validate-report.js';
import { concat, tone } from '../../helpers/fixtures.js';
import { progression } from './music-fixtures.js';

const SR = 16000;
const SCHEMA = 'sections/music_analysis.schema.json';

async function section(x: Float32Array, sections = {}): Promise<MusicAnalysisSection> {
  const out = await runAnalyzersOffline([new MusicAnalyzer()], x, SR, { sections });
  return out['music_analysis'] as MusicAnalysisSection;
}

test('music_analysis schema: music with tempo, key (engine, model) and tuning validates', async () => {
  const s = await section(concat(progression(2, false, SR, 0.5), progression(2, false, SR, 0.5)));
  assert.equal(s.status, 'ok');
  assert.deepEqual(validateAgainst(SCHEMA, s).errors, []);
  // a made-up engine name is refused
  const bad = { ...s, key: { ...(s.key as object), engine: 'magic' } };
  assert.equal(validateAgainst(SCHEMA, bad).valid, false);
});

test('music_analysis schema: not_applicable descriptors validate; extra values on them do not', async () => {
  const segmentation = {
    status: 'ok',
    segments: [{ label: 'speech', start: 0, end: 4, confidence: 1 }],
  };
  const s = await section(tone(200, 4, SR, 0.3), { segmentation });
  assert.equal((s.key as { status: string }).status, 'not_applicable');
  assert.deepEqual(validateAgainst(SCHEMA, s).errors, []);
  const bad = { ...s, tuning: { status: 'not_applicable', reason: 'x', a4_hz: 440 } };
  assert.equal(validateAgainst(SCHEMA, bad).valid, false);
});
