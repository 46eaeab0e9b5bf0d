import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { bextLoudnessCheck, checkBextConformance } from '../../src/audio/bext-conformance.js';
import { analyzeFile } from '../../src/pipeline/analyze-file.js';
import { tempDir, tone, writeWav } from '../helpers/fixtures.js';
import { bextChunk, type BextFields } from './bwf-fixtures.js';

const dir = tempDir('sonoteca-bext-');
after(() => rmSync(dir, { recursive: true, force: true }));

/** A SMPTE 330M basic UMID: universal label, length 0x13, instance, material number. */
const UMID = Buffer.concat([
  Buffer.from([0x06, 0x0a, 0x2b, 0x34, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x13]),
  Buffer.alloc(20, 0x5a),
]);

const GOOD: BextFields = {
  description: 'Oral history interview, tape 3 side A',
  originator: 'MAXXI Archivio',
  originatorReference: 'MAXXI-0042',
  originationDate: '1974:06:21',
  originationTime: '14:30:05',
  timeReference: 48000n * 3600n,
  version: 2,
  umid: UMID,
  codingHistory:
    'A=ANALOGUE,M=mono,T=Studer A807; 19 cm/s\r\nA=PCM,F=48000,W=24,M=mono,T=RME ADI-2\r\n',
};
const CTX = { sampleRateHz: 48000, bitDepth: 24 };

function statusById(fields: BextFields, ctx = CTX): Record<string, string> {
  const checks = checkBextConformance(bextChunk(fields).data, ctx);
  return Object.fromEntries(checks.map((c) => [c.id, c.status]));
}

function messageOf(fields: BextFields, id: string): string {
  const c = checkBextConformance(bextChunk(fields).data, CTX).find((x) => x.id === id);
  assert.ok(c, `no ${id} check`);
  return c.message;
}

test('bext: a conformant v2 chunk passes every check', () => {
  assert.deepEqual(statusById(GOOD), {
    bext_version: 'pass',
    bext_text_fields: 'pass',
    bext_origination_date_time: 'pass',
    bext_umid: 'pass',
    bext_time_reference: 'pass',
    bext_coding_history: 'pass',
    bext_coding_history_matches_file: 'pass',
  });
  // The other separators Tech 3285 allows.
  assert.equal(
    statusById({ ...GOOD, originationDate: '1974-06-21', originationTime: '14.30.05' })[
      'bext_origination_date_time'
    ],
    'pass',
  );
});

test('bext: malformed dates and times are named', () => {
  assert.match(
    messageOf({ ...GOOD, originationDate: '21/06/1974' }, 'bext_origination_date_time'),
    /OriginationDate "21\/06\/1974" is not yyyy:mm:dd/,
  );
  assert.match(
    messageOf({ ...GOOD, originationDate: '1974-02-30' }, 'bext_origination_date_time'),
    /not a calendar date/,
  );
  assert.match(
    messageOf({ ...GOOD, originationTime: '25:00:00' }, 'bext_origination_date_time'),
    /not a time of day/,
  );
  assert.match(
    messageOf({ ...GOOD, originationDate: '', originationTime: '' }, 'bext_origination_date_time'),
    /OriginationDate is empty; OriginationTime is empty/,
  );
});

test('bext: non-ASCII text and junk after the NUL are warned', () => {
  assert.match(
    messageOf({ ...GOOD, originator: 'Archivio Sonoro Rèbbio' }, 'bext_text_fields'),
    /Originator is not ASCII/,
  );
  const p = bextChunk(GOOD).data;
  p.write('junk', 200, 'latin1'); // inside Description, after its text and NUL
  const c = checkBextConformance(p, CTX).find((x) => x.id === 'bext_text_fields')!;
  assert.equal(c.status, 'warn');
  assert.match(c.message, /Description has bytes after its terminating NUL/);
});

test('bext: version, reserved bytes, UMID and time reference', () => {
  assert.equal(statusById({ ...GOOD, version: 7 })['bext_version'], 'warn');
  const p = bextChunk(GOOD).data;
  p[500] = 1; // reserved area of v2
  assert.match(
    checkBextConformance(p, CTX).find((x) => x.id === 'bext_version')!.message,
    /reserved bytes 422–601 are not zero/,
  );
  assert.match(
    messageOf({ ...GOOD, umid: Buffer.alloc(32, 0xab) }, 'bext_umid'),
    /universal label 06 0A 2B 34/,
  );
  // A v0 chunk has no UMID field: whatever sits there is reserved bytes.
  assert.equal(statusById({ ...GOOD, version: 0, umid: Buffer.alloc(32) })['bext_umid'], 'pass');
  assert.match(
    messageOf({ ...GOOD, timeReference: 48000n * 86400n + 1n }, 'bext_time_reference'),
    /more than a day at 48000 Hz/,
  );
});

