/**
 * `npm run bench:duplicates`: (1) the fingerprint analyzer's CPU as a share of the comprehensive
 * analysis (reports' per-analyzer timings, corpus files) and the process CPU the comprehensive
 * analysis spends with minus without the fingerprint stage; (2) one duplicate query against a
 * synthetic index of 10,000 recordings in SQLite (random 20-bit hashes, 1,000 triplets each,
 * generated in SQL, plus
 * the real fingerprint of one corpus recording), answered through the store's index.
 * Prints Markdown rows for docs/BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  decodePoints,
  matchFingerprint,
  type FingerprintSection,
} from '../src/analysis/fingerprint/index.js';
import type { FinishContext } from '../src/analysis/analyzer.js';
import { FingerprintAnalyzer } from '../src/analysis/fingerprint/fingerprint-analyzer.js';
import { DEFAULT_FRAMER, Framer, type Frame } from '../src/analysis/frames.js';
import { resolveFfmpeg } from '../src/audio/ffmpeg-path.js';
import { analyzeFile } from '../src/pipeline/analyze-file.js';
import { STAGES } from '../src/pipeline/stages.js';
import { storeIndex } from '../src/service/duplicates.js';
import { createDatabase } from '../src/store/database.js';
import { tempDir } from '../test/helpers/fixtures.js';
import { corpusDir } from '../test/helpers/corpus.js';

const RECORDINGS = Number(process.env['BENCH_RECORDINGS'] ?? 10_000);
const TRIPLETS_PER_RECORDING = 1000;
const FILES = [
  'music/brahms-hungarian-dance-5.ogg',
  'conversation/ami-dev00.wav',
  'heritage/opera/pulsefy__caruso_tosca_recondita-armonia.ogg',
  'speech/librispeech-3436-172162-0000.ogg',
];

const corpus = corpusDir();
if (!corpus) {
  console.error('corpus not found: set SONOTECA_CORPUS');
  process.exit(2);
}
const rows: string[] = [];

// (1) Fingerprinting cost inside the comprehensive analysis, two ways: the analyzer's own timing
// (wall time around its calls: inflated when other processes take the CPU) and the difference in
// process CPU between the comprehensive analysis with and without the fingerprint stage (robust
// to load, but noisy at a few per cent: two alternating rounds after a warm-up that loads models).
const withoutFingerprint = STAGES.filter((s) => s.id !== 'fingerprint');
await analyzeFile(join(corpus, FILES[1]!), { processingType: 'comprehensive' });
let fpMs = 0;
let totalMs = 0;
let withMs = 0;
let withoutMs = 0;
let audioSec = 0;
let query: FingerprintSection | undefined;
for (let round = 0; round < 2; round++) {
  for (const f of FILES) {
    const r = await analyzeFile(join(corpus, f), { processingType: 'comprehensive' });
    const fp = r.processing.analyzers.find((a) => a.section === 'audio_fingerprint');
    fpMs += fp?.cpu_ms ?? 0;
    totalMs += r.processing.process_cpu_ms;
    withMs += r.processing.process_cpu_ms;
    if (round === 0) audioSec += r.audio_info.decoded_duration;
    query ??= (r.results as unknown as Record<string, FingerprintSection>)['audio_fingerprint'];
    const w = await analyzeFile(join(corpus, f), {
      processingType: 'comprehensive',
      stages: withoutFingerprint,
    });
    withoutMs += w.processing.process_cpu_ms;
  }
}
// The analyzer alone, exactly: its CPU time (single-threaded synchronous code, so process CPU
// is its own) over power spectra and native samples prepared beforehand, the same as the
// pipeline hands it (the DEFAULT_FRAMER spectra are shared with segmentation and diarization, so
// they cost the fingerprint nothing in the comprehensive analysis).
function decodeF32(path: string, args: readonly string[]): Float32Array {
  const b = execFileSync(
    resolveFfmpeg().path,
    ['-v', 'error', '-i', path, ...args, '-f', 'f32le', '-'],
    {
      maxBuffer: 1 << 30,
    },
  );
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}
let isolatedMs = 0;
for (const f of FILES) {
  const path = join(corpus, f);
  const powers: Float32Array[] = [];
  const framer = new Framer(DEFAULT_FRAMER, (fr) => powers.push(Float32Array.from(fr.power)));
  framer.push(decodeF32(path, ['-ac', '1', '-ar', String(DEFAULT_FRAMER.sampleRateHz)]));
  framer.flush();
  const native = decodeF32(path, []);
  const fp = new FingerprintAnalyzer();
  const t0 = process.cpuUsage();
  for (const power of powers) fp.onFrame({ power } as unknown as Frame);
  for (let o = 0; o < native.length; o += 16384) fp.onNative(native.subarray(o, o + 16384));
  fp.finish({
    durationSec: (powers.length * DEFAULT_FRAMER.hopSamples) / DEFAULT_FRAMER.sampleRateHz,
  } as FinishContext);
  const used = process.cpuUsage(t0);
  isolatedMs += (used.user + used.system) / 1000;
}
const isolated = (isolatedMs / (withMs / 2 - isolatedMs)) * 100;
const share = (fpMs / totalMs) * 100;
const added = ((withMs - withoutMs) / withoutMs) * 100;
rows.push(
  `| fingerprint in comprehensive, analyzer timing (${FILES.length} corpus files, ${audioSec.toFixed(0)} s, 2 rounds) | ` +
    `${(fpMs / 1000).toFixed(2)} s of ${(totalMs / 1000).toFixed(2)} s process CPU | ` +
    `**${share.toFixed(1)} %** (target < 5 %) |`,
  `| fingerprint in comprehensive, process CPU with − without the stage | ` +
    `${(withMs / 1000).toFixed(2)} s − ${(withoutMs / 1000).toFixed(2)} s | ` +
    `**${added.toFixed(1)} %** added (target < 5 %) |`,
  `| fingerprint analyzer alone, CPU time over prepared spectra and samples | ` +
    `${(isolatedMs / 1000).toFixed(2)} s vs ${(withMs / 2000).toFixed(2)} s comprehensive per round | ` +
    `**${isolated.toFixed(1)} %** added (target < 5 %) |`,
);

// (2) A query against a synthetic 10,000-recording index.
const dir = tempDir('sono-bench-dup-');
const store = await createDatabase({ kind: 'sqlite', file: join(dir, 'index.db') });
try {
  const t0 = performance.now();
  // The synthetic recordings are generated in SQL (one statement each table): inserting 10 M
  // rows through the repository one recording at a time takes most of an hour on a loaded box.
  const postings = RECORDINGS * TRIPLETS_PER_RECORDING;
  await sql`
    with recursive seq(k) as (select 1 union all select k + 1 from seq where k < ${sql.lit(RECORDINGS)})
    insert into fingerprints (sha256, task_id, source_name, duration_sec, pcm_md5, encoding,
      hash_count, data, created_at)
    select printf('%064x', k), null, 'synthetic-' || k, 30, null, 'sonoteca-fp1',
      ${sql.lit(TRIPLETS_PER_RECORDING)}, zeroblob(8), '2026-01-01T00:00:00Z' from seq`.execute(
    store.db,
  );
  await sql`
    with recursive seq(k) as (select 0 union all select k + 1 from seq where k < ${sql.lit(postings - 1)})
    insert into fingerprint_postings (hash, fingerprint_id, time_ms, lf)
    select abs(random()) % 1048576, k / ${sql.lit(TRIPLETS_PER_RECORDING)} + 1,
      (k % ${sql.lit(TRIPLETS_PER_RECORDING)}) * 30, 320 + abs(random()) % 1600 from seq`.execute(
    store.db,
  );
  const data = Buffer.from(query?.data ?? '', 'base64');
  await store.fingerprints.put({
    sha256: 'f'.repeat(64),
    taskId: null,
    sourceName: FILES[0]!,
    durationSec: query?.duration_sec ?? 0,
    pcmMd5: null,
    encoding: 'sonoteca-fp1',
    data,
  });
  const buildSec = (performance.now() - t0) / 1000;
  const points = decodePoints(data);
  const index = storeIndex(store);
  const times: number[] = [];
  let found = 0;
  for (let run = 0; run < 5; run++) {
    const tq = performance.now();
    const hits = await matchFingerprint(points, index);
    times.push(performance.now() - tq);
    found = hits.length;
  }
  times.sort((a, b) => a - b);
  rows.push(
    `| query against ${RECORDINGS.toLocaleString('en')} recordings (SQLite, ` +
      `${((RECORDINGS * TRIPLETS_PER_RECORDING) / 1e6).toFixed(0)} M postings; index built in ` +
      `${buildSec.toFixed(0)} s) | ${points.hashes.length} query triplets, ${found} match(es) | ` +
      `median **${times[2]!.toFixed(0)} ms**, max ${times[4]!.toFixed(0)} ms (target < 100 ms) |`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(['| measurement | detail | result |', '| --- | --- | --- |', ...rows].join('\n'));
