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
  assert.throws(() => new Fft(2), />= 4/);
});

test('realForward matches a direct DFT of a random signal at several sizes', () => {
  for (const n of [4, 8, 64, 512, 4096]) {
    let seed = n;
    const x = Float64Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648 - 0.5;
    });
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    Fft.of(n).realForward(x, re, im);
    let worst = 0;
    for (const k of [0, 1, 2, n / 4, n / 2 - 1, n / 2]) {
      let dr = 0;
      let di = 0;
      for (let t = 0; t < n; t++) {
        dr += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
        di -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
      }
      worst = Math.max(worst, Math.abs(dr - re[k]!), Math.abs(di - im[k]!));
    }
    assert.ok(worst < 1e-9 * n, `n=${n} worst=${worst}`);
  }
});
