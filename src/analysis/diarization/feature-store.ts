/**
 * Compact per-frame features kept by the diarization analyzer while frames stream by: the only
 * thing it holds in memory for the whole recording. Per 10 ms frame: 40 log-mel bands quantised to
 * one byte (0.125 neper steps ≈ 0.54 dB, far below speaker differences), frame level in
 * centi-dB (Int16), f0 in deci-Hz (Uint16, 0 = unvoiced) and YIN periodicity (Uint8): 45 bytes a
 * frame, 49 MB for a 3-hour recording. Stored in fixed-size chunks so growing never copies.
 * With `nMels` 0 (the neural engine, which reads only level, f0 and periodicity back) no log-mel
 * is kept: 5 bytes a frame, 1.8 MB per audio hour.
 */

/** Quantisation of log-mel values (natural log of band energy). */
export const MEL_Q_MIN = -20;
export const MEL_Q_STEP = 0.125;

const CHUNK_FRAMES = 1 << 15;

class ChunkedArray<T extends Uint8Array | Uint16Array | Int16Array> {
  private readonly chunks: T[] = [];
  length = 0;
  constructor(
    private readonly make: (n: number) => T,
    private readonly width: number,
  ) {}

  /** Returns a writable view of the next row (width values). */
  nextRow(): T {
    const c = Math.floor(this.length / CHUNK_FRAMES);
    if (c === this.chunks.length) this.chunks.push(this.make(CHUNK_FRAMES * this.width));
    const off = (this.length % CHUNK_FRAMES) * this.width;
    this.length++;
    return this.chunks[c]!.subarray(off, off + this.width) as T;
  }

  get(row: number, col = 0): number {
    const c = this.chunks[Math.floor(row / CHUNK_FRAMES)]!;
    return c[(row % CHUNK_FRAMES) * this.width + col]!;
  }

  row(row: number): T {
    const c = this.chunks[Math.floor(row / CHUNK_FRAMES)]!;
    const off = (row % CHUNK_FRAMES) * this.width;
    return c.subarray(off, off + this.width) as T;
  }

  byteLength(): number {
    return this.chunks.reduce((s, c) => s + c.byteLength, 0);
  }
}

/** The compact feature track of one recording. */
export class FrameFeatureStore {
  readonly nMels: number;
  private readonly mel: ChunkedArray<Uint8Array>;
  private readonly levelCdb: ChunkedArray<Int16Array>;
  private readonly f0Dhz: ChunkedArray<Uint16Array>;
  private readonly periodicityQ: ChunkedArray<Uint8Array>;

  constructor(
    nMels: number,
    /** Frame hop, seconds. */
    readonly hopSec: number,
    /** Offset of a frame's centre from its start index × hop, seconds. */
    readonly centerOffsetSec: number,
  ) {
    this.nMels = nMels;
    this.mel = new ChunkedArray((n) => new Uint8Array(n), nMels);
    this.levelCdb = new ChunkedArray((n) => new Int16Array(n), 1);
    this.f0Dhz = new ChunkedArray((n) => new Uint16Array(n), 1);
    this.periodicityQ = new ChunkedArray((n) => new Uint8Array(n), 1);
  }

  get frameCount(): number {
    return this.levelCdb.length;
  }

  /**
   * Appends one frame.
   * @param melLog - natural-log mel energies (length nMels).
   * @param levelDb - frame RMS level, dBFS.
   * @param f0Hz - fundamental frequency, 0 when unvoiced.
   * @param periodicity - in [0, 1].
   */
  push(melLog: Float32Array, levelDb: number, f0Hz: number, periodicity: number): void {
    const row = this.mel.nextRow();
    for (let i = 0; i < this.nMels; i++) {
      const q = Math.round((melLog[i]! - MEL_Q_MIN) / MEL_Q_STEP);
      row[i] = q < 0 ? 0 : q > 255 ? 255 : q;
    }
    this.levelCdb.nextRow()[0] = Math.max(-32000, Math.min(32000, Math.round(levelDb * 100)));
    this.f0Dhz.nextRow()[0] = Math.max(0, Math.min(65535, Math.round(f0Hz * 10)));
    this.periodicityQ.nextRow()[0] = Math.round(Math.max(0, Math.min(1, periodicity)) * 255);
  }

  /** Dequantised log-mel of frame `i` into `out` (length nMels). */
  readMel(i: number, out: Float32Array): void {
    const row = this.mel.row(i);
    for (let k = 0; k < this.nMels; k++) out[k] = MEL_Q_MIN + row[k]! * MEL_Q_STEP;
  }

  levelDb(i: number): number {
    return this.levelCdb.get(i) / 100;
  }

  f0Hz(i: number): number {
    return this.f0Dhz.get(i) / 10;
  }

  periodicity(i: number): number {
    return this.periodicityQ.get(i) / 255;
  }

  /** Centre time of frame `i`, seconds. */
  timeOf(i: number): number {
    return i * this.hopSec + this.centerOffsetSec;
  }

  /** Bytes held (for the memory budget). */
  byteLength(): number {
    return (
      this.mel.byteLength() +
      this.levelCdb.byteLength() +
      this.f0Dhz.byteLength() +
      this.periodicityQ.byteLength()
    );
  }
}
