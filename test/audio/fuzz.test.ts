/**
 * Fuzz suite (issue 8): deterministic mutations of small files of every accepted container —
 * truncation at many offsets, header bytes changed, swapped magic, random bytes, huge declared
 * sizes. Each mutant goes through probe + decode + report assembly (no analyzers, so the suite
 * stays fast); every one must end in a schema-valid report or a coded failure record, within a
 * bounded time, without a crash. A sample of mutants also runs the technical pipeline (QC).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { mulberry32 } from '../../src/dsp/random.js';
import { analyzeFileSafe, type AnalyzeResult } from '../../src/pipeline/analyze-file.js';
import { validateDocument } from '../../src/pipeline/validate-report.js';
import { tempDir, tone, writeWav } from '../helpers/fixtures.js';
import { writeEncoded } from './ffmpeg-fixtures.js';

const dir = tempDir('sonoteca-fuzz-');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Per-mutant limit: a hang is a failure. */
const MUTANT_TIMEOUT_MS = 20_000;

const x = tone(440, 0.4, 16000, 0.4);
const SOURCES: Record<string, string> = {
  wav: writeWav(dir, 'seed.wav', [x], { sampleRateHz: 16000 }),
  mp3: writeEncoded(dir, 'seed.mp3', [x], { sampleRateHz: 16000 }, [
    '-c:a',
    'libmp3lame',
    '-b:a',
    '32k',
  ]),
  flac: writeEncoded(dir, 'seed.flac', [x], { sampleRateHz: 16000 }, ['-c:a', 'flac']),
  opus: writeEncoded(dir, 'seed.opus', [x], { sampleRateHz: 16000 }, [
    '-c:a',
    'libopus',
    '-b:a',
    '16k',
  ]),
  aiff: writeEncoded(dir, 'seed.aiff', [x], { sampleRateHz: 16000 }, ['-c:a', 'pcm_s16be']),
  m4a: writeEncoded(dir, 'seed.m4a', [x], { sampleRateHz: 16000 }, [
    '-c:a',
    'aac',
    '-b:a',
    '32k',
    '-movflags',
    '+faststart',
  ]),
};
const MAGIC: Record<string, Buffer> = {
  wav: Buffer.from('RIFF'),
  mp3: Buffer.from([0xff, 0xfb, 0x90, 0x64]),
  flac: Buffer.from('fLaC'),
  opus: Buffer.from('OggS'),
  aiff: Buffer.from('FORM'),
  m4a: Buffer.from('\0\0\0\x20ftypM4A ', 'latin1'),
};

interface Mutant {
  readonly name: string;
  readonly bytes: Buffer;
}

/** About 200 deterministic mutants of `seed` (same seed → same mutants). */
function mutate(kind: string, seed: Buffer, rngSeed: number): Mutant[] {
  const rnd = mulberry32(rngSeed);
  const out: Mutant[] = [];
  const n = seed.length;
  // Truncation at about 60 offsets: every 4th byte of the first 64 (inside the headers), a few
  // landmarks, then 39 points spread over the file (`cut@20/40` is the first half).
  for (const cut of [1, 4, 8, 11, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 512])
    if (cut < n) out.push({ name: `cut@${cut}`, bytes: seed.subarray(0, cut) });
  for (let i = 1; i < 40; i++)
    out.push({ name: `cut@${i}/40`, bytes: seed.subarray(0, Math.floor((n * i) / 40)) });
  // Header bytes: 100 single bytes in the first 256 set to random values, 20 bit flips.
  const head = Math.min(256, n);
  for (let i = 0; i < 100; i++) {
    const b = Buffer.from(seed);
    const at = Math.floor(rnd() * head);
    b[at] = Math.floor(rnd() * 256);
    out.push({ name: `byte@${at}`, bytes: b });
  }
  for (let i = 0; i < 20; i++) {
    const b = Buffer.from(seed);
    const at = Math.floor(rnd() * head);
    const bit = Math.floor(rnd() * 8);
    b[at] = b[at]! ^ (1 << bit);
    out.push({ name: `bit@${at}.${bit}`, bytes: b });
  }
  // Swapped magic: another container's first bytes on this content.
  for (const [other, magic] of Object.entries(MAGIC)) {
    if (other === kind) continue;
    const b = Buffer.from(seed);
    magic.copy(b, 0);
    out.push({ name: `magic=${other}`, bytes: b });
  }
  // Random bytes over 10 regions of the body, and a whole file of noise with the right magic.
  for (let i = 0; i < 10; i++) {
    const b = Buffer.from(seed);
    const start = Math.floor(n * (0.1 + 0.08 * i));
    for (let k = start; k < Math.min(n, start + 256); k++) b[k] = Math.floor(rnd() * 256);
    out.push({ name: `noise@${start}`, bytes: b });
  }
  const noise = Buffer.alloc(Math.min(n, 4096));
  for (let k = 0; k < noise.length; k++) noise[k] = Math.floor(rnd() * 256);
  MAGIC[kind]!.copy(noise, 0);
  out.push({ name: 'noise-with-magic', bytes: noise });
  // Huge declared sizes: 32-bit size fields at the usual places set to sentinels and near-max.
  for (const at of [4, 40, kind === 'aiff' ? 22 : 24]) {
    for (const v of [0xffffffff, 0x7fffffff, 0xfffffff0]) {
      if (at + 4 > n) continue;
      const b = Buffer.from(seed);
      b.writeUInt32LE(v, at);
      out.push({ name: `size@${at}=0x${v.toString(16)}`, bytes: b });
    }
  }
  return out;
}

