/**
 * Conformance of a BWF `bext` chunk to EBU Tech 3285 (v2, 2011) and of its CodingHistory to
 * EBU R98 (1999), as QC checks shaped like the profile checks (`id`, `status`, `message`).
 *
 * Written by hand: no maintained JavaScript library validates bext (bwfmetaedit does, in C++,
 * as a GUI/CLI tool we would have to shell out to and parse). The rules are the standard's:
 * - the chunk is at least 602 bytes (the fixed part of v0–v2);
 * - Version is 0, 1 or 2; reserved bytes (v1: from byte 412, v2: from byte 422) are zero;
 * - Description (256), Originator (32), OriginatorReference (32) are ASCII, ended (when shorter
 *   than the field) by NUL and NUL-padded; text after the first NUL means a writer left junk;
 * - OriginationDate is `yyyy:mm:dd` and OriginationTime `hh:mm:ss`, the separator one of
 *   `-`, `_`, `:`, space or `.`, with a real calendar date and time;
 * - a UMID (v1 and later) starts with the SMPTE 330M universal label `06 0A 2B 34`, and its
 *   length byte says basic (0x13, 32 bytes) or extended (0x33, 64 bytes);
 * - TimeReference is below one day of samples (it counts samples since midnight);
 * - CodingHistory lines end in CR/LF and are comma-separated `A=…,F=…,B=…,W=…,M=…,T=…` with
 *   A from R98's list, numeric F/B/W, M one of mono / stereo / dual-mono / joint-stereo; the last
 *   line should describe this file (its F and W match the file's rate and word length);
 * - loudness fields (v2), when set, agree with the loudness measured on the audio (checked in
 *   `bextLoudnessCheck`, after the analysis has measured it).
 * Failures of the chunk itself (too short to hold the fixed fields) are `fail`; every other
 * finding is `warn`: the audio is intact, its description is not trustworthy as written.
 */

import type { FileCheck } from './types.js';

/** One conformance finding: a file-level QC check (`value` true when something was found). */
export type BextCheck = FileCheck;

/** What the checks compare the chunk against. */
export interface BextContext {
  readonly sampleRateHz: number | null;
  readonly bitDepth: number | null;
}

const FIXED_BYTES = 602;
const DATE_RE = /^(\d{4})[-_:. ](\d{2})[-_:. ](\d{2})$/;
const TIME_RE = /^(\d{2})[-_:. ](\d{2})[-_:. ](\d{2})$/;
/** The coding algorithms EBU R98 lists (A=…); any other value is reported. */
const R98_ALGORITHMS = new Set([
  'ANALOGUE',
  'PCM',
  'MPEG1L1',
  'MPEG1L2',
  'MPEG1L3',
  'MPEG2L1',
  'MPEG2L2',
  'MPEG2L3',
]);
const R98_MODES = new Set(['mono', 'stereo', 'dual-mono', 'joint-stereo']);
const R98_KEYS = new Set(['A', 'F', 'B', 'W', 'M', 'T']);

const TEXT_FIELDS: readonly (readonly [string, number, number])[] = [
  ['Description', 0, 256],
  ['Originator', 256, 32],
  ['OriginatorReference', 288, 32],
];

function check(id: string, problems: readonly string[], passMessage: string): BextCheck {
  return problems.length === 0
    ? { id, metric: id, value: false, status: 'pass', message: passMessage }
    : { id, metric: id, value: true, status: 'warn', message: problems.join('; ') };
}

function isAscii(b: Buffer): boolean {
  return b.every((x) => x >= 0x20 && x < 0x7f);
}

