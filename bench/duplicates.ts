/**
 * `npm run bench:duplicates`: (1) the fingerprint analyzer's CPU as a share of the comprehensive
 * analysis (reports' per-analyzer timings, corpus files); (2) one duplicate query against a
 * synthetic index of 10,000 recordings in SQLite (random 20-bit hashes, 1,000 triplets each, plus
 * the real fingerprint of one corpus recording), answered through the store's index.
 * Prints Markdown rows for docs/BENCHMARKS.md.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodePoints,
  encodeTriplets,
  matchFingerprint,
  type FingerprintSection,
} from '../src/analysis/fingerprint/index.js';
import { mulberry32 } from '../src/dsp/random.js';
import { analyzeFile } from '../src/pipeline/analyze-file.js';
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

// (1) Fingerprinting cost inside the comprehensive analysis.
let fpMs = 0;
let totalMs = 0;
let audioSec = 0;
let query: FingerprintSection | undefined;
for (const f of FILES) {
  const r = await analyzeFile(join(corpus, f), { processingType: 'comprehensive' });
  const fp = r.processing.analyzers.find((a) => a.section === 'audio_fingerprint');
  fpMs += fp?.cpu_ms ?? 0;
  totalMs += r.processing.process_cpu_ms;
  audioSec += r.audio_info.decoded_duration;
  query ??= (r.results as unknown as Record<string, FingerprintSection>)['audio_fingerprint'];
}
const share = (fpMs / totalMs) * 100;
rows.push(
  `| fingerprint in comprehensive (${FILES.length} corpus files, ${audioSec.toFixed(0)} s) | ` +
    `${(fpMs / 1000).toFixed(2)} s of ${(totalMs / 1000).toFixed(2)} s process CPU | ` +
    `**${share.toFixed(1)} %** (target < 5 %) |`,
);

// (2) A query against a synthetic 10,000-recording index.
const dir = tempDir('sono-bench-dup-');
const store = await createDatabase({ kind: 'sqlite', file: join(dir, 'index.db') });
try {
  const rand = mulberry32(2024);
  const t0 = performance.now();
  for (let i = 0; i < RECORDINGS; i++) {
    const triplets = Array.from({ length: TRIPLETS_PER_RECORDING }, (_, k) => ({
      hash: Math.floor(rand() * (1 << 20)),
      timeSec: k * 0.03,
      lfSt: 10 + 50 * rand(),
    }));
    await store.fingerprints.put({
      sha256: i.toString(16).padStart(64, '0'),
      taskId: null,
      sourceName: `synthetic-${i}`,
      durationSec: 30,
      pcmMd5: null,
      encoding: 'sonoteca-fp1',
      data: encodeTriplets(triplets),
    });
  }
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
