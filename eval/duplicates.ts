/**
 * Duplicate detection (issue 12): cases built with ffmpeg from corpus recordings in a temp
 * folder (re-encodes, other rates and bit depths, ±3/±6/±10 % speed via asetrate+aresample,
 * 5–30 s excerpts inside other recordings, white noise at 10 dB SNR), then every case and every
 * corpus recording fingerprinted and matched all against all, as `sonoteca duplicates` does.
 * A found pair is true when both files contain audio of the same corpus recording.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  decodePoints,
  findDuplicatePairs,
  type DuplicatePair,
  type FingerprintedRecording,
  type FingerprintSection,
} from '../src/analysis/fingerprint/index.js';
import { mulberry32 } from '../src/dsp/random.js';
import { analyzeFile } from '../src/pipeline/analyze-file.js';
import { fingerprintStages } from '../src/pipeline/stages.js';
import { encodeWav } from '../test/helpers/fixtures.js';
import { resolveFfmpeg } from '../src/audio/ffmpeg-path.js';
import { markdownTable, type Evaluation } from './common.js';

const SOURCES = [
  'music/brahms-hungarian-dance-5.ogg',
  'music/orsa-pistachio-ragtime.ogg',
  'speech/librispeech-3436-172162-0000.ogg',
  'conversation/ami-dev00.wav',
  'heritage/spoken_word/chatterbox__linda_johnson_01.flac',
  'heritage/historical_speech/echotrainer__fdr-infamy.mp3',
  'heritage/opera/pulsefy__caruso_tosca_recondita-armonia.ogg',
  'heritage/folk_music/aljanaki__ukr_oi-u-poli-dvi-topoli.wav',
  'nature/nps-humpback-whale.ogg',
  'heritage/classical_music/bachvln__john-garner_bwv1002_mov6.mp3',
];
/** Hosts the excerpts are inserted into (recordings of other kinds). */
const HOSTS = [
  'music/macleod-vibe-ace.ogg',
  'conversation/ami-trn03.wav',
  'heritage/religious_chant/muslimtify__adhan_a.mp3',
];
const SPEEDS = [0.9, 0.94, 0.97, 1.03, 1.06, 1.1];

interface Case {
  readonly file: string;
  readonly kind: string;
  readonly source: string;
  /** Corpus recordings whose audio this file contains. */
  readonly contains: readonly string[];
  readonly expectKind: DuplicatePair['kind'];
  /** b's time for a's time t (a = source, b = this case). */
  readonly mapTime: (tA: number) => number;
  readonly speed: number;
}

function ffmpeg(args: string[]): void {
  execFileSync(resolveFfmpeg().path, ['-v', 'error', '-y', ...args], { stdio: 'pipe' });
}

function decodeMono16k(path: string): Float32Array {
  const buf = execFileSync(
    resolveFfmpeg().path,
    ['-v', 'error', '-i', path, '-ac', '1', '-ar', '16000', '-f', 'f32le', '-'],
    { maxBuffer: 1 << 30 },
  );
  return new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.length / 4));
}

