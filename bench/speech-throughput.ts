/**
 * Speech-side throughput and memory: × real time per core of the shared framing (FFT + mel),
 * voice activity (Silero v5, ONNX inference included), segmentation and speaker diarization (the
 * neural engine — pyannote segmentation-3.0 + CAM++ — and the model-free fallback), measured with process
 * CPU time (every thread of the process, so ONNX Runtime's work is counted), and peak RSS.
 *
 *   node --import tsx bench/speech-throughput.ts [--minutes 10] [--hours-rss 0]
 *
 * The audio is a 60 s program looped (corpus speech, music, digital silence, speech over music,
 * or generated noise and tones without a corpus), streamed in 16384-sample blocks: nothing holds
 * the whole recording, as in the pipeline. `--hours-rss 3` also streams 3 hours through VAD +
 * segmentation to report peak RSS on a long file. Run it with `nice`; the machine is shared.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Analyzer, AnalyzerContext } from '../src/analysis/analyzer.js';
import { DiarizationAnalyzer } from '../src/analysis/diarization/diarization-analyzer.js';
import { DEFAULT_FRAMER, type Frame } from '../src/analysis/frames.js';
import { createSegmentationAnalyzer } from '../src/analysis/segmentation/index.js';
import { createVoiceActivityAnalyzer } from '../src/analysis/voice-activity/index.js';
import { decodeMono16k, driveAnalyzersStream, RATE_HZ } from '../eval/speech-harness.js';
import { corpusDir } from '../test/helpers/corpus.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const minutes = arg('minutes', 10);
const rssHours = arg('hours-rss', 0);

async function program(): Promise<Float32Array> {
  const x = new Float32Array(60 * RATE_HZ);
  const dir = corpusDir();
  const put = (src: Float32Array, at: number, sec: number, gain = 1): void => {
    for (let i = 0; i < sec * RATE_HZ; i++) x[at * RATE_HZ + i]! += gain * src[i % src.length]!;
  };
  if (existsSync(join(dir, 'README.md'))) {
    const speech = await decodeMono16k(
      join(dir, 'heritage/spoken_word/chatterbox__linda_johnson_01.flac'),
    );
    const music = await decodeMono16k(join(dir, 'music/brahms-hungarian-dance-5.ogg'));
    put(speech, 0, 20);
    put(music, 20, 20);
    put(speech.subarray(20 * RATE_HZ), 45, 15);
    put(music.subarray(20 * RATE_HZ), 45, 15, 0.3);
  } else {
    for (let i = 0; i < x.length; i++) {
      const t = i / RATE_HZ;
      x[i] =
        t < 40
          ? 0.2 * Math.sin(2 * Math.PI * 220 * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t))
          : 0;
    }
  }
  return x;
}

function* loop(x: Float32Array, seconds: number): Generator<Float32Array> {
  const block = 16384;
  const total = Math.round(seconds * RATE_HZ);
  for (let off = 0; off < total; off += block) {
    const n = Math.min(block, total - off);
    const s = off % x.length;
    if (s + n <= x.length) yield x.subarray(s, s + n);
    else {
      const b = new Float32Array(n);
      for (let i = 0; i < n; i++) b[i] = x[(s + i) % x.length]!;
      yield b;
    }
  }
}

/** Reads the shared frame features (what the pipeline computes once for every frame reader). */
function framingOnly(): Analyzer {
  let sink = 0;
  return {
    section: 'framing',
    name: 'framing',
    version: '0',
    frameConfigs: [DEFAULT_FRAMER],
    onFrame: (f: Frame) => {
      sink += f.melLog[0]!;
    },
    finish: () => ({ status: 'ok', sink }) as never,
  };
}

async function cpuSec(
  make: (ctx: AnalyzerContext) => Analyzer[],
  x: Float32Array,
  sec: number,
): Promise<number> {
  const c0 = process.cpuUsage();
  await driveAnalyzersStream(make, loop(x, sec), sec);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const x = await program();
const sec = minutes * 60;
// Warm-up (ONNX session creation, JIT) outside the measurements.
await cpuSec((ctx) => [createVoiceActivityAnalyzer(ctx), createSegmentationAnalyzer(ctx)], x, 20);
const base = await cpuSec(() => [], x, sec);
const framing = (await cpuSec(() => [framingOnly()], x, sec)) - base;
const vad = (await cpuSec((ctx) => [createVoiceActivityAnalyzer(ctx)], x, sec)) - base;
const both = await cpuSec(
  (ctx) => [createVoiceActivityAnalyzer(ctx), createSegmentationAnalyzer(ctx)],
  x,
  sec,
);
// Segmentation alone (without the VAD track it still runs, with vad_used false): its own cost.
const segOnly = (await cpuSec((ctx) => [createSegmentationAnalyzer(ctx)], x, sec)) - base - framing;
const diarization =
  (engine: 'neural' | 'model-free') =>
  (ctx: AnalyzerContext): Analyzer =>
    new DiarizationAnalyzer({ ...ctx, options: { analyzerOptions: { diarization: { engine } } } });
const diarNeural = (await cpuSec((ctx) => [diarization('neural')(ctx)], x, sec)) - base - framing;
const diarFree = (await cpuSec((ctx) => [diarization('model-free')(ctx)], x, sec)) - base - framing;
const speechAll = await cpuSec(
  (ctx) => [
    createVoiceActivityAnalyzer(ctx),
    createSegmentationAnalyzer(ctx),
    diarization('neural')(ctx),
  ],
  x,
  sec,
);
const xrt = (s: number): string => (s > 0 ? `${(sec / s).toFixed(0)}×` : '–');
const rows = [
  ['shared framing (FFT + mel, 10 ms hop)', framing, xrt(framing)],
  ['voice activity (Silero v5 + silence gate)', vad, xrt(vad)],
  ['segmentation (descriptors + model + smoothing)', segOnly, xrt(segOnly)],
  ['VAD + segmentation incl. framing', both - base, xrt(both - base)],
  ['diarization, neural engine (models + clustering)', diarNeural, xrt(diarNeural)],
  ['diarization, model-free engine', diarFree, xrt(diarFree)],
  [
    'VAD + segmentation + neural diarization incl. framing',
    speechAll - base,
    xrt(speechAll - base),
  ],
] as const;
console.log(`speech-side CPU on ${minutes} min of audio (one core: ONNX intra-op threads = 1)`);
for (const [name, s, r] of rows)
  console.log(`  ${name.padEnd(56)} ${s.toFixed(2).padStart(7)} s  ${r}`);
if (rssHours > 0) {
  await driveAnalyzersStream(
    (ctx) => [createVoiceActivityAnalyzer(ctx), createSegmentationAnalyzer(ctx)],
    loop(x, rssHours * 3600),
    rssHours * 3600,
  );
}
console.log(
  `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB` +
    (rssHours > 0 ? ` (after streaming ${rssHours} h through VAD + segmentation)` : ''),
);
