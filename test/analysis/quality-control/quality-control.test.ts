import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAgainst } from '../../../src/pipeline/validate-report.js';
import { concat, noise, silence, tone } from '../../helpers/fixtures.js';
import { lowPass, runQc, runQcRaw } from './qc-helpers.js';

const dbfs = (db: number): number => Math.pow(10, db / 20);
const near = (got: number | null, want: number, tol: number, what: string): void => {
  assert.ok(
    got !== null && Math.abs(got - want) <= tol,
    `${what}: got ${got}, want ${want} ± ${tol}`,
  );
};
const schemaOk = (section: unknown): void => {
  const v = validateAgainst('sections/quality_control.schema.json', section);
  assert.ok(v.valid, v.errors.join('\n'));
};

test('stereo and mono 997 Hz sine at -20 dBFS: loudness, peaks, RMS; section is schema-valid', async () => {
  const rate = 48000;
  const s = tone(997, 8, rate, dbfs(-20));
  const st = await runQc([s, s], { sampleRateHz: rate, chunkFrames: 1234 });
  near(st.loudness.integrated_lufs, -20.0, 0.02, 'stereo integrated');
  near(st.loudness.loudness_range_lu, 0, 0.05, 'LRA of a steady tone');
  near(st.loudness.sample_peak_dbfs, -20, 0.01, 'sample peak');
  near(st.loudness.true_peak_dbtp, -20, 0.05, 'true peak');
  for (const ch of st.per_channel)
    near(ch.rms_dbfs, -23.01, 0.01, 'RMS of a sine = peak - 3.01 dB');
  assert.equal(st.stereo?.dual_mono, true);
  schemaOk(st);
  const mono = await runQc([s], { sampleRateHz: rate });
  near(mono.loudness.integrated_lufs, -23.01, 0.02, 'mono integrated');
  assert.equal(mono.stereo, null);
  schemaOk(mono);
});

test('inter-sample peaks: fs/4 sine at 45° phase reads ~3 dB above its sample peak', async () => {
  const rate = 44100;
  const s = tone(rate / 4, 2, rate, 0.9, Math.PI / 4);
  const r = await runQc([s], { sampleRateHz: rate });
  const sp = r.per_channel[0]!.sample_peak_dbfs!;
  const tp = r.per_channel[0]!.true_peak_dbtp!;
  near(sp, 20 * Math.log10(0.9 / Math.SQRT2), 0.001, 'sample peak');
  assert.ok(tp - sp > 2.95 && tp - sp < 3.2, `TP - SP = ${tp - sp}`);
  assert.equal(r.profile.checks.find((c) => c.id === 'true_peak')?.status, 'warn'); // -0.9 dBTP > -1
});

test('DC offset is measured per channel and judged by the profile', async () => {
  const rate = 48000;
  const s = tone(440, 3, rate, 0.3);
  const withDc = s.map((v) => v + 0.01);
  const r = await runQc([withDc, s], { sampleRateHz: rate });
  near(r.per_channel[0]!.dc_offset, 0.01, 1e-4, 'DC of channel 0');
  near(r.per_channel[0]!.dc_offset_dbfs, -40, 0.1, 'DC level');
  near(Math.abs(r.per_channel[1]!.dc_offset), 0, 1e-4, 'DC of channel 1');
  assert.equal(r.profile.checks.find((c) => c.id === 'dc_offset')?.status, 'fail');
});

test('clipped runs: exact start/end times, min run length, chunk straddling, capped list', async () => {
  const rate = 44100;
  const l = noise(2, rate, 0.3, 5);
  const r = noise(2, rate, 0.3, 6);
  l.fill(1, 10000, 10005); // run of 5 on channel 0
  l.fill(1, 20000, 20002); // 2 full-scale samples: below the 3-sample minimum, not a run
  r.fill(-1, 39998, 40004); // run of 6 on channel 1, straddling the 1000-frame chunks
  r.fill(1, 80000, 80003); // run of 3 on channel 1
  const q = await runQc([l, r], { sampleRateHz: rate, chunkFrames: 1000 });
  assert.equal(q.clipping.total_runs, 3);
  assert.equal(q.clipping.total_clipped_samples, 14);
  assert.deepEqual(
    q.clipping.runs.map((x) => [x.channel, x.samples]),
    [
      [0, 5],
      [1, 6],
      [1, 3],
    ],
  );
  near(q.clipping.runs[0]!.start_sec, 10000 / rate, 1e-6, 'run 0 start');
  near(q.clipping.runs[0]!.end_sec, 10005 / rate, 1e-6, 'run 0 end');
  near(q.clipping.runs[1]!.start_sec, 39998 / rate, 1e-6, 'run 1 start');
  near(q.clipping.runs[1]!.end_sec, 40004 / rate, 1e-6, 'run 1 end');
  assert.equal(q.per_channel[0]!.full_scale_samples, 7);
  assert.equal(q.per_channel[0]!.clipped_runs, 1);
  assert.equal(q.profile.checks.find((c) => c.id === 'clipping')?.status, 'fail');
  schemaOk(q);
  const capped = await runQc([l, r], {
    sampleRateHz: rate,
    options: { analyzerOptions: { 'quality-control': { maxStoredRuns: 1 } } },
  });
  assert.equal(capped.clipping.runs.length, 1);
  assert.equal(capped.clipping.total_runs, 3);
  assert.equal(capped.clipping.runs_truncated, true);
});