function buildCases(corpus: string, dir: string): Case[] {
  const cases: Case[] = [];
  const rand = mulberry32(12);
  SOURCES.forEach((src, si) => {
    const input = join(corpus, src);
    const base = `s${si}`;
    const add = (
      name: string,
      args: string[],
      kind: string,
      expectKind: DuplicatePair['kind'],
      speed = 1,
    ) => {
      const file = join(dir, `${base}-${name}`);
      ffmpeg(['-i', input, ...args, file]);
      cases.push({
        file,
        kind,
        source: src,
        contains: [src],
        expectKind,
        mapTime: (t) => t / speed,
        speed,
      });
    };
    add('exact.wav', ['-c:a', 'pcm_f32le'], 'exact copy (float WAV of the decoded audio)', 'exact');
    add(
      'mp3-96k.mp3',
      ['-c:a', 'libmp3lame', '-b:a', '96k'],
      're-encode MP3 96 kb/s',
      'near_duplicate',
    );
    add(
      'opus-32k.ogg',
      ['-c:a', 'libopus', '-b:a', '32k'],
      're-encode Opus 32 kb/s',
      'near_duplicate',
    );
    add('22k-s16.wav', ['-ar', '22050', '-c:a', 'pcm_s16le'], '22.05 kHz 16-bit', 'near_duplicate');
    add(
      '48k-s24.flac',
      ['-ar', '48000', '-c:a', 'flac', '-sample_fmt', 's32'],
      '48 kHz 24-bit FLAC',
      'near_duplicate',
    );
    for (const s of SPEEDS) {
      add(
        `speed-${s}.wav`,
        // Resampled to 44.1 kHz first so asetrate scales the speed by exactly s.
        ['-af', `aresample=44100,asetrate=${Math.round(44100 * s)},aresample=44100`],
        `speed ${s > 1 ? '+' : ''}${Math.round((s - 1) * 100)} %`,
        'near_duplicate',
        s,
      );
    }
    // Noise at 10 dB SNR, added to the decoded audio (seeded white noise).
    const x = decodeMono16k(input);
    let p = 0;
    for (const v of x) p += v * v;
    p /= Math.max(1, x.length);
    const amp = Math.sqrt((3 * p) / 10);
    const r = mulberry32(100 + si);
    const noisy = x.map((v) => Math.max(-1, Math.min(1, v + amp * (2 * r() - 1))));
    const noisyFile = join(dir, `${base}-noise10db.wav`);
    writeFileSync(noisyFile, encodeWav([noisy], { sampleRateHz: 16000 }));
    cases.push({
      file: noisyFile,
      kind: 'white noise, 10 dB SNR',
      source: src,
      contains: [src],
      expectKind: 'near_duplicate',
      mapTime: (t) => t,
      speed: 1,
    });
    // An excerpt (5–30 s) inside another recording, at 16 kHz mono.
    const lenSec = 5 + Math.round(rand() * 25);
    const total = x.length / 16000;
    const from = Math.max(0, Math.min(total - lenSec - 0.5, rand() * (total - lenSec)));
    const host = HOSTS[si % HOSTS.length]!;
    const at = 3 + Math.round(rand() * 20 * 10) / 10;
    const excerptFile = join(dir, `${base}-excerpt-${lenSec}s.wav`);
    ffmpeg([
      '-i',
      join(corpus, host),
      '-i',
      input,
      '-filter_complex',
      `[0:a]aformat=sample_rates=16000:channel_layouts=mono,asplit[h1][h2];` +
        `[h1]atrim=0:${at}[pre];[h2]atrim=${at}:${at + 20},asetpts=PTS-STARTPTS[post];` +
        `[1:a]aformat=sample_rates=16000:channel_layouts=mono,atrim=${from.toFixed(3)}:${(from + lenSec).toFixed(3)},asetpts=PTS-STARTPTS[ex];` +
        `[pre][ex][post]concat=n=3:v=0:a=1`,
      excerptFile,
    ]);
    cases.push({
      file: excerptFile,
      kind: 'excerpt 5–30 s inside another recording',
      source: src,
      contains: [src, host],
      expectKind: 'partial_overlap',
      mapTime: (t) => at + (t - from),
      speed: 1,
    });
  });
  return cases;
}

function corpusAudio(corpus: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(wav|flac|mp3|ogg|opus|m4a|aiff?)$/i.test(n)) out.push(p);
    }
  };
  walk(corpus);
  return out;
}

async function fingerprintFile(
  id: string,
  path: string,
): Promise<{ rec: FingerprintedRecording; cpuMs: number }> {
  const report = await analyzeFile(path, { stages: fingerprintStages() });
  const fp = (report.results as unknown as Record<string, FingerprintSection>)[
    'audio_fingerprint'
  ]!;
  const cpuMs = report.processing.analyzers.find((a) => a.section === 'audio_fingerprint')!.cpu_ms;
  return {
    rec: {
      id,
      durationSec: fp.duration_sec ?? 0,
      pcmMd5: fp.pcm_md5 ?? null,
      points: decodePoints(Buffer.from(fp.data ?? '', 'base64')),
    },
    cpuMs,
  };
}

