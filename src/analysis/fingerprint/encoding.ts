/**
 * The compact fingerprint encoding `sonoteca-fp1`: 8 bytes per triplet, little-endian uint32
 * pairs `[hash | lf1 << 20, t1 in ms]`, with lf1 in 1/32 semitones above 100 Hz (12 bits) and the
 * 20-bit hash of `dsp/triplet-hash.ts`; base64 in the report section, raw bytes in the store.
 */
import { HASH_BITS, type Triplet } from '../../dsp/triplet-hash.js';

export const FINGERPRINT_ENCODING = 'sonoteca-fp1';
const LF_UNITS_PER_ST = 32;
const LF_MAX = (1 << (32 - HASH_BITS)) - 1;
const HASH_MASK = (1 << HASH_BITS) - 1;
const CHUNK_BYTES = 256 * 1024;

/** Triplets as parallel typed arrays (what the matcher and the store work on). */
export interface FingerprintPoints {
  readonly hashes: Uint32Array;
  readonly timesSec: Float64Array;
  readonly lfSt: Float32Array;
}

/** Appends triplets in the encoding; memory: 8 bytes per triplet, in 256 KiB chunks. */
export class TripletWriter {
  private readonly chunks: Buffer[] = [];
  private current = Buffer.alloc(CHUNK_BYTES);
  private used = 0;
  count = 0;

  push(t: Triplet): void {
    if (this.used === this.current.length) {
      this.chunks.push(this.current);
      this.current = Buffer.alloc(CHUNK_BYTES);
      this.used = 0;
    }
    const lf = Math.min(LF_MAX, Math.max(0, Math.round(t.lfSt * LF_UNITS_PER_ST)));
    this.current.writeUInt32LE(((t.hash & HASH_MASK) | (lf << HASH_BITS)) >>> 0, this.used);
    this.current.writeUInt32LE(Math.max(0, Math.round(t.timeSec * 1000)) >>> 0, this.used + 4);
    this.used += 8;
    this.count++;
  }

  toBuffer(): Buffer {
    return Buffer.concat([...this.chunks, this.current.subarray(0, this.used)]);
  }
}

export function encodeTriplets(triplets: readonly Triplet[]): Buffer {
  const w = new TripletWriter();
  for (const t of triplets) w.push(t);
  return w.toBuffer();
}

export function decodePoints(bytes: Uint8Array): FingerprintPoints {
  const n = Math.floor(bytes.length / 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hashes = new Uint32Array(n);
  const timesSec = new Float64Array(n);
  const lfSt = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const w = view.getUint32(8 * i, true);
    hashes[i] = w & HASH_MASK;
    lfSt[i] = (w >>> HASH_BITS) / LF_UNITS_PER_ST;
    timesSec[i] = view.getUint32(8 * i + 4, true) / 1000;
  }
  return { hashes, timesSec, lfSt };
}

/** The points of triplets without a round trip through bytes (same quantisation). */
export function pointsOf(triplets: readonly Triplet[]): FingerprintPoints {
  return decodePoints(encodeTriplets(triplets));
}
