/** Append-only typed arrays that double their capacity: compact per-frame feature storage. */

export class GrowableFloat32 {
  private buf: Float32Array;
  length = 0;
  constructor(initial = 1024) {
    this.buf = new Float32Array(initial);
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  /** Adds `v` at index `i`, growing (zero-filled) as needed. */
  addAt(i: number, v: number): void {
    while (i >= this.buf.length) {
      const next = new Float32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[i]! += v;
    if (i >= this.length) this.length = i + 1;
  }
  get(i: number): number {
    return i < this.length ? this.buf[i]! : 0;
  }
  /** A view of [start, end) (clamped); valid until the next push. */
  view(start = 0, end = this.length): Float32Array {
    const s = Math.max(0, Math.min(start, this.length));
    const e = Math.max(s, Math.min(end, this.length));
    return this.buf.subarray(s, e);
  }
}

export class GrowableUint8 {
  private buf: Uint8Array;
  length = 0;
  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  get(i: number): number {
    return i < this.length ? this.buf[i]! : 0;
  }
  /** A view of [start, end) (clamped); valid until the next push. */
  view(start = 0, end = this.length): Uint8Array {
    const s = Math.max(0, Math.min(start, this.length));
    const e = Math.max(s, Math.min(end, this.length));
    return this.buf.subarray(s, e);
  }
}
