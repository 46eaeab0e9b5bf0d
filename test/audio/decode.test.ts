import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from 'music-metadata';
import { startDecode } from '../../src/audio/decode.js';
import { Float32Reassembler } from '../../src/audio/pcm-reassembler.js';
import { SonoError } from '../../src/errors.js';
import { concat, noise, rng, tempDir, tone, writeWav } from '../helpers/fixtures.js';
import { corpusOrSkip } from '../helpers/corpus.js';
import { writeEncoded } from './ffmpeg-fixtures.js';

const dir = tempDir('sonoteca-decode-');
after(() => rmSync(dir, { recursive: true, force: true }));

async function decodeAll(
  path: string,
  opts: Parameters<typeof startDecode>[1] = {},
): Promise<{
  analysis: Float32Array;
  native: Float32Array;
  channels: number;
  result: Awaited<ReturnType<typeof startDecode>['done']>;
}> {
  const nativeParts: Float32Array[] = [];
  let channels = 0;
  const s = startDecode(path, {
    ...opts,
    onNative: (x, ch) => {
      channels = ch;
      nativeParts.push(x.slice()); // the callback's array is only valid during the call
    },
  });
  const parts: Float32Array[] = [];
  for await (const b of s.analysis) parts.push(b);
  const result = await s.done;
  return { analysis: concat(...parts), native: concat(...nativeParts), channels, result };
}

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<SonoError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SonoError, `expected SonoError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected rejection with ${code}`);
}

test('float32 WAV at 16 kHz: analysis and native streams reproduce the samples exactly', async () => {
  const x = tone(440, 1.5, 16000, 0.5);
  const p = writeWav(dir, 'mono16k.wav', [x], { sampleRateHz: 16000, format: 'float32' });
  const { analysis, native, channels, result } = await decodeAll(p);
  assert.equal(result.analysisSamples, 24000);
  assert.equal(analysis.length, 24000);
  assert.equal(result.nativeFrames, 24000);
  assert.equal(channels, 1);
  assert.equal(result.decodedDurationSec, 1.5);
  for (let i = 0; i < x.length; i++) {
    assert.ok(Math.abs(analysis[i]! - x[i]!) < 1e-7, `analysis sample ${i}`);
    assert.ok(Math.abs(native[i]! - x[i]!) < 1e-7, `native sample ${i}`);
  }
});

test('48 kHz 24-bit stereo: exact counts at 16 kHz and native, interleaving, mean downmix', async () => {
  const left = tone(1000, 1.5, 48000, 0.5);
  const right = tone(1000, 1.5, 48000, 0.3);
  right[10] = -0.75; // a marker that only the right channel carries
  const p = writeWav(dir, 'stereo48k.wav', [left, right], { sampleRateHz: 48000, format: 'pcm24' });
  const { analysis, native, channels, result } = await decodeAll(p, {
    nativeChannels: 2,
    nativeRateHz: 48000,
  });
  assert.equal(channels, 2);
  assert.equal(result.nativeFrames, 72000);
  assert.equal(native.length, 144000);
  assert.equal(result.analysisSamples, 24000);
  const q = 2 ** -23; // 24-bit quantisation step
  for (let i = 0; i < left.length; i++) {
    assert.ok(Math.abs(native[2 * i]! - left[i]!) <= q, `left ${i}`);
    assert.ok(Math.abs(native[2 * i + 1]! - right[i]!) <= q, `right ${i}`);
  }
  // Mono analysis stream = mean of channels = 0.4 sin(2π·1000t): RMS 0.4/√2 (±1 %), away from
  // the resampler's edges; 1000 Hz → 2000 zero crossings per second.
  const mid = analysis.subarray(1600, 22400);
  let sumSq = 0;
  let crossings = 0;
  for (let i = 0; i < mid.length; i++) {
    sumSq += mid[i]! ** 2;
    if (i > 0 && mid[i - 1]! < 0 !== mid[i]! < 0) crossings++;
  }
  const rms = Math.sqrt(sumSq / mid.length);
  assert.ok(Math.abs(rms - 0.4 / Math.SQRT2) < 0.01 * (0.4 / Math.SQRT2), `rms ${rms}`);
  const seconds = mid.length / 16000;
  assert.ok(Math.abs(crossings / seconds - 2000) <= 2, `crossings/s ${crossings / seconds}`);
});

test('Float32Reassembler rebuilds floats and frames split at any byte boundary', () => {
  const r = rng(7);
  const x = noise(0.075, 16000, 0.9, 3); // 1200 samples: whole frames for 1, 2 and 3 channels
  const bytes = new Uint8Array(x.buffer);
  for (const channels of [1, 2, 3]) {
    const asm = new Float32Reassembler(channels, channels === 2);
    const out: Float32Array[] = [];
    let sawStraddle = false;
    for (let o = 0; o < bytes.length;) {
      const len = 1 + Math.floor(r() * 13); // 1..13 bytes: values straddle most chunk edges
      const chunk = bytes.subarray(o, Math.min(o + len, bytes.length));
      o += chunk.length;
      const got = asm.push(chunk);
      if (asm.pendingBytes % 4 !== 0) sawStraddle = true;
      if (got) {
        assert.equal(got.length % channels, 0);
        out.push(got.slice()); // reused buffers (channels === 2) are only valid until next push
      }
    }
    assert.ok(sawStraddle);
    assert.equal(asm.pendingBytes, 0);
    assert.deepEqual(concat(...out), x);
  }
});

