/**
 * Spectral shape descriptors of one power spectrum (Peeters 2004, "A large set of audio features"):
 * centroid, roll-off and flatness. Pure; the arithmetic is too small to warrant a library.
 */

export interface SpectralShape {
  /** Power-weighted mean frequency, Hz. */
  centroidHz: number;
  /** Frequency below which `rolloffFraction` of the power lies, Hz. */
  rolloffHz: number;
  /** Geometric / arithmetic mean of the power (0 = tonal, 1 = white noise). */
  flatness: number;
}

/**
 * @param power - power spectrum, length fftSize/2 + 1 (bin k at k·sampleRateHz/fftSize Hz).
 * @param rolloffFraction - @defaultValue 0.85
 * @returns null for an all-zero spectrum.
 */
export function computeSpectralShape(
  power: Float32Array,
  sampleRateHz: number,
  rolloffFraction = 0.85,
): SpectralShape | null {
  const n = power.length;
  const binHz = sampleRateHz / (2 * (n - 1));
  let total = 0;
  let weighted = 0;
  let logSum = 0;
  for (let k = 1; k < n; k++) {
    const p = power[k]!;
    total += p;
    weighted += p * k;
    logSum += Math.log(p + 1e-12);
  }
  if (!(total > 1e-10)) return null;
  const target = total * rolloffFraction;
  let acc = 0;
  let roll = n - 1;
  for (let k = 1; k < n; k++) {
    acc += power[k]!;
    if (acc >= target) {
      roll = k;
      break;
    }
  }
  const m = n - 1;
  const flatness = Math.exp(logSum / m) / (total / m + 1e-12);
  return {
    centroidHz: (weighted / total) * binHz,
    rolloffHz: roll * binHz,
    flatness: Math.min(1, flatness),
  };
}
