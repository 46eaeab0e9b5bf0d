/**
 * Dublin Core from what is known: embedded tags (ID3, Vorbis comments, RIFF INFO, BWF bext, iXML),
 * the probe, fixity and the analysis sections that ran. Nothing is invented: an element with no
 * source is omitted, and the cultural tags only repeat what a section with status `ok` found.
 */
import type {
  CulturalTags,
  DublinCoreRecord,
  MetadataGenerationSection,
  Report,
} from '../report/index.js';

/** Name and version written into `metadata_generation.analyzer`. */
export const METADATA_GENERATOR = Object.freeze({ name: 'dublin-core', version: '1.0.0' });

type Dict = Readonly<Record<string, unknown>>;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function normKey(k: string): string {
  return k.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) {
    for (const x of v) {
      const t = asText(x);
      if (t) return t;
    }
  }
  if (isDict(v) && 'text' in v) return asText(v['text']);
  return undefined;
}

/**
 * Finds the first text value under any of `keys` (compared case- and punctuation-insensitively)
 * anywhere in the embedded metadata, preferring shallower matches. Also understands lists of
 * `{id, value}` native tags. Returns undefined when absent.
 */
export function findEmbedded(embedded: unknown, keys: readonly string[]): string | undefined {
  const wanted = keys.map(normKey);
  for (const key of wanted) {
    let level: unknown[] = [embedded];
    for (let depth = 0; depth < 4 && level.length > 0; depth++) {
      const next: unknown[] = [];
      for (const node of level) {
        if (Array.isArray(node)) {
          for (const item of node) {
            if (isDict(item) && typeof item['id'] === 'string' && 'value' in item) {
              if (normKey(item['id']) === key) {
                const t = asText(item['value']);
                if (t) return t;
              }
            } else next.push(item);
          }
        } else if (isDict(node)) {
          for (const [k, v] of Object.entries(node)) {
            if (normKey(k) === key) {
              const t = asText(v);
              if (t) return t;
            }
            if (typeof v === 'object' && v !== null) next.push(v);
          }
        }
      }
      level = next;
    }
  }
  return undefined;
}

/** Seconds as an ISO 8601 duration, e.g. 3723.5 → `PT1H2M3.5S`. */
export function formatIsoDuration(seconds: number): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(totalMs / 3_600_000);
  const m = Math.floor((totalMs % 3_600_000) / 60_000);
  const s = (totalMs % 60_000) / 1000;
  let out = 'PT';
  if (h > 0) out += `${h}H`;
  if (m > 0) out += `${m}M`;
  if (s > 0 || (h === 0 && m === 0)) out += `${Number(s.toFixed(3))}S`;
  return out;
}

