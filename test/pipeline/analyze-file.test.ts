import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Analyzer, FinishContext, SectionBase } from '../../src/analysis/analyzer.js';
import { DEFAULT_FRAMER, type Frame } from '../../src/analysis/frames.js';
import { analyzeFile, analyzeFileSafe } from '../../src/pipeline/analyze-file.js';
import { SCHEMA_VERSION, SECTION_NAMES } from '../../src/pipeline/report.js';
import type { Stage } from '../../src/pipeline/stages.js';
import { STAGES } from '../../src/pipeline/stages.js';
import { validateReport } from '../../src/pipeline/validate-report.js';
import { qcChecks } from '../audio/mislabelled-fixtures.js';
import { tempDir, tone, writeWav } from '../helpers/fixtures.js';

const dir = tempDir('sonoteca-pipeline-');
// 3 s stereo 48 kHz: left 1 kHz at 0.5, right 440 Hz at 0.25.
const wav = writeWav(dir, 'tone.wav', [tone(1000, 3, 48000, 0.5), tone(440, 3, 48000, 0.25)], {
  sampleRateHz: 48000,
  format: 'pcm24',
});

/** Measures real values through every feed of the pipeline. */
function probeAnalyzer(
  section: string,
): Analyzer & { readonly seen: () => Record<string, number> } {
  let samples = 0;
  let asyncCalls = 0;
  let frames = 0;
  let rmsSum = 0;
  let nativeFrames = 0;
  let nativeChannels = 0;
  let leftSq = 0;
  return {
    section,
    name: `probe-${section}`,
    version: '0.0.1',
    frameConfigs: [DEFAULT_FRAMER],
    async onSamples(block: Float32Array, start: number) {
      assert.equal(start, samples, 'blocks arrive in order');
      samples += block.length;
      asyncCalls++;
      await Promise.resolve();
    },
    onFrame(f: Frame) {
      frames++;
      rmsSum += f.rms;
    },
    onNative(x: Float32Array, channels: number) {
      nativeChannels = channels;
      nativeFrames += x.length / channels;
      for (let i = 0; i < x.length; i += channels) leftSq += x[i]! * x[i]!;
    },
    finish(ctx: FinishContext): SectionBase & Record<string, unknown> {
      return {
        status: 'ok',
        analyzer: { name: this.name, version: this.version },
        samples,
        frames,
        mean_rms: rmsSum / frames,
        native_frames: nativeFrames,
        native_channels: nativeChannels,
        left_rms: Math.sqrt(leftSq / nativeFrames),
        duration_sec: ctx.durationSec,
        earlier_sections: Object.keys(ctx.sections).join(','),
      };
    },
    seen: () => ({ samples, asyncCalls }),
  };
}

function throwingAnalyzer(section: string, where: 'onFrame' | 'finish'): Analyzer {
  return {
    section,
    name: `thrower-${where}`,
    version: '0.0.1',
    frameConfigs: [DEFAULT_FRAMER],
    onFrame(f: Frame) {
      if (where === 'onFrame' && f.index === 10) throw new Error('deliberate failure at frame 10');
    },
    finish() {
      if (where === 'finish') throw new RangeError('deliberate failure in finish');
      return { status: 'ok' };
    },
  };
}

const testStages: readonly Stage[] = [
  {
    id: 'probe',
    sections: ['x_probe'],
    types: ['technical', 'comprehensive'],
    create: () => [probeAnalyzer('x_probe')],
  },
  {
    id: 'bad-frame',
    sections: ['x_bad_frame'],
    types: ['comprehensive'],
    create: () => [throwingAnalyzer('x_bad_frame', 'onFrame')],
  },
  {
    id: 'bad-finish',
    sections: ['x_bad_finish'],
    types: ['comprehensive'],
    create: () => [throwingAnalyzer('x_bad_finish', 'finish')],
  },
  {
    id: 'bad-factory',
    sections: ['x_bad_factory'],
    types: ['comprehensive'],
    create: () => {
      throw new Error('model missing');
    },
  },
  {
    id: 'late',
    sections: ['x_late'],
    types: ['comprehensive'],
    create: () => [probeAnalyzer('x_late')],
  },
  {
    id: 'speech-only',
    sections: ['x_speech'],
    types: ['speech'],
    create: () => [probeAnalyzer('x_speech')],
  },
];

