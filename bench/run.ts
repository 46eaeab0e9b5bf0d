/**
 * `npm run bench`: throughput and memory of the analysis engine, written to docs/BENCHMARKS.md.
 *
 * For the corpus (all audio files) and for a 1-hour and a 3-hour MP3 generated here (cached in
 * bench/.cache/): ffmpeg decode-only time (the pipeline's own decode, output discarded) as the
 * floor, then the analysis time of each processing type, × real time, the ratio to decode-only,
 * the CPU time of every analyzer (from the reports' `processing` block, so every registered stage
 * appears without editing this file), and peak RSS. Each measurement runs in its own child process.
 *
 * Also about one hour of real corpus recordings joined together (the corpus files, decoded to
 * 16 kHz mono and concatenated in /tmp at bench time, never committed): synthetic audio flatters
 * speed, since the speech models' cost depends on how much speech and how many speakers there are.
 *
 * Flags: --quick (corpus only), --type <t> (repeatable; default technical and comprehensive),
 * --inputs <list> (comma-separated subset of corpus,corpus-1h,1h,3h; default all).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '../src/audio/ffmpeg-path.js';
import { PROCESSING_TYPES, STAGES, type ProcessingType } from '../src/pipeline/stages.js';
import { corpusAudioFiles, corpusDir } from '../test/helpers/corpus.js';

interface MeasureRequest {
  /** `decode`: the pipeline's ffmpeg decode, output discarded. */
  readonly mode: 'decode' | 'analyze';
  readonly files: readonly string[];
  readonly type?: ProcessingType;
}

interface MeasureResult {
  readonly wallSec: number;
  readonly audioSec: number;
  /** CPU of the Node process (ffmpeg, a separate process, excluded). */
  readonly cpuSec: number;
  /** Peak RSS of the Node process, MB. */
  readonly maxRssMb: number;
  /** Summed time inside each analyzer, ms, keyed `stage/analyzer`. */
  readonly analyzers: Record<string, { stage: string; section: string; cpuMs: number }>;
  readonly framingMs: number;
  readonly failures: readonly string[];
}

const CACHE = 'bench/.cache';
const TARGET_RATIO = 3;
const TARGET_RSS_MB = 150;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const types: ProcessingType[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--type') {
    const t = args[++i] as ProcessingType;
    if (!PROCESSING_TYPES.includes(t)) {
      console.error(`--type must be one of ${PROCESSING_TYPES.join(', ')}`);
      process.exit(2);
    }
    types.push(t);
  }
}