async function runBounded(
  path: string,
  params: Parameters<typeof analyzeFileSafe>[1],
): Promise<AnalyzeResult> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`hang: ${path} took over ${MUTANT_TIMEOUT_MS} ms`));
    }, MUTANT_TIMEOUT_MS);
  });
  try {
    return await Promise.race([analyzeFileSafe(path, { ...params, signal: abort.signal }), hang]);
  } finally {
    clearTimeout(timer);
  }
}

function checkOutcome(label: string, r: AnalyzeResult): 'report' | 'record' {
  if (r.ok) {
    const v = validateDocument(r.report);
    assert.ok(v.valid, `${label}: report invalid: ${v.errors.join('; ')}`);
    assert.ok(r.report.audio_info.decoded_duration > 0, label);
    return 'report';
  }
  assert.match(r.error.code, /^SONO_ERR_[A-Z_]+$/, label);
  assert.notEqual(r.error.code, 'SONO_ERR_INTERNAL', `${label}: ${r.error.message}`);
  assert.ok(r.record, `${label}: no failure record`);
  const v = validateDocument(r.record);
  assert.ok(v.valid, `${label}: record invalid: ${v.errors.join('; ')}`);
  assert.equal(v.kind, 'failure_record');
  return 'record';
}

let seedNo = 1;
for (const [kind, src] of Object.entries(SOURCES)) {
  const rngSeed = seedNo++;
  test(`fuzz ${kind}: every mutant ends in a report or a coded failure record`, async () => {
    const mutants = mutate(kind, readFileSync(src), rngSeed);
    assert.ok(mutants.length >= 190, `${mutants.length} mutants`);
    const tally = { report: 0, record: 0 };
    // Two at a time: the decode is an ffmpeg child process, the suite shares 2 cores.
    for (let i = 0; i < mutants.length; i += 2) {
      await Promise.all(
        mutants.slice(i, i + 2).map(async (m, k) => {
          const path = join(dir, `${kind}-${i + k}.${kind}`);
          writeFileSync(path, m.bytes);
          const r = await runBounded(path, { stages: [] });
          tally[checkOutcome(`${kind} ${m.name}`, r)]++;
        }),
      );
    }
    assert.equal(tally.report + tally.record, mutants.length);
    // The untouched seed and a late cut are reports, a 1-byte file is a record.
    assert.ok(tally.report > 0 && tally.record > 0, JSON.stringify(tally));
  });
}

test('fuzz sample through the technical pipeline (QC): report or record, never a crash', async () => {
  const picks = ['cut@20/40', 'noise@', 'size@40=0xffffffff', 'byte@', 'bit@'];
  for (const [kind, src] of Object.entries(SOURCES)) {
    const mutants = mutate(kind, readFileSync(src), 99);
    for (const p of picks) {
      const m = mutants.find((x) => x.name.startsWith(p));
      assert.ok(m, `${kind}: no mutant ${p}`);
      const path = join(dir, `full-${kind}-${p.replace(/\W/g, '')}.${kind}`);
      writeFileSync(path, m.bytes);
      checkOutcome(
        `${kind} ${m.name} (technical)`,
        await runBounded(path, { processingType: 'technical' }),
      );
    }
  }
});
