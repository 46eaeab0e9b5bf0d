/**
 * Embedded metadata → plain JSON: BWF `bext`, iXML, RIFF LIST/INFO (read by the chunk walker in
 * riff.ts, see there why), and music-metadata's native and common tags for everything else.
 */
import { XMLParser } from 'fast-xml-parser';
import type { IAudioMetadata } from 'music-metadata';
import type { BextMetadata, CommonTags, EmbeddedMetadata, JsonValue } from './types.js';

/** Text of a fixed-size or NUL-terminated field: UTF-8 when valid, else Latin-1 (ISO 8859-1). */
export function decodeText(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  const b = nul >= 0 ? bytes.subarray(0, nul) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b).trim();
  } catch {
    return b.toString('latin1').trim();
  }
}

/** EBU Tech 3285 v2: a loudness field that is not used holds 0x7FFF. Values are 0.01 units. */
function loudness(p: Buffer, off: number): number | null {
  if (p.length < off + 2) return null;
  const raw = p.readInt16LE(off);
  return raw === 0x7fff ? null : raw / 100;
}

/**
 * Parses a `bext` chunk payload (EBU Tech 3285 v0–v2 layout: Description 256, Originator 32,
 * OriginatorReference 32, OriginationDate 10, OriginationTime 8, TimeReference u64, Version u16,
 * UMID 64, five int16 loudness fields, 180 reserved, then CodingHistory to the end).
 */
export function parseBext(p: Buffer, sampleRateHz: number | null): BextMetadata {
  const field = (off: number, len: number): string =>
    p.length > off ? decodeText(p.subarray(off, Math.min(p.length, off + len))) : '';
  const timeReference = p.length >= 346 ? Number(p.readBigUInt64LE(338)) : 0; // exact below 2^53 samples
  const version = p.length >= 348 ? p.readUInt16LE(346) : 0;
  let umid: string | null = null;
  if (p.length >= 412) {
    const u = p.subarray(348, 412);
    if (u.some((b) => b !== 0)) {
      // A basic UMID is 32 bytes, the extended one 64: drop an all-zero second half.
      umid = (u.subarray(32).some((b) => b !== 0) ? u : u.subarray(0, 32)).toString('hex');
    }
  }
  const v2 = version >= 2;
  const codingHistory = p.length > 602 ? decodeCodingHistory(p.subarray(602)) : '';
  return {
    description: field(0, 256),
    originator: field(256, 32),
    originator_reference: field(288, 32),
    origination_date: field(320, 10),
    origination_time: field(330, 8),
    time_reference: timeReference,
    time_reference_sec: sampleRateHz ? timeReference / sampleRateHz : null,
    version,
    umid,
    loudness_value: v2 ? loudness(p, 412) : null,
    loudness_range: v2 ? loudness(p, 414) : null,
    max_true_peak_level: v2 ? loudness(p, 416) : null,
    max_momentary_loudness: v2 ? loudness(p, 418) : null,
    max_short_term_loudness: v2 ? loudness(p, 420) : null,
    coding_history: codingHistory,
  };
}

function decodeCodingHistory(b: Buffer): string {
  const text = decodeText(b);
  // Lines end with CR/LF in the standard; keep them as \n-separated lines.
  return text.replace(/\r\n?/g, '\n').trim();
}

/** Parses the sub-chunks of a LIST/INFO payload (after the `INFO` tag) into FourCC → text. */
export function parseRiffInfo(p: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let o = 0;
  while (o + 8 <= p.length) {
    const id = p.toString('latin1', o, o + 4);
    const size = p.readUInt32LE(o + 4);
    if (!/^[\x20-\x7e]{4}$/.test(id) || o + 8 + size > p.length) break;
    const value = decodeText(p.subarray(o + 8, o + 8 + size));
    if (value) out[id] = out[id] ? `${out[id]}; ${value}` : value;
    o += 8 + size + (size % 2);
  }
  return out;
}

/** The iXML document as text and its simple elements as `PATH/TO/ELEMENT` → text. */
export function parseIxml(p: Buffer): { raw: string; fields: Record<string, string> | null } {
  const raw = decodeText(p);
  try {
    const doc = new XMLParser({ ignoreAttributes: true, parseTagValue: false }).parse(
      raw,
    ) as Record<string, unknown>;
    const root = doc['BWFXML'] ?? doc[Object.keys(doc).find((k) => k !== '?xml') ?? ''];
    const fields: Record<string, string> = {};
    flatten(root, '', fields, 0);
    return { raw, fields };
  } catch {
    return { raw, fields: null }; // not well-formed: the raw text is still reported
  }
}

function flatten(v: unknown, prefix: string, out: Record<string, string>, depth: number): void {
  if (depth > 8 || v === null || v === undefined) return;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    const s = String(v).trim();
    if (prefix && s) out[prefix] = out[prefix] ? `${out[prefix]}; ${s}` : s;
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) flatten(x, prefix, out, depth + 1);
    return;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      flatten(x, prefix ? `${prefix}/${k}` : k, out, depth + 1);
  }
}

/** Any value from a tag library → JSON (binary becomes a `<N bytes>` note, dates ISO strings). */
export function toJsonValue(v: unknown, depth = 0): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (depth > 6) return null;
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x, depth + 1));
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // ID3 COMM/USLT-like values: the text is what matters when there is no description.
    if (typeof o['text'] === 'string' && !o['description'] && !o['descriptor']) return o['text'];
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(o)) {
      if (x instanceof Uint8Array || x === undefined) continue;
      out[k] = toJsonValue(x, depth + 1);
    }
    return out;
  }
  return String(v);
}

