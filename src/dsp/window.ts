/** Window functions, memoised by (kind, length). */

const cache = new Map<string, Float32Array>();

/** Periodic Hann window of `length` samples (the STFT convention, as librosa's default). */
export function hannWindow(length: number): Float32Array {
  const key = `hann:${length}`;
  let w = cache.get(key);
  if (!w) {
    w = new Float32Array(length);
    for (let i = 0; i < length; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
    cache.set(key, w);
  }
  return w;
}