test('one decode pass feeds samples, shared frames and native audio; failing analyzers are isolated', async () => {
  const report = await analyzeFile(wav, {
    processingType: 'comprehensive',
    stages: testStages,
    taskId: 't-1',
  });
  const r = report.results as unknown as Record<string, Record<string, unknown>>;
  const probe = r['x_probe']!;
  assert.equal(probe['status'], 'ok');
  assert.equal(probe['samples'], 48000, '3 s at 16 kHz');
  assert.equal(probe['native_frames'], 144000, '3 s at 48 kHz');
  assert.equal(probe['native_channels'], 2);
  assert.ok(
    Math.abs((probe['left_rms'] as number) - 0.5 / Math.SQRT2) < 0.002,
    `left rms ${probe['left_rms']}`,
  );
  // Mono analysis stream = channel mean: 0.25·sin(1k) + 0.125·sin(440) → rms sqrt(0.25²/2 + 0.125²/2).
  const expectedMonoRms = Math.sqrt(0.25 ** 2 / 2 + 0.125 ** 2 / 2);
  assert.ok(
    Math.abs((probe['mean_rms'] as number) - expectedMonoRms) < 0.005,
    `mono rms ${probe['mean_rms']}`,
  );
  // 48000 samples, window 512, hop 160: 297 full frames plus the zero-padded tail frame.
  assert.ok([297, 298].includes(probe['frames'] as number), `frames ${probe['frames']}`);
  assert.ok(Math.abs((probe['duration_sec'] as number) - 3) < 1e-3);

  for (const [name, code] of [
    ['x_bad_frame', 'SONO_ERR_ANALYZER_FAILED'],
    ['x_bad_finish', 'SONO_ERR_ANALYZER_FAILED'],
    ['x_bad_factory', 'SONO_ERR_ANALYZER_FAILED'],
  ] as const) {
    assert.equal(r[name]!['status'], 'failed', name);
    assert.equal((r[name]!['error'] as { code: string }).code, code, name);
  }
  assert.match(String(r['x_bad_frame']!['reason']), /deliberate failure at frame 10/);
  // The analyzer after the failures still ran, and saw the sections finished before it.
  assert.equal(r['x_late']!['status'], 'ok');
  assert.equal(r['x_late']!['samples'], 48000);
  assert.equal(r['x_late']!['earlier_sections'], 'x_probe,x_bad_frame,x_bad_finish');
  assert.equal(r['x_speech']!['status'], 'not_run');
  assert.match(String(r['x_speech']!['reason']), /not part of processing type comprehensive/);

  assert.equal(report.schema_version, SCHEMA_VERSION);
  assert.equal(report.task_id, 't-1');
  assert.deepEqual(report.processing.stages, [
    'probe',
    'bad-frame',
    'bad-finish',
    'bad-factory',
    'late',
  ]);
  assert.deepEqual(
    report.processing.analyzers.map((a) => a.name),
    ['probe-x_probe', 'thrower-onFrame', 'thrower-finish', 'probe-x_late'],
  );
  assert.ok(report.processing.analyzers.every((a) => a.cpu_ms >= 0));
  assert.equal(report.processing.native_stream, true);
  const v = validateReport(report);
  assert.ok(v.valid, v.errors.join('\n'));
});