test('bext: CodingHistory lines follow EBU R98 and the last one describes the file', () => {
  assert.match(
    messageOf({ ...GOOD, codingHistory: 'A=PCM;F=48000\r\n' }, 'bext_coding_history'),
    /line 1: A=PCM;F=48000 is not an R98 algorithm/,
  );
  assert.match(
    messageOf({ ...GOOD, codingHistory: 'A=PCM,F=48k,W=24,M=quad\r\n' }, 'bext_coding_history'),
    /F=48k is not a number; line 1: M=quad is not an R98 mode/,
  );
  assert.match(
    messageOf({ ...GOOD, codingHistory: 'A=PCM,F=48000,W=24,M=mono' }, 'bext_coding_history'),
    /not ended by CR\/LF/,
  );
  assert.match(
    messageOf(
      { ...GOOD, codingHistory: 'A=PCM,F=44100,W=16,M=mono,T=CD\r\n' },
      'bext_coding_history_matches_file',
    ),
    /F=44100 but the file is 48000 Hz; the last line says W=16 but the file is 24 bit/,
  );
  // No CodingHistory at all: nothing to check.
  assert.equal(statusById({ ...GOOD, codingHistory: '' })['bext_coding_history'], undefined);
});

test('bext: a chunk shorter than its fixed fields fails', () => {
  const [c] = checkBextConformance(Buffer.alloc(400), CTX);
  assert.equal(c?.id, 'bext_chunk_size');
  assert.equal(c?.status, 'fail');
});

test('bext: loudness fields are compared with the measured audio', () => {
  const agree = bextLoudnessCheck(
    { loudness_value: -23, max_true_peak_level: -1.2 },
    { integratedLufs: -23.4, truePeakDbtp: -1.0 },
  );
  assert.equal(agree?.status, 'pass');
  const off = bextLoudnessCheck(
    { loudness_value: -16, max_true_peak_level: null },
    { integratedLufs: -23.4, truePeakDbtp: -1.0 },
  );
  assert.equal(off?.status, 'warn');
  assert.match(off!.message, /LoudnessValue says -16 LUFS, measured -23.40 LUFS/);
  assert.equal(
    bextLoudnessCheck(
      { loudness_value: null, max_true_peak_level: null },
      {
        integratedLufs: -20,
        truePeakDbtp: -1,
      },
    ),
    null,
  );
});

test('bext: the checks reach the report next to the profile checks', async () => {
  const x = tone(440, 2, 48000, 0.25);
  const wav = writeWav(dir, 'bwf-bad.wav', [x], {
    sampleRateHz: 48000,
    format: 'pcm24',
    extraChunks: [
      bextChunk({
        ...GOOD,
        originationDate: '21.06.74',
        loudness: [-2000, 0x7fff, 0x7fff, 0x7fff, 0x7fff], // says -20 LUFS; the tone is ~ -15.7
        codingHistory: 'A=PCM,F=44100,W=16,M=mono\r\n',
      }),
    ],
  });
  const report = await analyzeFile(wav, { processingType: 'technical' });
  const qc = report.results.quality_control as unknown as {
    verdict: string;
    profile: { checks: { id: string; status: string; message: string }[] };
  };
  const byId = new Map(qc.profile.checks.map((c) => [c.id, c]));
  assert.equal(byId.get('bext_origination_date_time')?.status, 'warn');
  assert.equal(byId.get('bext_coding_history_matches_file')?.status, 'warn');
  assert.equal(byId.get('bext_text_fields')?.status, 'pass');
  const loud = byId.get('bext_loudness');
  assert.ok(loud, 'bext_loudness check present');
  // A 440 Hz sine at 0.25 peak measures about -15.7 LUFS, not the -20 the chunk states.
  assert.equal(loud.status, 'warn');
  assert.match(loud.message, /LoudnessValue says -20 LUFS, measured -15\.\d\d LUFS/);
  assert.notEqual(qc.verdict, 'pass');
});
