import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fft } from '../../src/dsp/fft.js';

test('power spectrum of a bin-centred sine peaks at its bin with energy (N/2)^2', () => {
  const n = 512;
  const k = 37;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * k * i) / n);
  const p = new Float32Array(n / 2 + 1);
  Fft.of(n).powerSpectrum(x, p);
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  assert.equal(best, k);
  assert.ok(Math.abs(p[k]! - (n / 2) ** 2) / (n / 2) ** 2 < 1e-4);
  assert.ok(p[k + 3]! < 1e-6 * p[k]!);
});

test('rejects a size that is not a power of two', () => {
  assert.throws(() => new Fft(300), /power of two/);
});
