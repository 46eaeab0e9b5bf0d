/**
 * Window features of the segmentation model: for every 0.1 s block, statistics of the blocks in a
 * 1.1 s window centred on it (±5 blocks), the 1 s modulation descriptors, and the VAD probability
 * over the same span. Shapes: blocks is row-major [nBlocks × BLOCK_FIELDS]; the result is
 * row-major [nBlocks × FEATURE_NAMES.length].
 */
import type { VadTrack } from '../voice-activity/voice-activity-analyzer.js';
import { BLOCK_FIELD_NAMES, BLOCK_FIELDS, BLOCK_SEC } from './descriptors.js';

const HALF = 5;

/** Block fields averaged over the window (indices into the block row). */
const MEAN_FIELDS = [0, 1, 2, 3, 4, 5, 6, 7, 11, 12] as const;
/** Block fields whose spread across the window is a feature. */
const STD_FIELDS = [0, 1, 3, 4] as const;
/** Modulation fields, taken from the block ending the window's last second. */
const MOD_FIELDS = [8, 9, 10] as const;

// Names derive from the block layout, so adding a block field cannot leave them out of step.
export const FEATURE_NAMES: readonly string[] = [
  ...MEAN_FIELDS.map((i) => `mean_${BLOCK_FIELD_NAMES[i]}`),
  ...STD_FIELDS.map((i) => `std_${BLOCK_FIELD_NAMES[i]}`),
  ...MOD_FIELDS.map((i) => BLOCK_FIELD_NAMES[i]),
  'vad_mean',
  'vad_max',
  'vad_centre',
];

export const N_FEATURES = FEATURE_NAMES.length;

/**
 * Mean VAD probability per block (NaN-free; 0 when there is no track). Length nBlocks.
 */
export function vadPerBlock(track: VadTrack | undefined, nBlocks: number): Float32Array {
  const out = new Float32Array(nBlocks);
  if (!track) return out;
  const p = track.probabilitiesU8;
  const hop = track.frameHopSec;
  for (let b = 0; b < nBlocks; b++) {
    const t0 = b * BLOCK_SEC;
    const t1 = t0 + BLOCK_SEC;
    let i0 = Math.floor(t0 / hop);
    let i1 = Math.ceil(t1 / hop);
    i0 = Math.min(i0, p.length - 1);
    i1 = Math.min(Math.max(i1, i0 + 1), p.length);
    let s = 0;
    for (let i = i0; i < i1; i++) s += p[i]!;
    out[b] = i1 > i0 && i0 >= 0 ? s / (255 * (i1 - i0)) : 0;
  }
  return out;
}

/** Computes the window features of every block. */
export function computeWindowFeatures(
  blocks: Float32Array,
  vadTrack: VadTrack | undefined,
): { readonly features: Float32Array; readonly nBlocks: number } {
  const nBlocks = Math.floor(blocks.length / BLOCK_FIELDS);
  const vad = vadPerBlock(vadTrack, nBlocks);
  const F = N_FEATURES;
  const out = new Float32Array(nBlocks * F);
  for (let b = 0; b < nBlocks; b++) {
    const lo = Math.max(0, b - HALF);
    const hi = Math.min(nBlocks - 1, b + HALF);
    const n = hi - lo + 1;
    const o = b * F;
    let k = 0;
    for (const f of MEAN_FIELDS) {
      let s = 0;
      for (let j = lo; j <= hi; j++) s += blocks[j * BLOCK_FIELDS + f]!;
      out[o + k++] = s / n;
    }
    for (const f of STD_FIELDS) {
      let s = 0;
      let s2 = 0;
      for (let j = lo; j <= hi; j++) {
        const v = blocks[j * BLOCK_FIELDS + f]!;
        s += v;
        s2 += v * v;
      }
      out[o + k++] = Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
    }
    for (const f of MOD_FIELDS) out[o + k++] = blocks[hi * BLOCK_FIELDS + f]!;
    let vs = 0;
    let vm = 0;
    for (let j = lo; j <= hi; j++) {
      vs += vad[j]!;
      vm = Math.max(vm, vad[j]!);
    }
    out[o + k++] = vs / n;
    out[o + k++] = vm;
    out[o + k] = vad[b]!;
  }
  return { features: out, nBlocks };
}