test('digital-silence runs: timestamps, exact zeros vs below -90 dBFS, positions, short gaps ignored', async () => {
  const rate = 44100;
  const cosine = (sec: number): Float32Array => tone(1000, sec, rate, 0.5, Math.PI / 2);
  const hiss = noise(0.6, rate, 1e-5, 9); // -100 dBFS: digital silence but not zeros
  const x = concat(
    cosine(1),
    silence(0.8, rate), // internal run [1.0, 1.8)
    cosine(1),
    silence(0.3, rate), // too short
    cosine(0.5),
    hiss, // trailing run [3.6, 4.2)
  );
  // 44110 / 44097-frame chunks put the start of the first run in the tail of the first chunk.
  for (const chunkFrames of [44110, 44097]) {
    const c = await runQc([x, x], { sampleRateHz: rate, chunkFrames });
    near(c.silence.runs[0]!.start_sec, 1.0, 1 / rate, `internal start, chunks of ${chunkFrames}`);
    near(c.silence.runs[0]!.end_sec, 1.8, 1 / rate, `internal end, chunks of ${chunkFrames}`);
  }
  const q = await runQc([x, x], { sampleRateHz: rate, chunkFrames: 3000 });
  assert.equal(q.silence.total_runs, 2);
  const [a, b] = q.silence.runs;
  near(a!.start_sec, 1.0, 1 / rate, 'internal start');
  near(a!.end_sec, 1.8, 1 / rate, 'internal end');
  assert.equal(a!.position, 'internal');
  assert.equal(a!.exact_zero, true);
  near(b!.start_sec, 3.6, 1 / rate, 'trailing start');
  near(b!.end_sec, 4.2, 1e-6, 'trailing end');
  assert.equal(b!.position, 'trailing');
  assert.equal(b!.exact_zero, false);
  near(q.silence.internal_max_sec, 0.8, 1 / rate, 'longest internal');
  near(q.silence.trailing_sec, 0.6, 1 / rate, 'trailing');
  assert.equal(q.profile.checks.find((c) => c.id === 'internal_silence')?.status, 'pass'); // <= 1 s

  const allSilent = await runQc([silence(2, rate)], { sampleRateHz: rate });
  assert.equal(allSilent.silence.entire_file, true);
  assert.equal(allSilent.silence.runs[0]!.position, 'entire');
  assert.equal(allSilent.loudness.integrated_lufs, null);
  assert.equal(allSilent.per_channel[0]!.rms_dbfs, null);
  assert.equal(allSilent.verdict, 'fail');
  schemaOk(allSilent);
});

test('stereo checks: inverted polarity, dual mono, independent channels, balance, dead channel', async () => {
  const rate = 48000;
  const l = lowPass(noise(2, rate, 0.4, 21), 4000, rate, 63);
  const inverted = await runQc([l, l.map((v) => -v)], { sampleRateHz: rate });
  assert.equal(inverted.stereo!.inverted_polarity, true);
  near(inverted.stereo!.correlation, -1, 1e-4, 'correlation');
  assert.equal(inverted.stereo!.dual_mono, false);
  assert.equal(inverted.profile.checks.find((c) => c.id === 'polarity')?.status, 'warn');

  const dual = await runQc([l, l], { sampleRateHz: rate });
  assert.equal(dual.stereo!.dual_mono, true);
  assert.equal(dual.stereo!.inverted_polarity, false);
  near(dual.stereo!.correlation, 1, 1e-6, 'correlation');
  near(dual.stereo!.balance_db, 0, 1e-6, 'balance');

  const other = lowPass(noise(2, rate, 0.4, 22), 4000, rate, 63);
  const wide = await runQc([l, other.map((v) => v * 0.5)], { sampleRateHz: rate });
  assert.equal(wide.stereo!.dual_mono, false);
  assert.equal(wide.stereo!.inverted_polarity, false);
  assert.ok(Math.abs(wide.stereo!.correlation!) < 0.1, String(wide.stereo!.correlation));
  near(wide.stereo!.balance_db, 6.02, 0.3, 'balance (R at half amplitude)');

  const dead = await runQc([l, new Float32Array(l.length)], { sampleRateHz: rate });
  assert.deepEqual(dead.silent_channels, [1]);
  assert.equal(dead.stereo!.correlation, null);
  assert.equal(dead.profile.checks.find((c) => c.id === 'dead_channel')?.status, 'warn');
});