test('a slow analysis consumer does not deadlock the native pipe (backpressure)', async () => {
  const x = noise(8, 48000, 0.2, 5); // 3 MB native, 512 KB analysis: far beyond pipe buffers
  const p = writeWav(dir, 'slow.wav', [x, x], { sampleRateHz: 48000, format: 'float32' });
  let nativeFrames = 0;
  const s = startDecode(p, {
    nativeChannels: 2,
    onNative: (b, ch) => (nativeFrames += b.length / ch),
  });
  let n = 0;
  for await (const b of s.analysis) {
    n += b.length;
    await new Promise((res) => setImmediate(res));
  }
  const r = await s.done;
  assert.equal(n, 8 * 16000);
  assert.equal(nativeFrames, 8 * 48000);
  assert.equal(r.nativeFrames, 8 * 48000);
});

test('no native stream is produced without onNative', async () => {
  const p = writeWav(dir, 'plain.wav', [tone(200, 0.5, 22050)], { sampleRateHz: 22050 });
  const s = startDecode(p);
  let n = 0;
  for await (const b of s.analysis) n += b.length;
  const r = await s.done;
  assert.equal(r.nativeFrames, 0);
  assert.equal(n, 8000);
});

test('AbortSignal kills ffmpeg: SONO_ERR_CANCELLED', async () => {
  const p = writeWav(dir, 'abort.wav', [noise(10, 48000)], { sampleRateHz: 48000 });
  const ac = new AbortController();
  const s = startDecode(p, { signal: ac.signal });
  let blocks = 0;
  const consume = (async () => {
    for await (const _b of s.analysis) if (++blocks === 2) ac.abort();
  })();
  await rejectsWithCode(consume, 'SONO_ERR_CANCELLED');
  await rejectsWithCode(s.done, 'SONO_ERR_CANCELLED');
});

test('leaving the analysis loop early cancels the decode', async () => {
  const p = writeWav(dir, 'early.wav', [noise(10, 48000)], { sampleRateHz: 48000 });
  const s = startDecode(p);
  for await (const _b of s.analysis) break;
  await rejectsWithCode(s.done, 'SONO_ERR_CANCELLED');
});

test('an onNative callback that throws fails the decode with its error', async () => {
  const p = writeWav(dir, 'throws.wav', [noise(5, 48000)], { sampleRateHz: 48000 });
  const s = startDecode(p, {
    nativeChannels: 1,
    onNative: () => {
      throw new SonoError('SONO_ERR_ANALYZER_FAILED', { analyzer: 'qc', detail: 'boom' });
    },
  });
  const consume = (async () => {
    for await (const _b of s.analysis);
  })();
  await rejectsWithCode(s.done, 'SONO_ERR_ANALYZER_FAILED');
  await consume.catch(() => undefined);
});

test('bad input at decode time gets coded errors', async () => {
  const drain = async (path: string): Promise<unknown> => {
    const s = startDecode(path);
    for await (const _b of s.analysis);
    return s.done;
  };
  await rejectsWithCode(drain(join(dir, 'missing.wav')), 'SONO_ERR_PATH_NOT_FOUND');
  const png = join(dir, 'image.wav');
  writeFileSync(
    png,
    Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200, 7)]),
  );
  const e = await rejectsWithCode(drain(png), 'SONO_ERR_NOT_AUDIO');
  assert.equal(e.details['detected'], 'PNG image');
  const txt = join(dir, 'notes.wav');
  writeFileSync(txt, 'This is a catalogue note, not a recording.\n'.repeat(20));
  const e2 = await rejectsWithCode(drain(txt), 'SONO_ERR_NOT_AUDIO');
  assert.equal(e2.details['detected'], 'text');
  const empty = writeWav(dir, 'no-frames.wav', [new Float32Array(0)], { sampleRateHz: 16000 });
  const e3 = await rejectsWithCode(drain(empty), 'SONO_ERR_DECODE_FAILED');
  assert.match(e3.message, /no audio samples/);
  assert.throws(() => startDecode(png, { analysisRateHz: 12.5 }), /analysisRateHz/);
});

test('MP3 and FLAC fixtures decode to the expected length', async () => {
  const x = tone(440, 3, 44100, 0.5);
  const mp3 = writeEncoded(dir, 'tone.mp3', [x, x], { sampleRateHz: 44100 }, [
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
  ]);
  const flac = writeEncoded(dir, 'tone.flac', [x], { sampleRateHz: 44100, format: 'pcm24' }, [
    '-c:a',
    'flac',
  ]);
  const f = await decodeAll(flac);
  assert.equal(f.result.nativeFrames, 3 * 44100); // lossless: exact
  assert.equal(f.result.analysisSamples, 48000);
  const m = await decodeAll(mp3, { nativeChannels: 2 });
  assert.equal(m.channels, 2);
  // LAME's gapless info lets ffmpeg trim encoder delay/padding: within one MP3 frame (1152).
  assert.ok(
    Math.abs(m.result.nativeFrames - 3 * 44100) <= 1152,
    `mp3 frames ${m.result.nativeFrames}`,
  );
});

test('corpus: one MP3, one Ogg and one FLAC decode to their header duration', async (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  for (const rel of [
    'heritage/classical_music/bachvln__john-garner_bwv1002_mov6.mp3',
    'nature/inspectorj-robin.ogg',
    'heritage/historical_speech/whisper__jfk.flac',
  ]) {
    const path = join(corpus, rel);
    const mm = await parseFile(path);
    const ch = mm.format.numberOfChannels!;
    const { result, channels } = await decodeAll(path, { nativeChannels: ch });
    assert.equal(channels, ch);
    const expected = mm.format.duration!;
    assert.ok(
      Math.abs(result.decodedDurationSec - expected) < 0.06,
      `${rel}: decoded ${result.decodedDurationSec} s, header ${expected} s`,
    );
    assert.ok(
      Math.abs(result.nativeFrames / mm.format.sampleRate! - expected) < 0.06,
      `${rel}: native ${result.nativeFrames} frames`,
    );
  }
});