/** Arrays created for repeated tag ids (as opposed to array-valued tags). */
const multiArrays = new WeakSet<JsonValue[]>();

/** Tag list → id → value, or → array of values when the id repeats. */
function nativeBlock(tags: readonly { id: string; value: unknown }[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const t of tags) {
    if (t.value instanceof Uint8Array) continue;
    const value = toJsonValue(t.value);
    const prev = out[t.id];
    if (prev === undefined) out[t.id] = value;
    else if (Array.isArray(prev) && multiArrays.has(prev)) prev.push(value);
    else {
      const arr: JsonValue[] = [prev, value];
      multiArrays.add(arr);
      out[t.id] = arr;
    }
  }
  return out;
}

const COMMON_KEYS = [
  'title',
  'artist',
  'artists',
  'albumartist',
  'album',
  'date',
  'year',
  'comment',
  'genre',
  'composer',
  'conductor',
  'copyright',
  'isrc',
  'language',
  'description',
  'encodedby',
  'encodersettings',
] as const;

/** Common tags from music-metadata (empty values and empty track/disk numbers dropped). */
export function commonFromMusicMetadata(mm: IAudioMetadata): CommonTags {
  const c = mm.common as unknown as Record<string, unknown>;
  const out: Record<string, JsonValue> = {};
  for (const k of COMMON_KEYS) {
    const v = c[k];
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = toJsonValue(v);
  }
  if (Array.isArray(c['label']) && (c['label'] as unknown[]).length > 0)
    out['publisher'] = toJsonValue(c['label']);
  for (const k of ['track', 'disk'] as const) {
    const v = c[k] as { no: number | null; of: number | null } | undefined;
    if (v && (v.no !== null || v.of !== null)) out[k] = { no: v.no, of: v.of };
  }
  // `comment` is a list of {text} objects in music-metadata 11; keep the texts.
  if (Array.isArray(out['comment']))
    out['comment'] = (out['comment'] as JsonValue[]).map((x) =>
      typeof x === 'string'
        ? x
        : typeof x === 'object' && x && 'text' in x
          ? String(x['text'])
          : '',
    );
  return out as CommonTags;
}

/** `text` as a decoder that took UTF-8 bytes for Latin-1 / Windows-1252 would show it (mojibake). */
function misreadAsLatin1(text: string): readonly string[] {
  const bytes = Buffer.from(text, 'utf8');
  return [bytes.toString('latin1'), new TextDecoder('windows-1252').decode(bytes)];
}

function sameTextOrMisread(theirs: unknown, ours: string): boolean {
  const t = Array.isArray(theirs) ? theirs[0] : theirs;
  if (typeof t !== 'string') return false;
  const a = t.trim();
  return a === ours || misreadAsLatin1(ours).some((m) => m.trim() === a);
}

/**
 * RIFF INFO → common tags: fills what music-metadata did not provide (e.g. RF64 files) and
 * replaces its value when it is our INFO text mis-decoded (music-metadata reads INFO as Latin-1;
 * riff.ts decodes UTF-8 when the bytes are valid UTF-8, see decodeText). A different value (e.g.
 * from an ID3 chunk in the same file) is kept.
 */
export function commonFromRiffInfo(info: Record<string, string>, base: CommonTags): CommonTags {
  const out: Record<string, unknown> = { ...base };
  const set = (key: keyof CommonTags, value: unknown): void => {
    if (value === undefined) return;
    const ours = Array.isArray(value) ? String(value[0]) : String(value);
    if (out[key] === undefined || sameTextOrMisread(out[key], ours)) out[key] = value;
  };
  set('title', info['INAM']);
  set('artist', info['IART']);
  set('album', info['IPRD']);
  set('date', info['ICRD']);
  if (info['ICMT']) set('comment', [info['ICMT']]);
  if (info['IGNR']) set('genre', [info['IGNR']]);
  set('copyright', info['ICOP']);
  set('language', info['ILNG']);
  set('encodedby', info['ISFT']);
  return out as CommonTags;
}

/** Native tag blocks of music-metadata, sorted into id3 / vorbis / other. */
export function nativeFromMusicMetadata(
  mm: IAudioMetadata,
  skipTypes: readonly string[] = [],
): Pick<EmbeddedMetadata, 'id3' | 'vorbis' | 'other'> {
  let id3: Record<string, JsonValue> | null = null;
  let vorbis: Record<string, JsonValue> | null = null;
  const other: Record<string, Record<string, JsonValue>> = {};
  // ID3v2 first, so that ID3v1 only fills gaps.
  const types = Object.keys(mm.native).sort((a, b) =>
    a.startsWith('ID3v2') === b.startsWith('ID3v2') ? 0 : a.startsWith('ID3v2') ? -1 : 1,
  );
  for (const type of types) {
    if (skipTypes.includes(type)) continue;
    const block = nativeBlock(mm.native[type] ?? []);
    if (type.startsWith('ID3v')) id3 = { ...block, ...(id3 ?? {}) };
    else if (type === 'vorbis') vorbis = { ...(vorbis ?? {}), ...block };
    else other[type] = block;
  }
  return { id3, vorbis, other };
}
