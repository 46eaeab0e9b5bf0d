/**
 * The two files of issue 10 that preservation-master used to pass, made with the real ffmpeg:
 * 96 kHz / 24-bit upsampled from a 44.1 kHz Vorbis, and 48 kHz / 24-bit resampled from 16 kHz.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveFfmpeg } from '../../../src/audio/ffmpeg-path.js';
import { likelySourceRateHz } from '../../../src/analysis/quality-control/bandwidth.js';
import { analyzeFile } from '../../../src/pipeline/analyze-file.js';
import { tempDir } from '../../helpers/fixtures.js';

const dir = tempDir('sonoteca-upsampled-');
after(() => rmSync(dir, { recursive: true, force: true }));

function ffmpeg(...args: string[]): void {
  execFileSync(resolveFfmpeg().path, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

async function qcOf(path: string): Promise<{
  verdict: string;
  bandwidth: { upsampled: boolean; likely_source_rate_hz: number | null };
  profile: { checks: { id: string; status: string }[] };
}> {
  const r = await analyzeFile(path, { processingType: 'technical' });
  return r.results.quality_control as unknown as Awaited<ReturnType<typeof qcOf>>;
}

test('the source-rate match allows the upsampler transition band (16 kHz → 9.1 kHz cutoff)', () => {
  assert.equal(likelySourceRateHz(9094, 48000), 16000);
  assert.equal(likelySourceRateHz(7600, 48000), 16000);
  assert.equal(likelySourceRateHz(21000, 96000), 44100);
  assert.equal(likelySourceRateHz(30000, 96000), null, 'no standard Nyquist within 86–115 %');
});

test('preservation-master fails 96 kHz / 24-bit upsampled from a 44.1 kHz Vorbis', async () => {
  const ogg = join(dir, 'src.ogg');
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'anoisesrc=d=6:c=pink:r=44100:a=0.3:seed=7',
    '-c:a',
    'libvorbis',
    '-q:a',
    '4',
    ogg,
  );
  const wav = join(dir, 'master96.wav');
  ffmpeg('-i', ogg, '-ar', '96000', '-c:a', 'pcm_s24le', wav);
  const qc = await qcOf(wav);
  assert.equal(qc.verdict, 'fail');
  assert.equal(qc.bandwidth.upsampled, true);
  assert.equal(qc.bandwidth.likely_source_rate_hz, 44100);
  const status = (id: string): string | undefined =>
    qc.profile.checks.find((c) => c.id === id)?.status;
  assert.equal(status('upsampled'), 'fail');
  assert.equal(status('lossy_history'), 'fail');
});

test('preservation-master fails 48 kHz / 24-bit resampled from 16 kHz', async () => {
  const src = join(dir, 'src16.wav');
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'anoisesrc=d=6:c=pink:r=16000:a=0.3:seed=7',
    '-c:a',
    'pcm_s16le',
    src,
  );
  const wav = join(dir, 'master48.wav');
  ffmpeg('-i', src, '-ar', '48000', '-c:a', 'pcm_s24le', wav);
  const qc = await qcOf(wav);
  assert.equal(qc.bandwidth.upsampled, true, JSON.stringify(qc.bandwidth));
  assert.equal(qc.bandwidth.likely_source_rate_hz, 16000);
  assert.equal(qc.profile.checks.find((c) => c.id === 'upsampled')?.status, 'fail');
  assert.equal(qc.verdict, 'fail');
});