test('technical report: fixity of the real bytes, core sections, not_run sections, schema-valid', async () => {
  const report = await analyzeFile(wav, { processingType: 'technical' });
  const bytes = readFileSync(wav);
  const fx = report.results.fixity;
  assert.equal(fx.status, 'ok');
  assert.equal(fx.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(fx.md5, createHash('md5').update(bytes).digest('hex'));
  // PCM data chunk follows a 12-byte RIFF header, 24-byte fmt chunk and the 8-byte data header.
  assert.equal(fx.audio_data_md5, createHash('md5').update(bytes.subarray(44)).digest('hex'));
  assert.equal(report.audio_info.sample_rate, 48000);
  assert.equal(report.audio_info.channels, 2);
  assert.equal(report.audio_info.bit_depth, 24);
  assert.ok(Math.abs(report.audio_info.decoded_duration - 3) < 1e-3);
  assert.equal(report.results.technical_metadata.status, 'ok');
  assert.equal(report.results.technical_metadata.mime_type, report.audio_info.mime_type);
  for (const name of SECTION_NAMES) assert.ok(name in report.results, name);
  for (const stage of STAGES) {
    if (stage.types.includes('technical')) continue;
    for (const s of stage.sections) {
      const sec = (report.results as unknown as Record<string, { status: string }>)[s];
      assert.equal(sec?.status, 'not_run', s);
    }
  }
  const dc = report.results.metadata_generation.dublin_core!;
  assert.deepEqual(dc.identifier, [`sha256:${fx.sha256}`]);
  assert.deepEqual(dc.title, ['tone.wav']);
  const v = validateReport(report);
  assert.ok(v.valid, v.errors.join('\n'));
});

test('progress is reported and an abort cancels with SONO_ERR_CANCELLED', async () => {
  const seen: number[] = [];
  await analyzeFile(wav, {
    processingType: 'technical',
    onProgress: (p) => seen.push(p.processedSec),
  });
  assert.ok(seen.length >= 1);
  assert.ok(Math.abs(seen.at(-1)! - 3) < 1e-3);

  const ac = new AbortController();
  ac.abort();
  await assert.rejects(analyzeFile(wav, { signal: ac.signal }), { code: 'SONO_ERR_CANCELLED' });
});

test('analyzeFileSafe turns file-level failures into coded records', async () => {
  const text = join(dir, 'notes.wav');
  writeFileSync(text, 'these are not audio samples, just a text file\n'.repeat(20));
  const r = await analyzeFileSafe(text);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'SONO_ERR_NOT_AUDIO');
    assert.equal(r.path, text);
  }
  const missing = await analyzeFileSafe(join(dir, 'nope.wav'));
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.match(missing.error.code, /^SONO_ERR_(PATH_NOT_FOUND|READ_FAILED)$/);
});

test('a file read by another path is named as its source: report, content check and failure record', async () => {
  const dir = tempDir();
  // The bytes are a WAV; the name the report must judge them by says MP3.
  const wav = writeWav(dir, 'read-here.wav', [tone(440, 1, 16000, 0.3)], { sampleRateHz: 16000 });
  const source = { path: '/archive/tapes/tape-07.mp3', fileName: 'tape-07.mp3' };
  const report = await analyzeFile(wav, { processingType: 'technical', source });
  assert.equal(report.source.path, source.path);
  assert.equal(report.source.file_name, 'tape-07.mp3');
  const content = report.results.technical_metadata.content!;
  assert.equal(content.extension_mismatch, true);
  assert.ok(
    qcChecks(report).some((c) => c.id === 'extension_mismatch'),
    'the mismatch is judged against the source name, not the path read',
  );
  assert.ok(!JSON.stringify(report).includes('read-here'), 'the path read is not named');

  const empty = writeWav(dir, 'empty.wav', [new Float32Array(0)], { sampleRateHz: 16000 });
  const failed = await analyzeFileSafe(empty, { processingType: 'technical', source });
  assert.ok(!failed.ok && failed.record, 'a failure with its record');
  assert.equal(failed.record.source.path, source.path);
  assert.equal(failed.record.source.file_name, 'tape-07.mp3');
  assert.equal(failed.record.content.extension_mismatch, true);
});
