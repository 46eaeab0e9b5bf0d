import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcousticEvidenceCollector,
  type AcousticEvidence,
} from '../../../src/analysis/heritage/acoustic-evidence.js';
import { createDefaultModel } from '../../../src/analysis/heritage/default-model.js';
import { classifyHeritage } from '../../../src/analysis/heritage/index.js';
import { DEFAULT_FRAMER, Framer } from '../../../src/analysis/frames.js';
import { noise, rng } from '../../helpers/fixtures.js';

const cleanRoom: AcousticEvidence = {
  frames: 6000,
  bandwidth_hz: 7800,
  snr_db: 55,
  noise_flatness: 0.1,
  clicks_per_min: 0,
  decay_db_per_sec: -350,
  quiet_ratio: 0.2,
};

const oldCarrier: AcousticEvidence = {
  frames: 6000,
  bandwidth_hz: 4200,
  snr_db: 25,
  noise_flatness: 0.6,
  clicks_per_min: 30,
  decay_db_per_sec: -60,
  quiet_ratio: 0.02,
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
  assert.equal(Object.keys(r.scores).length, 6);
  assert.ok(Math.abs(Object.values(r.scores).reduce((a, b) => a + b, 0) - 1) < 1e-3);
  assert.equal(r.evidence[0]!.descriptor, 'speech_ratio');
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
  assert.ok(r.evidence.some((e) => e.descriptor === 'band_limitation' && e.contribution > 0));
});

test('singing with wide vibrato is opera; narrow, reverberant, vibrato-free singing is chant', () => {
  const opera = classifyHeritage(
    createDefaultModel(),
    {
      segmentation: segs('singing', 30),
      speaker_recognition: ok({ speakers_detected: 1 }),
      music_analysis: ok({
        voice: { vibrato_extent_cents: 90, vibrato_rate_hz: 6, pitch_range_hz: [220, 880] },
      }),
      instrumentation: ok({ tags: [{ family: 'voice', score: 0.9 }] }),
    },
    cleanRoom,
  );
  assert.equal(opera.predicted_category, 'opera');
  const chant = classifyHeritage(
    createDefaultModel(),
    {
      segmentation: segs('singing', 30),
      speaker_recognition: ok({ speakers_detected: 1 }),
      music_analysis: ok({
        voice: { vibrato_extent_cents: 5, pitch_range_hz: [110, 150] },
        tempo: { confidence: 0.1 },
      }),
      instrumentation: ok({
        tags: [
          { family: 'voice', score: 0.9 },
          { family: 'percussion', score: 0 },
        ],
      }),
    },
    { ...cleanRoom, decay_db_per_sec: -45 },
  );
  assert.equal(chant.predicted_category, 'religious_chant');
});

test('missing sections make the result uncertain and say why', () => {
  const r = classifyHeritage(createDefaultModel(), {}, cleanRoom);
  assert.equal(r.uncertain, true);
  assert.ok(r.uncertain_reasons.some((x) => /segmentation/.test(x)));
});

test('acoustic evidence: band-limited noise shows band limitation, full-band noise does not', () => {
  const measure = (signal: Float32Array): AcousticEvidence => {
    const c = new AcousticEvidenceCollector();
    const f = new Framer(DEFAULT_FRAMER, (fr) => c.onFrame(fr));
    f.push(signal);
    f.flush();
    return c.finish();
  };
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
  const measure = (signal: Float32Array): number => {
    const c = new AcousticEvidenceCollector();
    const f = new Framer(DEFAULT_FRAMER, (fr) => c.onFrame(fr));
    f.push(signal);
    return c.finish().decay_db_per_sec ?? 0;
  };
  const slow = measure(bursts(60));
  const fast = measure(bursts(400));
  assert.ok(slow > fast, `slow ${slow} fast ${fast}`);
  assert.ok(slow > -120 && slow < -30, `slow ${slow}`);
});