/** Seconds as `H:MM:SS` (or `M:SS` under an hour), rounded to the second. */
export function formatHumanDuration(seconds: number): string {
  const t = Math.max(0, Math.round(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function section(report: Report, name: string): Dict | undefined {
  const s = (report.results as unknown as Record<string, unknown>)[name];
  return isDict(s) && s['status'] === 'ok' ? s : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** First number found at one of the dotted paths. */
function pick(obj: Dict | undefined, paths: readonly string[]): number | undefined {
  if (!obj) return undefined;
  for (const p of paths) {
    let cur: unknown = obj;
    for (const part of p.split('.')) cur = isDict(cur) ? cur[part] : undefined;
    const n = num(cur);
    if (n !== undefined) return n;
  }
  return undefined;
}

function pickText(obj: Dict | undefined, paths: readonly string[]): string | undefined {
  if (!obj) return undefined;
  for (const p of paths) {
    let cur: unknown = obj;
    for (const part of p.split('.')) cur = isDict(cur) ? cur[part] : undefined;
    if (typeof cur === 'string' && cur) return cur;
  }
  return undefined;
}

/** Ratio of a label in the segmentation summary (`summary.<label>.ratio`), when it ran. */
function segmentRatio(report: Report, labels: readonly string[]): number | undefined {
  const seg = section(report, 'segmentation');
  if (!seg) return undefined;
  let sum = 0;
  let found = false;
  for (const l of labels) {
    const r = pick(seg, [`summary.${l}.ratio`]);
    if (r !== undefined) {
      sum += r;
      found = true;
    }
  }
  return found ? sum : undefined;
}

function speechFraction(report: Report): { ratio: number; from: string } | undefined {
  const seg = segmentRatio(report, ['speech', 'speech_over_music']);
  if (seg !== undefined) return { ratio: seg, from: 'segmentation' };
  const va = pick(section(report, 'voice_activity'), ['speech_ratio']);
  return va !== undefined ? { ratio: va, from: 'voice_activity' } : undefined;
}

/** Cultural tags derived from the sections present; never invented. */
export function deriveCulturalTags(report: Report): CulturalTags {
  const derived = new Set<string>();
  const content: string[] = [];
  const keywords: string[] = [];
  const languages: string[] = [];
  const sp = speechFraction(report);
  if (sp !== undefined) {
    derived.add(sp.from);
    if (sp.ratio >= 0.1) content.push('speech');
  }
  // Music and singing only from the segmentation: music analysis describes whatever it is given.
  const mu = segmentRatio(report, ['music', 'speech_over_music', 'singing']);
  if (mu !== undefined && mu >= 0.1) content.push('music');
  const sing = segmentRatio(report, ['singing']);
  if (sing !== undefined && sing >= 0.1) content.push('singing');
  const embedded = report.results.technical_metadata.embedded;
  const lang = findEmbedded(embedded, ['language', 'TLAN', 'ILNG', 'lang']);
  if (lang) {
    languages.push(lang);
    derived.add('technical_metadata');
  }
  const genre = findEmbedded(embedded, ['genre', 'TCON', 'IGNR']);
  if (genre) {
    keywords.push(genre);
    derived.add('technical_metadata');
  }
  const speakers = pick(section(report, 'speaker_recognition'), ['speakers_detected']);
  if (speakers !== undefined) derived.add('speaker_recognition');
  // Instrument families the instrumentation section marks present.
  const inst = section(report, 'instrumentation');
  const tagsList = inst?.['tags'];
  if (Array.isArray(tagsList)) {
    for (const t of tagsList) {
      if (isDict(t) && t['present'] === true && typeof t['family'] === 'string') {
        keywords.push(t['family']);
      }
    }
    derived.add('instrumentation');
  }
  const hc = section(report, 'heritage_classification');
  const category = pickText(hc, ['predicted_category']);
  const confidence = pick(hc, ['confidence']);
  const uncertain = hc?.['uncertain'] === true;
  if (category) derived.add('heritage_classification');
  return {
    ...(category && !uncertain ? { heritage_category: category } : {}),
    ...(category && confidence !== undefined ? { heritage_confidence: confidence } : {}),
    ...(category ? { heritage_uncertain: uncertain } : {}),
    content,
    languages,
    ...(speakers !== undefined ? { speakers_detected: speakers } : {}),
    keywords: [...new Set(keywords)],
    derived_from: [...derived],
  };
}

function channelsText(n: number): string {
  return n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n} channels`;
}

/** A short technical/content summary built only from the sections that ran. */
export function describeReport(report: Report, tags: CulturalTags): string {
  const a = report.audio_info;
  const parts: string[] = [];
  const rate = `${Number((a.sample_rate / 1000).toFixed(3))} kHz`;
  const depth = a.bit_depth ? `, ${a.bit_depth}-bit` : '';
  const kind = a.lossless ? 'lossless' : 'lossy';
  parts.push(
    `Sound recording, ${formatHumanDuration(a.decoded_duration)}, ${channelsText(a.channels)}, ` +
      `${rate}${depth}, ${a.codec} in ${a.container} (${kind}).`,
  );
  const qc = section(report, 'quality_control');
  const lufs = pick(qc, [
    'loudness.integrated_lufs',
    'integrated_lufs',
    'loudness.integrated',
    'loudness_lufs',
  ]);
  const verdict = pickText(qc, ['verdict', 'overall_verdict', 'summary.verdict']);
  if (lufs !== undefined || verdict) {
    const bits: string[] = [];
    if (lufs !== undefined) bits.push(`integrated loudness ${lufs.toFixed(1)} LUFS`);
    if (verdict) bits.push(`QC verdict ${verdict}`);
    parts.push(`${bits.join('; ')}.`.replace(/^./, (c) => c.toUpperCase()));
  }
  if (tags.content.length > 0) parts.push(`Contains ${tags.content.join(' and ')}.`);
  if (tags.speakers_detected !== undefined) {
    parts.push(`${tags.speakers_detected} speaker(s) detected.`);
  }
  if (tags.heritage_category) {
    const conf =
      tags.heritage_confidence !== undefined
        ? ` (confidence ${tags.heritage_confidence.toFixed(2)})`
        : '';
    parts.push(`Heritage category: ${tags.heritage_category}${conf}.`);
  }
  return parts.join(' ');
}

/** ISO-like date from bext OriginationDate (+Time) or tags; undefined when unknown. */
function findDate(embedded: unknown): string | undefined {
  const tagDate = findEmbedded(embedded, ['date', 'TDRC', 'TYER', 'year', 'ICRD', 'originalyear']);
  const bextDate = findEmbedded(embedded, ['OriginationDate', 'origination_date']);
  if (bextDate) {
    const time = findEmbedded(embedded, ['OriginationTime', 'origination_time']);
    const d = bextDate.replace(/[:/.]/g, '-');
    return time && /^\d\d[:.-]\d\d[:.-]\d\d$/.test(time) ? `${d}T${time.replace(/[.-]/g, ':')}` : d;
  }
  return tagDate;
}

/** The Dublin Core record of a report (everything but `metadata_generation` must be filled). */
export function buildDublinCore(report: Report, tags: CulturalTags): DublinCoreRecord {
  const embedded = report.results.technical_metadata.embedded;
  const a = report.audio_info;
  const list = (...vals: (string | undefined)[]): string[] | undefined => {
    const out = [...new Set(vals.filter((v): v is string => typeof v === 'string' && v !== ''))];
    return out.length > 0 ? out : undefined;
  };
  const title =
    findEmbedded(embedded, ['title', 'TIT2', 'INAM']) ??
    findEmbedded(embedded, ['description', 'Description']) ??
    report.source.file_name;
  const creator = list(
    findEmbedded(embedded, ['artist', 'TPE1', 'IART']),
    findEmbedded(embedded, ['originator', 'Originator']),
  );
  const sha = report.results.fixity.status === 'ok' ? report.results.fixity.sha256 : undefined;
  const identifier = list(
    sha ? `sha256:${sha}` : undefined,
    findEmbedded(embedded, ['OriginatorReference', 'originator_reference']),
    findEmbedded(embedded, ['isrc', 'TSRC', 'ISRC']),
  );
  const subject = list(
    tags.heritage_category,
    ...tags.keywords,
    ...tags.content.map((c) => (c === 'speech' ? 'Speech' : c === 'music' ? 'Music' : c)),
  );
  const record: Record<string, readonly string[] | undefined> = {
    title: [title],
    creator,
    subject,
    description: [describeReport(report, tags)],
    publisher: list(findEmbedded(embedded, ['publisher', 'label', 'TPUB', 'organization'])),
    contributor: list(findEmbedded(embedded, ['composer', 'TCOM', 'conductor', 'TPE3'])),
    date: list(findDate(embedded)),
    type: ['Sound'],
    format: [a.mime_type],
    identifier,
    source: [report.source.file_name],
    language: tags.languages.length > 0 ? [...tags.languages] : undefined,
    rights: list(findEmbedded(embedded, ['copyright', 'TCOP', 'ICOP', 'license'])),
    extent: [formatIsoDuration(a.decoded_duration), formatHumanDuration(a.decoded_duration)],
  };
  const out: Record<string, readonly string[]> = {};
  for (const [k, v] of Object.entries(record)) if (v && v.length > 0) out[k] = v;
  return out as DublinCoreRecord;
}

/** The `metadata_generation` section: Dublin Core and cultural tags. */
export function buildMetadataGeneration(report: Report): MetadataGenerationSection {
  const tags = deriveCulturalTags(report);
  return {
    status: 'ok',
    analyzer: { ...METADATA_GENERATOR },
    dublin_core: buildDublinCore(report, tags),
    cultural_tags: tags,
  };
}
