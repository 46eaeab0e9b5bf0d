/**
 * The mislabelled and damaged files of issue 8, made in code with the real ffmpeg encoder: content
 * in one format under another format's extension, WAV size fields with sentinel values, MP3s cut
 * at the end. Each entry states what the content really is, so tests compare the report with it.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/pipeline/report.js';
import { validateReport } from '../../src/pipeline/validate-report.js';
import { tone } from '../helpers/fixtures.js';
import { writeEncoded } from './ffmpeg-fixtures.js';

export interface MislabelledFixture {
  /** Test name of the case. */
  readonly name: string;
  readonly path: string;
  /** What the bytes hold. */
  readonly content: {
    readonly codec: RegExp;
    readonly sampleRateHz: number;
    readonly durationSec: number;
    readonly format: string;
  };
  /** Seconds the header declares (what was encoded, before any cut). */
  readonly declaredSec: number;
  /** Whether the name's extension disagrees with the content. */
  readonly mismatch: boolean;
  /** Whether the file lacks part of its audio (a `truncated` QC finding is expected). */
  readonly damaged: boolean;
}

/** Writes every case into `dir` (a few hundred ms of ffmpeg work). */
export function writeMislabelledFixtures(dir: string): MislabelledFixture[] {
  const out: MislabelledFixture[] = [];
  const sig16 = [tone(440, 3, 16000, 0.4)];
  const sig44 = [tone(440, 3, 44100, 0.4)];
  const encode = (name: string, signal: Float32Array[], rate: number, args: string[]): string =>
    writeEncoded(dir, name, signal, { sampleRateHz: rate, format: 'pcm16' }, args);
  const rename = (src: string, name: string): string => {
    const p = join(dir, name);
    copyFileSync(src, p);
    return p;
  };

  // [name, encoded source, ffmpeg codec args, rate, mislabelled name, codec, sniffed family]
  // (+ seconds when not 3: the M4A of the issue held 13.9 s)
  const renamed: [string, string, string[], number, string, RegExp, string, number?][] = [
    [
      'MP3 named .wav',
      'src.mp3',
      ['-c:a', 'libmp3lame', '-b:a', '64k'],
      44100,
      'mp3-as.wav',
      /MPEG 1 Layer 3/,
      'mp3',
    ],
    [
      'M4A (AAC) named .mp3',
      'src.m4a',
      ['-c:a', 'aac', '-b:a', '32k'],
      16000,
      'm4a-as.mp3',
      /AAC/,
      'm4a',
      13.9,
    ],
    [
      'Opus named .mp3',
      'src.opus',
      ['-c:a', 'libopus', '-b:a', '24k', '-f', 'ogg'],
      16000,
      'opus-as.mp3',
      /Opus/,
      'ogg',
    ],
    ['FLAC named .ogg', 'src.flac', ['-c:a', 'flac'], 44100, 'flac-as.ogg', /FLAC/, 'flac'],
    [
      'Ogg Vorbis named .flac',
      'src.ogg',
      ['-c:a', 'libvorbis', '-q:a', '2'],
      44100,
      'ogg-as.flac',
      /Vorbis/,
      'ogg',
    ],
    ['AIFF named .wav', 'src.aiff', ['-c:a', 'pcm_s16be'], 44100, 'aiff-as.wav', /PCM/, 'aiff'],
  ];
  for (const [name, src, args, rate, as, codec, format, seconds = 3] of renamed) {
    const signal = seconds !== 3 ? [tone(440, seconds, rate, 0.4)] : rate === 16000 ? sig16 : sig44;
    const encoded = encode(src, signal, rate, args);
    out.push({
      name,
      path: rename(encoded, as),
      content: { codec, sampleRateHz: rate, durationSec: seconds, format },
      declaredSec: seconds,
      mismatch: true,
      damaged: false,
    });
  }
  const mp3 = join(dir, 'src.mp3');

  // WAV data size sentinels: 0x7FFFFFFF and 0xFFFFFFFF both mean "to the end of the file".
  const wav = readFileSync(join(dir, 'src.mp3.src.wav'));
  const dataAt = wav.indexOf('data', 12, 'latin1');
  for (const [label, value] of [
    ['7fffffff', 0x7fffffff],
    ['ffffffff', 0xffffffff],
  ] as const) {
    const b = Buffer.from(wav);
    b.writeUInt32LE(value, dataAt + 4);
    const p = join(dir, `data-size-${label}.wav`);
    writeFileSync(p, b);
    out.push({
      name: `WAV whose data size says 0x${label.toUpperCase()}`,
      path: p,
      content: { codec: /PCM/, sampleRateHz: 44100, durationSec: 3, format: 'wav' },
      declaredSec: 3,
      mismatch: false,
      damaged: false,
    });
  }

  const mp3Bytes = readFileSync(mp3);
  const cut2 = join(dir, 'mp3-missing-2pct.mp3');
  writeFileSync(cut2, mp3Bytes.subarray(0, Math.floor(mp3Bytes.length * 0.98)));
  out.push({
    name: 'MP3 missing its last 2 %',
    path: cut2,
    content: { codec: /MPEG 1 Layer 3/, sampleRateHz: 44100, durationSec: 2.94, format: 'mp3' },
    declaredSec: 3,
    mismatch: false,
    damaged: true,
  });
  const cut134 = join(dir, 'mp3-last-frame-short.mp3');
  writeFileSync(cut134, mp3Bytes.subarray(0, mp3Bytes.length - 134));
  out.push({
    name: 'MP3 whose last frame lacks 134 bytes',
    path: cut134,
    content: { codec: /MPEG 1 Layer 3/, sampleRateHz: 44100, durationSec: 3, format: 'mp3' },
    declaredSec: 3,
    mismatch: false,
    damaged: true,
  });
  return out;
}