function measure(req: MeasureRequest): MeasureResult {
  const r = spawnSync(process.execPath, ['bench/measure.mjs', JSON.stringify(req)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.trim().split('\n').at(-1);
  if (r.status !== 0 || !line) throw new Error(`measurement failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as MeasureResult;
}

/** ffmpeg's concat demuxer over a list file, written through a temporary file (same extension). */
function concatAudio(listFile: string, out: string, codec: readonly string[]): void {
  const tmp = out.replace(/(\.[a-z0-9]+)$/, '.tmp$1');
  execFileSync(resolveFfmpeg().path, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    listFile,
    ...codec,
    '-y',
    tmp,
  ]);
  renameSync(tmp, out);
}

/** Generates a synthetic MP3 (speech-like modulated noise over music-like tones), cached. */
function benchFile(hours: 1 | 3): string {
  mkdirSync(CACHE, { recursive: true });
  const ffmpeg = resolveFfmpeg().path;
  const one = join(CACHE, 'bench-1h.mp3');
  if (!existsSync(one)) {
    console.log('generating bench/.cache/bench-1h.mp3 (once)…');
    const tmp = `${one}.tmp.mp3`;
    // A steady chord (music-like) mixed with band-passed pink noise under a 4 Hz syllable-rate
    // tremolo and 0.3 Hz phrase gating (speech-like). s16 before LAME: the static ffmpeg build's
    // LAME asserts on some float input.
    const graph =
      'sine=f=220:sample_rate=44100:d=3600[a];sine=f=277:sample_rate=44100:d=3600[b];' +
      'sine=f=330:sample_rate=44100:d=3600[c];[a][b][c]amix=inputs=3[m];' +
      'anoisesrc=color=pink:sample_rate=44100:d=3600:amplitude=0.4,bandpass=f=800:w=1200,' +
      'tremolo=f=4:d=0.8,tremolo=f=0.3:d=0.9[s];' +
      '[m][s]amix=inputs=2,aformat=sample_fmts=s16:channel_layouts=stereo[out]';
    execFileSync(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-filter_complex',
      graph,
      '-map',
      '[out]',
      '-c:a',
      'libmp3lame',
      '-b:a',
      '192k',
      '-y',
      tmp,
    ]);
    renameSync(tmp, one);
  }
  if (hours === 1) return one;
  const three = join(CACHE, 'bench-3h.mp3');
  if (!existsSync(three)) {
    console.log('generating bench/.cache/bench-3h.mp3 (once, by concatenation)…');
    const list = join(CACHE, 'concat.txt');
    writeFileSync(list, "file 'bench-1h.mp3'\n".repeat(3));
    concatAudio(list, three, ['-c', 'copy']);
  }
  return three;
}

/**
 * About `seconds` of real corpus recordings joined end to end, built in the system temp folder:
 * each corpus file decoded once to 16 kHz mono WAV, the list repeated until long enough, then one
 * FLAC by ffmpeg's concat demuxer. Corpus audio never enters the repository.
 */
function joinedCorpusFile(files: readonly string[], seconds: number): string {
  const dir = join(tmpdir(), 'sonoteca-bench-corpus');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `corpus-joined-${seconds}s.flac`);
  if (existsSync(out)) return out;
  console.log(`joining corpus recordings into ${out} (once)…`);
  const ffmpeg = resolveFfmpeg().path;
  const parts: { path: string; sec: number }[] = [];
  files.forEach((f, i) => {
    const wav = join(dir, `part-${i}.wav`);
    execFileSync(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      f,
      '-ac',
      '1',
      '-ar',
      '16000',
      '-y',
      wav,
    ]);
    parts.push({ path: wav, sec: (readFileSync(wav).length - 44) / 32000 });
  });
  const list: string[] = [];
  let total = 0;
  while (total < seconds && parts.length > 0)
    for (const p of parts) {
      if (total >= seconds) break;
      list.push(`file '${p.path}'`);
      total += p.sec;
    }
  const listFile = join(dir, 'concat.txt');
  writeFileSync(listFile, `${list.join('\n')}\n`);
  concatAudio(listFile, out, ['-c:a', 'flac']);
  return out;
}

interface Row {
  input: string;
  audioSec: number;
  mode: string;
  m: MeasureResult;
  ratio?: number;
}

// Measurements run the compiled dist/ (as `sonoteca` does in production): build it first. tsc
// emits even when some file in progress has type errors; what matters is that the JS exists.
console.log('building dist/ …');
spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'ignore',
});
if (!existsSync('dist/pipeline/analyze-file.js')) {
  console.error('build failed: dist/pipeline/analyze-file.js missing (run npm run build)');
  process.exit(1);
}

const loadAtStart = loadavg()[0] ?? 0;
const rows: Row[] = [];
const inputs: { name: string; files: string[]; types: ProcessingType[] }[] = [];
const wantedInputs = (() => {
  const i = args.indexOf('--inputs');
  return new Set((i >= 0 ? (args[i + 1] ?? '') : 'corpus,corpus-1h,1h,3h').split(','));
})();
const defaultTypes: ProcessingType[] = types.length ? types : ['technical', 'comprehensive'];
const corpus = corpusDir();
if (existsSync(join(corpus, 'README.md'))) {
  if (wantedInputs.has('corpus'))
    inputs.push({ name: 'corpus', files: corpusAudioFiles(corpus), types: defaultTypes });
  if (!quick && wantedInputs.has('corpus-1h'))
    inputs.push({
      name: '1 h joined corpus',
      files: [joinedCorpusFile(corpusAudioFiles(corpus), 3600)],
      types: defaultTypes,
    });
} else console.warn(`no corpus at ${corpus}; skipping it`);
if (!quick) {
  if (wantedInputs.has('1h'))
    inputs.push({ name: '1 h MP3', files: [benchFile(1)], types: defaultTypes });
  if (wantedInputs.has('3h'))
    inputs.push({ name: '3 h MP3', files: [benchFile(3)], types: defaultTypes });
}

for (const input of inputs) {
  console.log(`\n${input.name}: ${input.files.length} file(s)`);
  const dec = measure({ mode: 'decode', files: input.files });
  rows.push({ input: input.name, audioSec: dec.audioSec, mode: 'decode only', m: dec });
  console.log(
    `  decode only: ${dec.wallSec.toFixed(1)} s, ${(dec.audioSec / dec.wallSec).toFixed(0)}× real time, ${dec.maxRssMb.toFixed(0)} MB`,
  );
  for (const t of input.types) {
    const m = measure({ mode: 'analyze', files: input.files, type: t });
    rows.push({
      input: input.name,
      audioSec: m.audioSec,
      mode: t,
      m,
      ratio: m.wallSec / dec.wallSec,
    });
    console.log(
      `  ${t}: ${m.wallSec.toFixed(1)} s, ${(m.audioSec / m.wallSec).toFixed(0)}× real time, ratio ${(m.wallSec / dec.wallSec).toFixed(2)}, ${m.maxRssMb.toFixed(0)} MB`,
    );
    for (const f of m.failures.slice(0, 5)) console.log(`    ! ${f}`);
  }
}

const fmt = (n: number, d = 1): string => n.toFixed(d);
const hms = (s: number): string =>
  `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.round(s % 60)).padStart(2, '0')}`;
const mainTable = [
  '| input | audio | run | wall s | × real time | ÷ decode-only | CPU s | peak RSS MB |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.input} | ${hms(r.audioSec)} | ${r.mode} | ${fmt(r.m.wallSec)} | ${fmt(r.audioSec / r.m.wallSec, 0)} | ${r.ratio !== undefined ? fmt(r.ratio, 2) : '1.00'} | ${fmt(r.m.cpuSec)} | ${fmt(r.m.maxRssMb, 0)} |`,
  ),
];
const stageTable = [
  '| input | run | stage / analyzer | section | CPU s | × real time |',
  '|---|---|---|---|---|---|',
];
for (const r of rows) {
  if (r.mode === 'decode only') continue;
  if (r.m.framingMs >= 50)
    stageTable.push(
      `| ${r.input} | ${r.mode} | (shared framing) | | ${fmt(r.m.framingMs / 1000, 2)} | ${r.m.framingMs > 0 ? fmt(r.audioSec / (r.m.framingMs / 1000), 0) : '—'} |`,
    );
  for (const [key, a] of Object.entries(r.m.analyzers)) {
    const sec = a.cpuMs / 1000;
    stageTable.push(
      `| ${r.input} | ${r.mode} | ${key} | ${a.section} | ${fmt(sec, 2)} | ${sec > 0 ? fmt(r.audioSec / sec, 0) : '—'} |`,
    );
  }
}

