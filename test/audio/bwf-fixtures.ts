/**
 * Builders for BWF metadata chunks (EBU Tech 3285 bext, iXML, LIST/INFO) and an RF64 rewriter,
 * used with `encodeWav(..., { extraChunks })` from test/helpers/fixtures.ts.
 */

export interface BextFields {
  description?: string;
  originator?: string;
  originatorReference?: string;
  originationDate?: string;
  originationTime?: string;
  timeReference?: bigint;
  version?: number;
  umid?: Buffer;
  /** Raw int16 loudness fields (0.01 units): value, range, true peak, momentary, short-term. */
  loudness?: [number, number, number, number, number];
  codingHistory?: string;
}

export function bextChunk(f: BextFields): { id: string; data: Buffer } {
  const history = Buffer.from(f.codingHistory ?? '', 'latin1');
  const b = Buffer.alloc(602 + history.length);
  b.write(f.description ?? '', 0, 256, 'latin1');
  b.write(f.originator ?? '', 256, 32, 'latin1');
  b.write(f.originatorReference ?? '', 288, 32, 'latin1');
  b.write(f.originationDate ?? '', 320, 10, 'latin1');
  b.write(f.originationTime ?? '', 330, 8, 'latin1');
  b.writeBigUInt64LE(f.timeReference ?? 0n, 338);
  b.writeUInt16LE(f.version ?? 2, 346);
  if (f.umid) f.umid.copy(b, 348, 0, 64);
  const l = f.loudness ?? [0x7fff, 0x7fff, 0x7fff, 0x7fff, 0x7fff];
  l.forEach((v, i) => b.writeInt16LE(v, 412 + 2 * i));
  history.copy(b, 602);
  return { id: 'bext', data: b };
}

export function infoChunk(tags: Record<string, string>): { id: string; data: Buffer } {
  const parts: Buffer[] = [Buffer.from('INFO', 'latin1')];
  for (const [id, value] of Object.entries(tags)) {
    const v = Buffer.concat([Buffer.from(value, 'utf8'), Buffer.alloc(1)]);
    const h = Buffer.alloc(8);
    h.write(id, 0, 4, 'latin1');
    h.writeUInt32LE(v.length, 4);
    parts.push(h, v, v.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0));
  }
  return { id: 'LIST', data: Buffer.concat(parts) };
}

export function ixmlChunk(xml: string): { id: string; data: Buffer } {
  return { id: 'iXML', data: Buffer.from(xml, 'utf8') };
}

/** Splits a RIFF/WAVE buffer into its chunks. */
export function riffChunks(wav: Buffer): { id: string; data: Buffer }[] {
  const out: { id: string; data: Buffer }[] = [];
  for (let o = 12; o + 8 <= wav.length;) {
    const id = wav.toString('latin1', o, o + 4);
    const size = wav.readUInt32LE(o + 4);
    out.push({ id, data: wav.subarray(o + 8, o + 8 + size) });
    o += 8 + size + (size % 2);
  }
  return out;
}

/**
 * Rewrites a RIFF WAVE as RF64 (EBU Tech 3306): `ds64` first, 32-bit sizes of the form and the
 * data chunk set to 0xFFFFFFFF. `declaredDataSize` overrides the 64-bit data size (to make lies).
 */
export function toRf64(wav: Buffer, declaredDataSize?: bigint): Buffer {
  const chunks = riffChunks(wav);
  const data = chunks.find((c) => c.id === 'data')!;
  const fmt = chunks.find((c) => c.id === 'fmt ')!;
  const blockAlign = fmt.data.readUInt16LE(12);
  const body: Buffer[] = [];
  const ds64 = Buffer.alloc(28);
  body.push(Buffer.from('WAVE', 'latin1'), header('ds64', 28), ds64);
  for (const c of chunks) {
    body.push(header(c.id, c.id === 'data' ? 0xffffffff : c.data.length), c.data);
    if (c.data.length % 2) body.push(Buffer.alloc(1));
  }
  const total = body.reduce((n, b) => n + b.length, 0);
  ds64.writeBigUInt64LE(BigInt(total), 0);
  ds64.writeBigUInt64LE(declaredDataSize ?? BigInt(data.data.length), 8);
  ds64.writeBigUInt64LE(BigInt(data.data.length / blockAlign), 16);
  ds64.writeUInt32LE(0, 24);
  const riff = Buffer.alloc(8);
  riff.write('RF64', 0, 'latin1');
  riff.writeUInt32LE(0xffffffff, 4);
  return Buffer.concat([riff, ...body]);
}

function header(id: string, size: number): Buffer {
  const h = Buffer.alloc(8);
  h.write(id, 0, 4, 'latin1');
  h.writeUInt32LE(size, 4);
  return h;
}
