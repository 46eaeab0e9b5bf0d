import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FRAMER, Framer } from '../../src/analysis/frames.js';

test('framer emits frames at every hop whatever the chunking, zero-padding the tail', () => {
  const total = 16000; // 1 s
  const signal = new Float32Array(total).map((_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
  const starts: number[] = [];
  const rms: number[] = [];
  const f = new Framer(DEFAULT_FRAMER, (fr) => {
    starts.push(fr.startSec);
    rms.push(fr.rms);
  });
  for (let i = 0; i < total; i += 1234) f.push(signal.subarray(i, Math.min(total, i + 1234)));
  f.flush();
  // full windows: floor((16000-512)/160)+1 = 97, plus one padded tail frame
  assert.equal(starts.length, 98);
  assert.ok(Math.abs(starts[1]! - 0.01) < 1e-9);
  assert.ok(Math.abs(rms[10]! - Math.SQRT1_2) < 0.01);
});

test('mel and MFCC of a 1 kHz tone put the energy in the band around 1 kHz', () => {
  let peakBandHz = 0;
  const f = new Framer(DEFAULT_FRAMER, (fr) => {
    if (fr.index !== 5) return;
    const mel = fr.melLog;
    let best = 0;
    for (let i = 1; i < mel.length; i++) if (mel[i]! > mel[best]!) best = i;
    peakBandHz = best;
    assert.equal(fr.mfcc.length, 20);
    assert.ok(Number.isFinite(fr.mfcc[0]!));
  });
  const x = new Float32Array(4000).map((_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
  f.push(x);
  // 40 Slaney bands over 0..8 kHz: 1 kHz lands in band 14 or 15
  assert.ok(peakBandHz >= 13 && peakBandHz <= 16, `band ${peakBandHz}`);
});
