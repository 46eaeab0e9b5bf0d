import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ColumnAccumulator,
  decimatePeaks,
  encodePeaksInt8,
  MAX_PEAK_BINS,
  PeakAccumulator,
  type WaveformSection,
} from '../../../src/analysis/waveform/index.js';
import { analyzeFile } from '../../../src/pipeline/analyze-file.js';
import { STAGES } from '../../../src/pipeline/stages.js';
import { validateReport } from '../../../src/pipeline/validate-report.js';
import { concat, silence, tempDir, tone, writeWav } from '../../helpers/fixtures.js';

test('peaks: overflow halves the resolution and equals peaks computed at the coarser bin directly', () => {
  const x = new Float32Array(10_000);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * ((i % 1000) / 1000);
  const small = new PeakAccumulator(10, 8); // 1000 bins of 10 → halves until ≤ 8 bins
  for (let i = 0; i < x.length; i += 333) small.push(x.subarray(i, i + 333));
  const r = small.result();
  assert.equal(small.binSamples, 1280);
  assert.equal(r.mins.length, Math.ceil(x.length / 1280));
  for (let b = 0; b < r.mins.length; b++) {
    const seg = x.subarray(b * 1280, (b + 1) * 1280);
    assert.equal(r.mins[b], Math.fround(Math.min(...seg)), `min of bin ${b}`);
    assert.equal(r.maxs[b], Math.fround(Math.max(...seg)), `max of bin ${b}`);
  }
  const d = decimatePeaks(r.mins, r.maxs, 4);
  assert.equal(d.mins.length, 2);
  assert.equal(d.maxs[0], Math.max(...r.maxs.subarray(0, 4)));
  assert.throws(() => new PeakAccumulator(0, 8), /initialBinSamples/);
});

test('peaks: int8 encoding keeps amplitude to 1/127', () => {
  const b = Buffer.from(
    encodePeaksInt8(Float32Array.of(-1, -0.5, 0), Float32Array.of(1, 0.25, 0)),
    'base64',
  );
  assert.deepEqual(
    [...new Int8Array(b.buffer, b.byteOffset, b.length)],
    [-127, 127, -63, 32, 0, 0],
  );
});

test('spectrogram columns: means over merged frames, bounded column count', () => {
  const acc = new ColumnAccumulator(2, 4);
  for (let i = 0; i < 10; i++) acc.push(Float32Array.of(i, 2 * i));
  const { columns, means } = acc.result();
  // 10 frames, 4 columns max → 2 frames per column would give 5: halved again to 4 per column.
  assert.equal(acc.framesPerColumn, 4);
  assert.equal(columns, 3);
  assert.deepEqual([...means], [1.5, 3, 5.5, 11, 8.5, 17]);
});

test('waveform stage: real decode of a tone then silence gives peaks, levels and a spectrogram', async () => {
  const dir = tempDir('sonoteca-waveform-');
  const wav = writeWav(dir, 'tone.wav', [concat(tone(1000, 2, 48000, 0.5), silence(2, 48000))], {
    sampleRateHz: 48000,
    format: 'pcm16',
  });
  const report = await analyzeFile(wav, {
    processingType: 'technical',
    stages: STAGES.filter((s) => s.id === 'waveform'),
  });
  const w = (report.results as unknown as Record<string, WaveformSection>)['waveform']!;
  assert.equal(w.status, 'ok');
  assert.ok(Math.abs(w.duration_sec! - 4) < 0.01);
  const fine = w.levels![0]!;
  assert.equal(fine.samples_per_bin, 256);
  assert.equal(fine.bins, Math.ceil((4 * 16000) / 256));
  assert.ok(fine.bins <= MAX_PEAK_BINS);
  const bytes = new Int8Array(Buffer.from(fine.data, 'base64'));
  const max0 = Math.max(...Array.from({ length: 50 }, (_, i) => bytes[2 * i + 1]!));
  assert.ok(Math.abs(max0 / 127 - 0.5) < 0.03, `tone peak ${max0 / 127}`);
  const lastMax = bytes[2 * (fine.bins - 10) + 1]!;
  assert.ok(Math.abs(lastMax) <= 1, `silence peak ${lastMax}`);
  const s = w.spectrogram!;
  assert.equal(s.n_mels, 40);
  const spec = Buffer.from(s.data, 'base64');
  assert.equal(spec.length, s.columns * s.n_mels);
  // The loudest cell is in the tone half; the silent half sits at the bottom of the range.
  const col = (c: number) => spec.subarray(c * 40, (c + 1) * 40);
  assert.equal(Math.max(...col(Math.floor(s.columns / 4))), 255);
  assert.ok(Math.max(...col(s.columns - 5)) < 40);
  const v = validateReport(report);
  assert.ok(v.valid, v.errors.join('\n'));
});

test('spectrogram columns wider than the sample count read only evenly spaced frames', () => {
  const maxColumns = 8;
  const acc = new ColumnAccumulator(1, maxColumns, 4);
  const frames = 8 * 64; // 64 frames per column after the halvings
  let asked = 0;
  for (let i = 0; i < frames; i++) {
    // A ramp inside each 64-frame column (0..63): the sampled mean is that of frames 0,16,32,48.
    const v = i % 64;
    acc.push(() => {
      asked++;
      return Float32Array.of(v);
    });
  }
  assert.equal(acc.framesPerColumn, 64);
  const { columns, means } = acc.result();
  assert.equal(columns, maxColumns);
  // Early columns were filled before the halvings with every frame (stride 1, 2, …); the last
  // ones with stride 16: 4 frames per column.
  assert.ok(asked < frames / 3, `features asked for ${asked} of ${frames} frames`);
  assert.equal(means[maxColumns - 1], (0 + 16 + 32 + 48) / 4);
  // Without sampling every frame is read and the last column is the full ramp's mean.
  const full = new ColumnAccumulator(1, maxColumns);
  for (let i = 0; i < frames; i++) full.push(Float32Array.of(i % 64));
  assert.equal(full.result().means[maxColumns - 1], 31.5);
});