const tech1 = rows.find((r) => r.input === '1 h MP3' && r.mode === 'technical');
const rss = rows.filter((r) => r.input !== 'corpus' && r.mode === 'technical');
const targets: string[] = [];
if (tech1?.ratio !== undefined) {
  targets.push(
    `- technical analysis of 1 h MP3 within ${TARGET_RATIO}× decode-only: **${fmt(tech1.ratio, 2)}×** → ${tech1.ratio <= TARGET_RATIO ? 'met' : 'NOT met'}`,
  );
}
for (const r of rss) {
  targets.push(
    `- peak RSS < ${TARGET_RSS_MB} MB (${r.input}, technical): **${fmt(r.m.maxRssMb, 0)} MB** → ${r.m.maxRssMb < TARGET_RSS_MB ? 'met' : 'NOT met'}`,
  );
}
// Issue 3: VAD + segmentation + diarization >= 50x real time per core, 3 h under 400 MB.
// Issue 4: the whole analysis >= 30x real time per core. "Per core" = audio seconds over the CPU
// seconds of the analysing process (all its threads, ONNX included; ffmpeg's own decode is the
// decode-only row).
const SPEECH_SECTIONS = new Set(['voice_activity', 'segmentation', 'speaker_recognition']);
for (const r of rows.filter((x) => x.input !== 'corpus' && x.mode === 'comprehensive')) {
  const speechSec =
    Object.values(r.m.analyzers)
      .filter((a) => SPEECH_SECTIONS.has(a.section))
      .reduce((n, a) => n + a.cpuMs, 0) / 1000;
  if (speechSec > 0) {
    const x = r.audioSec / speechSec;
    targets.push(
      `- VAD + segmentation + diarization ≥ 50× real time per core (${r.input}): **${fmt(x, 0)}×** → ${x >= 50 ? 'met' : 'NOT met'}`,
    );
  }
  const whole = r.audioSec / r.m.cpuSec;
  targets.push(
    `- whole analysis ≥ 30× real time per core (${r.input}, process CPU): **${fmt(whole, 0)}×** → ${whole >= 30 ? 'met' : 'NOT met'}`,
  );
  const diar = Object.values(r.m.analyzers)
    .filter((a) => a.section === 'speaker_recognition')
    .reduce((n, a) => n + a.cpuMs, 0);
  if (diar > 0)
    targets.push(
      `- diarization alone (${r.input}): **${fmt(r.audioSec / (diar / 1000), 0)}×** real time per core`,
    );
  if (r.input === '3 h MP3') {
    // issue 3 asked < 400 MB; issue 14 (speech models) allows ≤ 500 MB
    targets.push(
      `- peak RSS < 400 MB (issue 3) / ≤ 500 MB (issue 14) (3 h MP3, comprehensive): **${fmt(r.m.maxRssMb, 0)} MB** → ${r.m.maxRssMb < 400 ? 'met' : r.m.maxRssMb <= 500 ? 'met for issue 14 only' : 'NOT met'}`,
    );
  }
}
if (targets.length === 0) targets.push('- (targets need the 1 h / 3 h files: run without --quick)');

