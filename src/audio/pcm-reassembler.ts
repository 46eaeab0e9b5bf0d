/**
 * Turns a byte stream of raw float32le PCM (arbitrary chunk boundaries, as pipes deliver it) into
 * aligned Float32Arrays holding whole frames. A float32 value — or an interleaved frame — split
 * across two chunks is carried over and completed by the next chunk.
 */
export class Float32Reassembler {
  private readonly frameBytes: number;
  private readonly carry: Buffer;
  private carryLen = 0;
  private scratch = new Float32Array(0);

  /**
   * @param channels samples per frame (1 for mono).
   * @param reuse when true, `push` returns a view of one reused buffer (valid until the next
   *   push); when false, every result is a fresh array the caller may keep.
   */
  constructor(
    readonly channels: number,
    private readonly reuse = false,
  ) {
    this.frameBytes = 4 * channels;
    this.carry = Buffer.alloc(this.frameBytes);
  }

  /** Bytes held back, waiting for the rest of their frame. */
  get pendingBytes(): number {
    return this.carryLen;
  }

  /** Returns the whole frames completed by `chunk` (interleaved), or null when none is. */
  push(chunk: Uint8Array): Float32Array | null {
    const total = this.carryLen + chunk.length;
    const frames = Math.floor(total / this.frameBytes);
    if (frames === 0) {
      this.carry.set(chunk, this.carryLen);
      this.carryLen = total;
      return null;
    }
    const nSamples = frames * this.channels;
    let out: Float32Array;
    if (this.reuse) {
      if (this.scratch.length < nSamples) this.scratch = new Float32Array(nSamples);
      out = this.scratch.subarray(0, nSamples);
    } else out = new Float32Array(nSamples);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, nSamples * 4);
    bytes.set(this.carry.subarray(0, this.carryLen), 0);
    const used = frames * this.frameBytes - this.carryLen;
    bytes.set(chunk.subarray(0, used), this.carryLen);
    const rest = chunk.subarray(used);
    this.carry.set(rest, 0);
    this.carryLen = rest.length;
    return out;
  }
}