export const duplicatesEvaluation: Evaluation = {
  id: 'duplicates',
  title: 'Duplicates by listening (audio fingerprints)',
  async run(corpus: string): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'sono-dup-eval-'));
    try {
      const cases = buildCases(corpus, dir);
      const corpusFiles = corpusAudio(corpus);
      const recs: FingerprintedRecording[] = [];
      const contains = new Map<string, readonly string[]>();
      let fpCpuMs = 0;
      let audioSec = 0;
      for (const f of corpusFiles) {
        const id = relative(corpus, f);
        const { rec, cpuMs } = await fingerprintFile(id, f);
        recs.push(rec);
        contains.set(id, [id]);
        fpCpuMs += cpuMs;
        audioSec += rec.durationSec;
      }
      for (const c of cases) {
        const id = relative(dir, c.file);
        const { rec } = await fingerprintFile(id, c.file);
        recs.push(rec);
        contains.set(id, c.contains);
      }
      const t0 = performance.now();
      const pairs = await findDuplicatePairs(recs);
      const matchSec = (performance.now() - t0) / 1000;

      const isTrue = (p: DuplicatePair) => {
        const x = contains.get(p.a) ?? [];
        const y = contains.get(p.b) ?? [];
        return x.some((s) => y.includes(s));
      };
      const falsePairs = pairs.filter((p) => !isTrue(p));
      const corpusIds = new Set(corpusFiles.map((f) => relative(corpus, f)));
      const falseCorpus = falsePairs.filter((p) => corpusIds.has(p.a) && corpusIds.has(p.b));

      // Per case: the pair between the case and its source.
      interface Row {
        kind: string;
        n: number;
        found: number;
        kindOk: number;
        offsetOk: number;
        speedOk: number;
        maxOffsetErr: number;
        maxSpeedErrPct: number;
        scores: number[];
      }
      const rows = new Map<string, Row>();
      const misses: string[] = [];
      for (const c of cases) {
        const id = relative(dir, c.file);
        const row =
          rows.get(c.kind) ??
          ({
            kind: c.kind,
            n: 0,
            found: 0,
            kindOk: 0,
            offsetOk: 0,
            speedOk: 0,
            maxOffsetErr: 0,
            maxSpeedErrPct: 0,
            scores: [],
          } satisfies Row);
        rows.set(c.kind, row);
        row.n++;
        const p = pairs.find(
          (q) => (q.a === c.source && q.b === id) || (q.a === id && q.b === c.source),
        );
        if (!p) {
          misses.push(`${id} (${c.kind}, source ${c.source})`);
          continue;
        }
        row.found++;
        if (p.kind === c.expectKind) row.kindOk++;
        // Pair as (source, case): invert when the case came first.
        const swapped = p.a === id;
        const offA = swapped ? p.offset_b_sec : p.offset_a_sec;
        const offB = swapped ? p.offset_a_sec : p.offset_b_sec;
        const speed = swapped ? 1 / p.speed_ratio : p.speed_ratio;
        const offErr = Math.abs(offB - c.mapTime(offA));
        const speedErrPct = (Math.abs(speed - c.speed) / c.speed) * 100;
        if (offErr <= 0.1) row.offsetOk++;
        if (speedErrPct <= 0.5) row.speedOk++;
        row.maxOffsetErr = Math.max(row.maxOffsetErr, offErr);
        row.maxSpeedErrPct = Math.max(row.maxSpeedErrPct, speedErrPct);
        row.scores.push(p.score);
      }
      const all = [...rows.values()];
      const total = all.reduce((s, r) => s + r.n, 0);
      const found = all.reduce((s, r) => s + r.found, 0);
      const truePairs = pairs.length - falsePairs.length;
      const pct = (x: number, n: number) => (n > 0 ? `${((x / n) * 100).toFixed(1)} %` : '–');
      const table = markdownTable(
        [
          'case',
          'n',
          'found',
          'kind right',
          'offset ≤ 0.1 s',
          'speed ≤ 0.5 %',
          'max offset err s',
          'max speed err %',
          'median score',
        ],
        all.map((r) => {
          const s = [...r.scores].sort((x, y) => x - y);
          return [
            r.kind,
            r.n,
            r.found,
            r.kindOk,
            r.offsetOk,
            r.speedOk,
            r.maxOffsetErr.toFixed(3),
            r.maxSpeedErrPct.toFixed(3),
            s.length ? s[Math.floor(s.length / 2)]!.toFixed(2) : '–',
          ];
        }),
      );
      const hashesPerSec =
        recs.slice(0, corpusFiles.length).reduce((s, r) => s + r.points.hashes.length, 0) /
        Math.max(1, audioSec);
      const md = [
        `${SOURCES.length} corpus recordings, ${cases.length} cases built from them in a temp folder, ` +
          `matched all against all together with the ${corpusFiles.length} corpus recordings ` +
          `(${recs.length} files, ${pairs.length} pairs found).`,
        '',
        table,
        '',
        `- **recall**: ${found}/${total} built duplicates found (${pct(found, total)}; target ≥ 95 %)`,
        `- **precision**: ${truePairs}/${pairs.length} pairs true (${pct(truePairs, pairs.length)}); ` +
          `false pairs: ${falsePairs.length}`,
        `- **false matches among the corpus recordings themselves**: ${falseCorpus.length} (target 0)`,
        `- offsets within 0.1 s: ${all.reduce((s, r) => s + r.offsetOk, 0)}/${found}; ` +
          `speed ratio within 0.5 %: ${all.reduce((s, r) => s + r.speedOk, 0)}/${found}`,
        `- fingerprint density on the corpus: ${hashesPerSec.toFixed(1)} hashes/s; fingerprint ` +
          `CPU ${(fpCpuMs / 1000).toFixed(2)} s for ${(audioSec / 60).toFixed(1)} min of corpus audio; ` +
          `all-against-all matching of ${recs.length} files ${matchSec.toFixed(2)} s`,
        ...(misses.length ? ['', `Missed: ${misses.join('; ')}`] : []),
        ...(falsePairs.length
          ? [
              '',
              `False pairs: ${falsePairs
                .map((p) => `${p.a} ~ ${p.b} (${p.kind}, ${p.duration_sec} s, score ${p.score})`)
                .join('; ')}`,
            ]
          : []),
      ].join('\n');
      console.log(md);
      return md;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