let commit = 'unknown';
let ffmpegVersion = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  ffmpegVersion =
    execFileSync(resolveFfmpeg().path, ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
} catch {
  // not a git checkout / no ffmpeg version line
}
const cpu = cpus();
const md = [
  '# Benchmarks',
  '',
  `Measured by \`npm run bench${args.length ? ` ${args.join(' ')}` : ''}\` on ${new Date().toISOString().slice(0, 10)}, commit \`${commit}\`.`,
  `Machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, ${osType()} ${release()}, Node ${process.version}, ${ffmpegVersion}.`,
  '',
  `1-minute load average: ${fmt(loadAtStart, 1)} at start, ${fmt(loadavg()[0] ?? 0, 1)} at end ` +
    `(on ${cpu.length} cores; a busy machine stretches wall times, ratios stay comparable).`,
  '',
  'Each row runs in its own child process on the compiled `dist/` (as the `sonoteca` command runs).',
  '"decode only" is the pipeline\'s own ffmpeg decode (analysis stream + native stream), output discarded:',
  'the floor every analysis pays. "÷ decode-only" is analysis wall time over that floor. Peak RSS is the',
  'Node process (ffmpeg runs as a separate process with its own small, constant footprint).',
  '',
  '## Targets',
  '',
  ...targets,
  '',
  '## Throughput and memory',
  '',
  ...mainTable,
  '',
  "## Per stage (CPU time inside each analyzer, from the reports' `processing` block)",
  '',
  `Registered stages: ${STAGES.map((s) => `\`${s.id}\` (${s.types.join(', ')})`).join('; ') || 'none'}.`,
  '',
  ...stageTable,
  '',
];
console.log(
  `\n${mainTable.join('\n')}\n\n${stageTable.join('\n')}\n\nTargets:\n${targets.join('\n')}`,
);
if (!quick) {
  // Keep the sections other benches maintain in the same file, between their own markers
  // (`npm run bench:service`, the duplicates numbers of `npm run bench:duplicates`).
  const previous = existsSync('docs/BENCHMARKS.md')
    ? readFileSync('docs/BENCHMARKS.md', 'utf8')
    : '';
  for (const kept of previous.matchAll(
    /<!-- ([a-z-]+)-bench:start -->[\s\S]*?<!-- \1-bench:end -->/g,
  ))
    md.push('', kept[0], '');
  writeFileSync('docs/BENCHMARKS.md', md.join('\n'));
  console.log('\nwrote docs/BENCHMARKS.md');
} else console.log('\n(--quick: docs/BENCHMARKS.md not rewritten)');
