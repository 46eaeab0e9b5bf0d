/**
 * Synthetic "speakers" for diarization tests: a glottal-like harmonic source (sawtooth-like
 * harmonics with slight f0 drift) shaped by three formant resonators, cycling through vowels whose
 * formants scale with the speaker's vocal-tract length, amplitude-modulated into syllables.
 */
import { rng } from '../../helpers/fixtures.js';

export const SR = 16000;

export interface SyntheticSpeaker {
  readonly f0Hz: number;
  /** Formant scale (shorter vocal tract → higher formants). */
  readonly tractScale: number;
  /** Syllables per second. */
  readonly syllableRateHz: number;
}

const VOWELS: readonly (readonly [number, number, number])[] = [
  [730, 1090, 2440], // a
  [270, 2290, 3010], // i
  [300, 870, 2240], // u
  [530, 1840, 2480], // e
];

/** Two-pole resonator coefficients for a formant at `f` Hz with bandwidth `bw` Hz. */
function resonator(f: number, bw: number): [number, number, number] {
  const r = Math.exp((-Math.PI * bw) / SR);
  const a1 = -2 * r * Math.cos((2 * Math.PI * f) / SR);
  const a2 = r * r;
  return [1 - r, a1, a2];
}

/** `seconds` of one speaker's voiced speech (syllable train), deterministic per seed. */
export function speak(spk: SyntheticSpeaker, seconds: number, seed: number): Float32Array {
  const n = Math.round(seconds * SR);
  const out = new Float32Array(n);
  const rand = rng(seed);
  let phase = 0;
  const syl = Math.round(SR / spk.syllableRateHz);
  const filters = [0, 0, 0].map(() => ({ y1: 0, y2: 0 }));
  for (let s0 = 0; s0 < n; s0 += syl) {
    const vowel = VOWELS[Math.floor(rand() * VOWELS.length)]!;
    const coefs = vowel.map((f, k) => resonator(f * spk.tractScale, 80 + 40 * k));
    const f0 = spk.f0Hz * (0.95 + 0.1 * rand());
    for (let i = 0; i < syl && s0 + i < n; i++) {
      // syllable envelope: rise–fall over 70 % of the syllable, then a short near-silence
      const u = i / syl;
      const env = u < 0.7 ? Math.sin((Math.PI * u) / 0.7) : 0.02;
      phase += f0 / SR;
      if (phase >= 1) phase -= 1;
      const src = (2 * phase - 1) * env + 0.002 * (rand() - 0.5);
      let y = 0;
      coefs.forEach(([g, a1, a2], k) => {
        const st = filters[k]!;
        const v = g * src - a1 * st.y1 - a2 * st.y2;
        st.y2 = st.y1;
        st.y1 = v;
        y += v;
      });
      out[s0 + i] = 0.6 * y;
    }
  }
  return out;
}

export interface Turn {
  readonly speaker: number;
  readonly start: number;
  readonly end: number;
}

/** Alternating turns separated by silent pauses; returns the mix and the true turns. */
export function conversation(
  speakers: readonly SyntheticSpeaker[],
  plan: readonly (readonly [speaker: number, seconds: number])[],
  pauseSec = 0.6,
): { samples: Float32Array; turns: Turn[] } {
  const parts: Float32Array[] = [];
  const turns: Turn[] = [];
  let t = pauseSec;
  parts.push(new Float32Array(Math.round(pauseSec * SR)));
  plan.forEach(([spk, sec], i) => {
    parts.push(speak(speakers[spk]!, sec, 100 + i));
    turns.push({ speaker: spk, start: t, end: t + sec });
    t += sec + pauseSec;
    parts.push(new Float32Array(Math.round(pauseSec * SR)));
  });
  const samples = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    samples.set(p, o);
    o += p.length;
  }
  return { samples, turns };
}
