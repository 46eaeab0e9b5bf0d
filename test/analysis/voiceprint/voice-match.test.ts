/** Voice matching math: cosine, calibration fit, equal error rate. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  calibratedScore,
  calibrationFor,
  cosineSimilarity,
  equalErrorRate,
  fitCalibration,
  SUGGESTION_MIN_SCORE,
} from '../../../src/analysis/voiceprint/voice-match.js';
import { CAMPLUS_MODEL_ID } from '../../../src/analysis/diarization/engines/onnx-campplus-embedding-engine.js';
import { rng } from '../../helpers/fixtures.js';

it('cosine similarity of vectors, 0 for mismatched or zero ones', () => {
  assert.ok(Math.abs(cosineSimilarity([1, 0], [1, 1]) - Math.SQRT1_2) < 1e-12);
  assert.equal(cosineSimilarity([1, 0], [0, 1]), 0);
  assert.equal(cosineSimilarity([1, 0], [1, 0, 0]), 0);
  assert.equal(cosineSimilarity([0, 0], [1, 0]), 0);
});

it('fits a calibration that separates same from different voices, and measures the EER', () => {
  const r = rng(4);
  const pairs = [
    ...Array.from({ length: 200 }, () => ({ cosine: 0.7 + 0.2 * r(), same: true })),
    ...Array.from({ length: 200 }, () => ({ cosine: 0.1 + 0.5 * r(), same: false })),
    { cosine: 0.65, same: false },
  ];
  const cal = fitCalibration(pairs, 'test');
  assert.equal(cal.calibrated, true);
  assert.ok(calibratedScore(0.85, cal) > 0.9, String(calibratedScore(0.85, cal)));
  assert.ok(calibratedScore(0.3, cal) < 0.1);
  const { eer } = equalErrorRate(pairs.map((p) => ({ score: p.cosine, same: p.same })));
  assert.ok(eer >= 0 && eer < 0.01, String(eer));
  // Fully overlapping scores: EER about one half.
  const coin = Array.from({ length: 400 }, (_, i) => ({ score: r(), same: i % 2 === 0 }));
  assert.ok(Math.abs(equalErrorRate(coin).eer - 0.5) < 0.1);
  assert.equal(calibrationFor('no-such-model').calibrated, false);
});

it('the CAM++ calibration is a fitted one; suggestions start at cosine 0.756 (docs/DUPLICATES.md)', () => {
  const cal = calibrationFor(CAMPLUS_MODEL_ID);
  assert.equal(cal.calibrated, true);
  assert.match(cal.source, /eval\/voices\.ts/);
  const logit = Math.log(SUGGESTION_MIN_SCORE / (1 - SUGGESTION_MIN_SCORE));
  assert.ok(Math.abs((logit - cal.intercept) / cal.slope - 0.756) < 0.001);
  assert.ok(calibratedScore(0.75, cal) < SUGGESTION_MIN_SCORE);
  assert.ok(calibratedScore(0.76, cal) >= SUGGESTION_MIN_SCORE);
});