interface QcCheck {
  readonly id: string;
  readonly status: string;
  readonly message: string;
}

/** The checks of a report's QC profile (empty when QC did not run). */
export function qcChecks(report: Report): QcCheck[] {
  const qc = report.results.quality_control as { profile?: { checks: QcCheck[] } };
  return qc.profile?.checks ?? [];
}

/**
 * Asserts that `report` tells the truth about fixture `f` (however it was produced: pipeline,
 * CLI or service): codec, rate and decoded duration of the content, the sniffed format, the
 * extension_mismatch finding, and a `truncated` finding saying where the audio stops.
 */
export function assertReportMatches(report: Report, f: MislabelledFixture): void {
  assert.match(report.audio_info.codec, f.content.codec);
  assert.equal(report.audio_info.sample_rate, f.content.sampleRateHz);
  assert.ok(
    Math.abs(report.audio_info.decoded_duration - f.content.durationSec) < 0.08,
    `decoded ${report.audio_info.decoded_duration} s`,
  );
  const tm = report.results.technical_metadata;
  assert.equal(tm.content?.format, f.content.format);
  assert.equal(tm.content?.extension_mismatch, f.mismatch);
  const mismatch = qcChecks(report).find((c) => c.id === 'extension_mismatch');
  assert.equal(mismatch?.status, f.mismatch ? 'warn' : undefined);
  if (f.mismatch) assert.match(mismatch!.message, new RegExp(f.content.format.toUpperCase()));
  assert.equal(
    tm.integrity?.status,
    f.damaged ? 'truncated' : 'intact',
    tm.integrity?.detail ?? '',
  );
  const cut = qcChecks(report).find((c) => c.id === 'truncated');
  assert.equal(cut?.status, f.damaged ? 'fail' : undefined);
  if (f.damaged) {
    assert.match(cut!.message, /missing after \d/);
    assert.ok(tm.integrity!.audio_ends_at_sec! > 2.9);
  }
  const v = validateReport(report);
  assert.ok(v.valid, v.valid ? '' : v.errors.join('\n'));
}