test('bandwidth: full-band noise passes; upsampled and lossy-shelf signals are flagged; a tone is not a cutoff', async () => {
  const rate = 48000;
  const full = await runQc([noise(2, rate, 0.3, 31)], { sampleRateHz: rate });
  assert.equal(full.bandwidth.upsampled, false);
  assert.equal(full.bandwidth.lossy_transcode_suspected, false);
  assert.equal(full.bandwidth.cutoff_hz, null);
  assert.ok(full.bandwidth.bandwidth_ratio! > 0.95, String(full.bandwidth.bandwidth_ratio));

  // "Upsampled from 24 kHz": content stops at 11 kHz with a steep anti-alias wall.
  const up = await runQc([lowPass(noise(2, rate, 0.5, 32), 11000, rate, 511)], {
    sampleRateHz: rate,
  });
  assert.equal(up.bandwidth.upsampled, true, JSON.stringify(up.bandwidth));
  assert.ok([22050, 24000].includes(up.bandwidth.likely_source_rate_hz!));
  near(up.bandwidth.cutoff_hz, 11000, 500, 'cutoff');
  near(up.bandwidth.effective_bandwidth_hz, 11000, 800, 'effective bandwidth');
  assert.equal(up.bandwidth.lossy_transcode_suspected, false);
  assert.equal(up.profile.checks.find((c) => c.id === 'upsampled')?.status, 'fail');

  // A 19 kHz shelf in a lossless 44.1 kHz file: the signature of a decoded MP3/AAC.
  const r44 = 44100;
  const lossy = lowPass(noise(2, r44, 0.5, 33), 19000, r44, 511);
  const asWav = await runQc([lossy, lossy], { sampleRateHz: r44 });
  assert.equal(asWav.bandwidth.lossy_transcode_suspected, true, JSON.stringify(asWav.bandwidth));
  assert.equal(asWav.bandwidth.upsampled, false);
  assert.equal(asWav.profile.checks.find((c) => c.id === 'lossy_history')?.status, 'fail');
  // The same spectrum in a file that IS lossy is expected, not suspicious.
  const asMp3 = await runQc([lossy], {
    sampleRateHz: r44,
    info: { lossless: false, codec: 'MPEG 1 Layer 3', bit_depth: null },
  });
  assert.equal(asMp3.bandwidth.lossy_transcode_suspected, false);
  assert.equal(asMp3.bandwidth.upsampled, false);

  const sine = await runQc([tone(1000, 3, rate, 0.5)], { sampleRateHz: rate });
  assert.equal(sine.bandwidth.cutoff_hz, null);
  assert.equal(sine.bandwidth.upsampled, false);
});

test('profiles: a clean 96 kHz/24-bit master passes preservation-master; access-copy judges loudness', async () => {
  const rate = 96000;
  const l = noise(4, rate, 0.25, 41);
  const r = noise(4, rate, 0.25, 42);
  const master = await runQc([l, r], { sampleRateHz: rate, info: { bit_depth: 24 } });
  assert.equal(
    master.verdict,
    'pass',
    JSON.stringify(master.profile.checks.filter((c) => c.status !== 'pass')),
  );
  const mp3 = await runQc([l, r], {
    sampleRateHz: rate,
    info: { lossless: false, codec: 'MPEG 1 Layer 3', bit_depth: null },
  });
  assert.equal(mp3.verdict, 'fail');
  assert.equal(mp3.profile.checks.find((c) => c.id === 'codec_lossless')?.status, 'fail');
  assert.equal(mp3.profile.checks.find((c) => c.id === 'bit_depth')?.status, 'fail');

  const access = await runQc([l, r], { sampleRateHz: rate, options: { profile: 'access-copy' } });
  assert.equal(access.profile.name, 'access-copy');
  const loud = access.profile.checks.find((c) => c.id === 'loudness')!;
  near(loud.value as number, access.loudness.integrated_lufs!, 1e-9, 'check value');
  // White noise at ±0.25 is about -13.5 LUFS: 2.5 LU from -16 → warn.
  assert.equal(loud.status, Math.abs(access.loudness.integrated_lufs! + 16) > 3 ? 'fail' : 'warn');
});

test('not_run when no native samples arrive; unknown profile fails at creation', async () => {
  const s = await runQcRaw([new Float32Array(0)], { sampleRateHz: 48000 });
  assert.equal(s.status, 'not_run');
  await assert.rejects(
    runQcRaw([tone(440, 1, 48000)], { sampleRateHz: 48000, options: { profile: 'nope' } }),
    (e: unknown) => (e as { code?: string }).code === 'SONO_ERR_UNKNOWN_PROFILE',
  );
});
