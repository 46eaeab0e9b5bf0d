/**
 * Corpus check of issue 2 item 5: on EVERY corpus audio file, the integrated loudness of the QC
 * analyzer (fed by the real decoder, native rate and channels) agrees with ffmpeg's `ebur128`
 * filter within 0.1 LU. ffmpeg's value is read at full precision from the filter's
 * `lavfi.r128.I` frame metadata (its summary prints only one decimal).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { createQualityControlAnalyzer } from '../../../src/analysis/quality-control/index.js';
import type { QualityControlSection } from '../../../src/analysis/quality-control/types.js';
import { startDecode } from '../../../src/audio/decode.js';
import { resolveFfmpeg } from '../../../src/audio/ffmpeg-path.js';
import { probeFile } from '../../../src/audio/probe.js';
import { corpusAudioFiles, corpusOrSkip } from '../../helpers/corpus.js';

const TOLERANCE_LU = 0.1;

/** ffmpeg's integrated loudness: the last `lavfi.r128.I` printed by ametadata. */
function ffmpegIntegratedLufs(path: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const ff = spawn(
      resolveFfmpeg().path,
      [
        '-hide_banner',
        '-nostats',
        '-i',
        path,
        '-map',
        '0:a:0',
        '-af',
        'ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.I:file=-',
        '-f',
        'null',
        '-',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let last: string | undefined;
    let carry = '';
    ff.stdout.setEncoding('utf8');
    ff.stdout.on('data', (d: string) => {
      const text = carry + d;
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('lavfi.r128.I=')) last = l.slice(13);
    });
    let err = '';
    ff.stderr.setEncoding('utf8');
    ff.stderr.on('data', (d: string) => (err = (err + d).slice(-2000)));
    ff.on('error', reject);
    ff.on('close', (code) => {
      if (carry.startsWith('lavfi.r128.I=')) last = carry.slice(13);
      if (code !== 0 || last === undefined)
        reject(new Error(`ffmpeg ebur128 failed (${code}) on ${path}: ${err}`));
      else resolvePromise(Number(last));
    });
  });
}

async function qcSection(path: string): Promise<QualityControlSection> {
  const probe = await probeFile(path);
  const audioInfo = probe.audio_info;
  const ctx = { audioInfo, analysisRateHz: 16000, options: {} };
  const qc = createQualityControlAnalyzer(ctx);
  const session = startDecode(path, {
    nativeChannels: audioInfo.channels,
    nativeRateHz: audioInfo.sample_rate,
    onNative: (x, ch) => qc.onNative!(x, ch),
  });
  for await (const block of session.analysis) void block;
  const done = await session.done;
  const s = await qc.finish({ ...ctx, durationSec: done.decodedDurationSec, sections: {} });
  assert.equal(s.status, 'ok', `${path}: ${JSON.stringify(s)}`);
  return s as QualityControlSection;
}

test('integrated loudness agrees with ffmpeg ebur128 within 0.1 LU on every corpus file', async (t) => {
  const dir = corpusOrSkip(t);
  if (!dir) return;
  const files = corpusAudioFiles(dir);
  assert.ok(files.length > 0, 'corpus has audio files');
  const rows: string[] = [];
  let worst = 0;
  // Two files at a time: each side is one ffmpeg process plus light JS work.
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const [ref, qc] = await Promise.all([ffmpegIntegratedLufs(f), qcSection(f)]);
      const ours = qc.loudness.integrated_lufs;
      assert.ok(ours !== null, `${f}: no integrated loudness`);
      const diff = ours - ref;
      worst = Math.max(worst, Math.abs(diff));
      rows.push(
        `${relative(dir, f).padEnd(62)} ffmpeg ${ref.toFixed(3)}  ours ${ours.toFixed(3)}  Δ ${diff.toFixed(3)}`,
      );
      assert.ok(
        Math.abs(diff) <= TOLERANCE_LU,
        `${f}: ours ${ours} vs ffmpeg ${ref} (Δ ${diff.toFixed(3)} LU)`,
      );
    }
  };
  await Promise.all([worker(), worker()]);
  t.diagnostic(`worst |Δ| = ${worst.toFixed(3)} LU over ${files.length} files`);
  console.log(rows.sort().join('\n'));
});