function textFieldProblems(p: Buffer): string[] {
  const out: string[] = [];
  for (const [name, off, len] of TEXT_FIELDS) {
    const f = p.subarray(off, off + len);
    const nul = f.indexOf(0);
    const text = nul >= 0 ? f.subarray(0, nul) : f;
    if (!isAscii(text)) out.push(`${name} is not ASCII text`);
    if (nul >= 0 && f.subarray(nul).some((x) => x !== 0))
      out.push(`${name} has bytes after its terminating NUL (not NUL-padded)`);
  }
  return out;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Problems with OriginationDate / OriginationTime as written (empty fields are reported too). */
function dateTimeProblems(p: Buffer): string[] {
  const out: string[] = [];
  const date = p.subarray(320, 330).toString('latin1').replace(/\0+$/, '');
  const time = p.subarray(330, 338).toString('latin1').replace(/\0+$/, '');
  const d = DATE_RE.exec(date);
  if (date === '') out.push('OriginationDate is empty');
  else if (!d) out.push(`OriginationDate "${date}" is not yyyy:mm:dd`);
  else {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    if (m < 1 || m > 12 || day < 1 || day > daysInMonth(y, m))
      out.push(`OriginationDate "${date}" is not a calendar date`);
  }
  const t = TIME_RE.exec(time);
  if (time === '') out.push('OriginationTime is empty');
  else if (!t) out.push(`OriginationTime "${time}" is not hh:mm:ss`);
  else if (Number(t[1]) > 23 || Number(t[2]) > 59 || Number(t[3]) > 59)
    out.push(`OriginationTime "${time}" is not a time of day`);
  return out;
}

function versionProblems(p: Buffer, version: number): string[] {
  if (version > 2) return [`Version ${version} is not one EBU Tech 3285 defines (0, 1, 2)`];
  // v0 has UMID and loudness as reserved too; v1 reserves the loudness area.
  const reservedFrom = version === 0 ? 348 : version === 1 ? 412 : 422;
  return p.subarray(reservedFrom, FIXED_BYTES).some((x) => x !== 0)
    ? [`reserved bytes ${reservedFrom}–601 are not zero (Version ${version})`]
    : [];
}

function umidProblems(p: Buffer, version: number): string[] {
  const u = p.subarray(348, 412);
  if (version < 1 || u.every((x) => x === 0)) return [];
  if (u[0] !== 0x06 || u[1] !== 0x0a || u[2] !== 0x2b || u[3] !== 0x34)
    return ['UMID does not start with the SMPTE 330M universal label 06 0A 2B 34'];
  const len = u[11];
  if (len !== 0x13 && len !== 0x33)
    return [
      `UMID length byte 0x${(len ?? 0).toString(16)} is neither basic (0x13) nor extended (0x33)`,
    ];
  if (len === 0x13 && u.subarray(32).some((x) => x !== 0))
    return ['a basic UMID (32 bytes) is followed by non-zero bytes'];
  return [];
}

function timeReferenceProblems(p: Buffer, ctx: BextContext): string[] {
  if (!ctx.sampleRateHz) return [];
  const samples = p.readBigUInt64LE(338);
  return samples >= BigInt(Math.round(ctx.sampleRateHz * 86400))
    ? [`TimeReference ${samples} samples is more than a day at ${ctx.sampleRateHz} Hz`]
    : [];
}

/** One CodingHistory line → its problems (R98 syntax). */
function codingLineProblems(
  line: string,
  n: number,
): { problems: string[]; fields: Map<string, string> } {
  const problems: string[] = [];
  const fields = new Map<string, string>();
  for (const part of line.split(',')) {
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (!R98_KEYS.has(key)) {
      problems.push(`line ${n}: "${part.trim()}" is not an R98 A=/F=/B=/W=/M=/T= field`);
      continue;
    }
    if (fields.has(key)) problems.push(`line ${n}: ${key}= repeats`);
    fields.set(key, part.slice(eq + 1).trim());
  }
  const a = fields.get('A');
  if (a === undefined) problems.push(`line ${n}: no A= (coding algorithm)`);
  else if (!R98_ALGORITHMS.has(a)) problems.push(`line ${n}: A=${a} is not an R98 algorithm`);
  for (const key of ['F', 'B', 'W'] as const) {
    const v = fields.get(key);
    if (v !== undefined && !/^\d+(\.\d+)?$/.test(v))
      problems.push(`line ${n}: ${key}=${v} is not a number`);
  }
  const m = fields.get('M');
  if (m !== undefined && !R98_MODES.has(m)) problems.push(`line ${n}: M=${m} is not an R98 mode`);
  return { problems, fields };
}

function codingHistoryChecks(p: Buffer, ctx: BextContext): BextCheck[] {
  const raw = p.subarray(FIXED_BYTES);
  const nul = raw.indexOf(0);
  const text = (nul >= 0 ? raw.subarray(0, nul) : raw).toString('latin1');
  if (text.trim() === '') return [];
  const problems: string[] = [];
  if (!isAscii(Buffer.from(text.replace(/\r\n/g, ''), 'latin1')))
    problems.push('CodingHistory has non-ASCII characters or a line not ended by CR/LF');
  else if (!text.endsWith('\r\n'))
    problems.push('the last CodingHistory line is not ended by CR/LF');
  const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
  let last: Map<string, string> | undefined;
  lines.forEach((line, i) => {
    const r = codingLineProblems(line, i + 1);
    problems.push(...r.problems);
    last = r.fields;
  });
  const out = [
    check('bext_coding_history', problems, `${lines.length} CodingHistory line(s) follow EBU R98`),
  ];
  // The last line describes the file itself (R98: the chain ends in this file).
  const mismatch: string[] = [];
  const f = Number(last?.get('F'));
  const w = Number(last?.get('W'));
  if (last?.get('A') === 'PCM') {
    if (ctx.sampleRateHz && Number.isFinite(f) && last.has('F') && f !== ctx.sampleRateHz)
      mismatch.push(`the last line says F=${f} but the file is ${ctx.sampleRateHz} Hz`);
    if (ctx.bitDepth && Number.isFinite(w) && last.has('W') && w !== ctx.bitDepth)
      mismatch.push(`the last line says W=${w} but the file is ${ctx.bitDepth} bit`);
  } else if (last?.get('A') !== undefined)
    mismatch.push(`the last line is A=${last.get('A')}, not the PCM of this file`);
  out.push(
    check(
      'bext_coding_history_matches_file',
      mismatch,
      'the last CodingHistory line describes this file',
    ),
  );
  return out;
}

/** Every conformance check of a bext payload (the chunk body, without its 8-byte header). */
export function checkBextConformance(p: Buffer, ctx: BextContext): BextCheck[] {
  if (p.length < FIXED_BYTES)
    return [
      {
        id: 'bext_chunk_size',
        metric: 'bext_chunk_size',
        value: true,
        status: 'fail',
        message: `the bext chunk has ${p.length} bytes, fewer than the ${FIXED_BYTES} of its fixed fields`,
      },
    ];
  const version = p.readUInt16LE(346);
  return [
    check('bext_version', versionProblems(p, version), `Version ${version}, reserved bytes zero`),
    check('bext_text_fields', textFieldProblems(p), 'text fields are NUL-padded ASCII'),
    check(
      'bext_origination_date_time',
      dateTimeProblems(p),
      'OriginationDate/Time are well-formed',
    ),
    check('bext_umid', umidProblems(p, version), 'UMID absent or well-formed'),
    check('bext_time_reference', timeReferenceProblems(p, ctx), 'TimeReference within a day'),
    ...codingHistoryChecks(p, ctx),
  ];
}

/**
 * The v2 loudness fields against what was measured on the audio: a writer that filled them from
 * another version of the file (or made them up) is caught here. Tolerance 1 LU / 1 dB: the
 * standard's values are 0.01 units, meters differ by far less than that.
 */
export function bextLoudnessCheck(
  bext: { readonly loudness_value: number | null; readonly max_true_peak_level: number | null },
  measured: { readonly integratedLufs: number | null; readonly truePeakDbtp: number | null },
): BextCheck | null {
  const pairs: [string, number | null, number | null, string][] = [
    ['LoudnessValue', bext.loudness_value, measured.integratedLufs, 'LUFS'],
    ['MaxTruePeakLevel', bext.max_true_peak_level, measured.truePeakDbtp, 'dBTP'],
  ];
  const compared = pairs.filter(([, stated, m]) => stated !== null && m !== null);
  if (compared.length === 0) return null;
  const problems = compared
    .filter(([, stated, m]) => Math.abs(stated! - m!) > 1)
    .map(
      ([name, stated, m, unit]) =>
        `${name} says ${stated} ${unit}, measured ${m!.toFixed(2)} ${unit}`,
    );
  return check('bext_loudness', problems, 'bext loudness fields agree with the measured audio');
}
