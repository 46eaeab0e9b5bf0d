/**
 * Dublin Core from evidence: embedded tags (BWF bext, iXML, RIFF INFO, ID3, Vorbis comments, MP4
 * atoms; mapping in embedded-mapping.ts), the probe, fixity, and only those analysis statements
 * that pass their thresholds (evidence.ts). Every value says where it came from
 * (`metadata_generation.provenance`); statements that did not pass are listed in `for_review`.
 * Nothing is invented: an element with no source is omitted.
 */
import type {
  CulturalTags,
  DcElement,
  DcValueProvenance,
  DublinCoreRecord,
  MetadataGenerationSection,
  Report,
  StatementEvidence,
} from '../report/index.js';
import { EMBEDDED_TO_DC, fieldPath, type EmbeddedMapping } from './embedded-mapping.js';
import { DC_ELEMENTS } from './oai-dc.js';
import { decideStatements, STATEMENT_THRESHOLDS, type Statements } from './evidence.js';

/** Name and version written into `metadata_generation.analyzer`. */
export const METADATA_GENERATOR = Object.freeze({ name: 'dublin-core', version: '2.1.0' });

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

/** Every text in a tag value: strings, numbers, lists of them, `{text}` objects (ID3 COMM). */
function textsOf(v: unknown): string[] {
  if (typeof v === 'string') return v.trim() ? [v.trim()] : [];
  if (typeof v === 'number' && Number.isFinite(v)) return [String(v)];
  if (Array.isArray(v)) return v.flatMap(textsOf);
  if (isDict(v) && 'text' in v) return textsOf(v['text']);
  return [];
}

function blockOf(embedded: unknown, row: EmbeddedMapping): Dict | undefined {
  if (!isDict(embedded)) return undefined;
  const b =
    row.block === 'mp4' ? (embedded['other'] as Dict | undefined)?.['iTunes'] : embedded[row.block];
  return isDict(b) ? b : undefined;
}

/** Values of one mapping row, with the exact key that held each. */
function rowValues(embedded: unknown, row: EmbeddedMapping): { key: string; value: string }[] {
  const block = blockOf(embedded, row);
  if (!block) return [];
  const out: { key: string; value: string }[] = [];
  for (const want of row.keys) {
    for (const [k, v] of Object.entries(block)) {
      if (k.toLowerCase() !== want.toLowerCase()) continue;
      if (row.block === 'bext' && k === 'origination_date') {
        const d = bextDate(block);
        if (d) out.push({ key: k, value: d });
        continue;
      }
      for (const t of textsOf(v)) {
        const text = row.block === 'bext' && k === 'coding_history' ? t.split('\n').join('; ') : t;
        out.push({ key: k, value: `${row.prefix ?? ''}${text}` });
      }
    }
  }
  return out;
}

/** bext OriginationDate (+ OriginationTime) as ISO 8601; separators per EBU Tech 3285 vary. */
function bextDate(bext: Dict): string | undefined {
  const date = typeof bext['origination_date'] === 'string' ? bext['origination_date'].trim() : '';
  const m = /^(\d{4})[-_:. /](\d{2})[-_:. /](\d{2})$/.exec(date);
  if (!m) return date || undefined;
  const d = `${m[1]}-${m[2]}-${m[3]}`;
  const time = typeof bext['origination_time'] === 'string' ? bext['origination_time'].trim() : '';
  const t = /^(\d{2})[-_:. ](\d{2})[-_:. ](\d{2})$/.exec(time);
  return t && !(d === '0000-00-00') ? `${d}T${t[1]}:${t[2]}:${t[3]}` : d;
}

function channelsText(n: number): string {
  return n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n} channels`;
}

/** The technical sentence (probe + QC), e.g. `Sound recording, 1:30, stereo, 48 kHz, …`. */
function describeTechnical(report: Report): { text: string; evidence: StatementEvidence[] } {
  const a = report.audio_info;
  const rate = `${Number((a.sample_rate / 1000).toFixed(3))} kHz`;
  const depth = a.bit_depth ? `, ${a.bit_depth}-bit` : '';
  const kind = a.lossless ? 'lossless' : 'lossy';
  let text =
    `Sound recording, ${formatHumanDuration(a.decoded_duration)}, ${channelsText(a.channels)}, ` +
    `${rate}${depth}, ${a.codec} in ${a.container} (${kind}).`;
  const evidence: StatementEvidence[] = [];
  const qc = section(report, 'quality_control');
  const loudness = isDict(qc?.['loudness']) ? (qc['loudness'] as Dict) : undefined;
  const lufs = num(loudness?.['integrated_lufs']);
  const verdict = typeof qc?.['verdict'] === 'string' ? qc['verdict'] : undefined;
  if (qc && (lufs !== undefined || verdict)) {
    const bits: string[] = [];
    if (lufs !== undefined) bits.push(`integrated loudness ${lufs.toFixed(1)} LUFS`);
    if (verdict) bits.push(`QC verdict ${verdict} (${report.processing.profile})`);
    text += ` ${bits.join('; ').replace(/^./, (c) => c.toUpperCase())}.`;
    evidence.push({
      statement: 'quality_control',
      section: 'quality_control',
      ...(isDict(qc['analyzer'])
        ? { analyzer: qc['analyzer'] as { name: string; version: string } }
        : {}),
      basis: 'measured (ITU-R BS.1770 loudness, profile checks)',
    });
  }
  return { text, evidence };
}

/** The analysis sentence from the statements that passed; undefined when none did. */
function describeContent(
  st: Statements,
): { text: string; evidence: StatementEvidence[] } | undefined {
  const parts: string[] = [];
  const evidence: StatementEvidence[] = [];
  const content = [st.speech, st.music, st.singing].filter((x) => x !== undefined);
  if (content.length > 0) {
    parts.push(`Contains ${content.map((c) => c.value).join(' and ')}.`);
    for (const c of content) evidence.push(...c.evidence);
  }
  if (st.speakers) {
    parts.push(`${st.speakers.value} (estimated).`.replace(/^./, (c) => c.toUpperCase()));
    evidence.push(...st.speakers.evidence);
  }
  if (st.heritage) {
    parts.push(
      `Heritage category: ${st.heritage.category} (confidence ${st.heritage.confidence.toFixed(2)}).`,
    );
    evidence.push(...st.heritage.evidence);
  }
  return parts.length > 0 ? { text: parts.join(' '), evidence } : undefined;
}

/** Cultural tags from the statements that passed and the embedded genre; never invented. */
export function deriveCulturalTags(
  report: Report,
  st: Statements = decideStatements(report),
): CulturalTags {
  const derived = new Set<string>(st.sections);
  const embedded = report.results.technical_metadata.embedded;
  const keywords: string[] = [];
  const languages: string[] = [];
  for (const row of EMBEDDED_TO_DC) {
    if (row.element !== 'subject' && row.element !== 'language') continue;
    for (const v of rowValues(embedded, row)) {
      (row.element === 'subject' ? keywords : languages).push(v.value);
      derived.add('technical_metadata');
    }
  }
  keywords.push(...st.instruments.map((i) => i.value));
  const hc = section(report, 'heritage_classification');
  const category = typeof hc?.['predicted_category'] === 'string' ? hc['predicted_category'] : '';
  const confidence = num(hc?.['confidence']);
  return {
    ...(st.heritage ? { heritage_category: st.heritage.category } : {}),
    ...(category && confidence !== undefined ? { heritage_confidence: confidence } : {}),
    ...(category ? { heritage_uncertain: st.heritage === undefined } : {}),
    content: [st.speech, st.music, st.singing].filter((x) => x !== undefined).map((x) => x.value),
    languages: [...new Set(languages)],
    ...(st.speakers ? { speakers_detected: st.speakers.count } : {}),
    keywords: [...new Set(keywords)],
    derived_from: [...derived],
  };
}

const CONTENT_SUBJECT: Readonly<Record<string, string>> = {
  speech: 'Speech',
  music: 'Music',
  singing: 'Singing',
};

/** The record and the provenance of each of its values. */
export function buildDublinCoreWithProvenance(
  report: Report,
  st: Statements = decideStatements(report),
): { record: DublinCoreRecord; provenance: DcValueProvenance[] } {
  const embedded = report.results.technical_metadata.embedded;
  const values = new Map<DcElement, DcValueProvenance[]>();
  const add = (p: DcValueProvenance): void => {
    const list = values.get(p.element) ?? [];
    if (!list.some((x) => x.value === p.value)) list.push(p);
    values.set(p.element, list);
  };
  // Embedded fields: native rows first; `common` rows only for elements still empty.
  for (const pass of ['native', 'common'] as const) {
    const filled = new Set(values.keys());
    for (const row of EMBEDDED_TO_DC) {
      if ((row.block === 'common') !== (pass === 'common')) continue;
      if (pass === 'common' && filled.has(row.element)) continue;
      for (const v of rowValues(embedded, row)) {
        add({
          element: row.element,
          value: v.value,
          source: 'embedded',
          field: fieldPath(row.block, v.key),
        });
      }
    }
  }
  if (!values.has('title'))
    add({ element: 'title', value: report.source.file_name, source: 'file' });

  // Subjects from analysis: only statements that passed.
  const subjects = [st.heritage, ...st.instruments, st.speech, st.music, st.singing];
  for (const s of subjects) {
    if (!s) continue;
    add({
      element: 'subject',
      value: s.id.startsWith('content.') ? (CONTENT_SUBJECT[s.value] ?? s.value) : s.value,
      source: 'analysis',
      evidence: s.evidence,
    });
  }
  const tech = describeTechnical(report);
  add({
    element: 'description',
    value: tech.text,
    source: 'technical',
    ...(tech.evidence.length ? { evidence: tech.evidence } : {}),
  });
  const content = describeContent(st);
  if (content)
    add({
      element: 'description',
      value: content.text,
      source: 'analysis',
      evidence: content.evidence,
    });
  add({ element: 'type', value: 'Sound', source: 'technical' });
  add({ element: 'format', value: report.audio_info.mime_type, source: 'technical' });
  const fx = report.results.fixity;
  if (fx.status === 'ok' && fx.sha256) {
    // First identifier: the content digest, whatever the embedded identifiers say.
    const ids = values.get('identifier') ?? [];
    values.set('identifier', [
      { element: 'identifier', value: `sha256:${fx.sha256}`, source: 'fixity' },
      ...ids,
    ]);
  }
  const d = report.audio_info.decoded_duration;
  add({ element: 'extent', value: formatIsoDuration(d), source: 'technical' });
  add({ element: 'extent', value: formatHumanDuration(d), source: 'technical' });

  const ORDER: readonly DcElement[] = [...DC_ELEMENTS, 'extent'];
  const record: Record<string, readonly string[]> = {};
  const provenance: DcValueProvenance[] = [];
  for (const el of ORDER) {
    const list = values.get(el);
    if (!list || list.length === 0) continue;
    record[el] = list.map((p) => p.value);
    provenance.push(...list);
  }
  return { record: record as DublinCoreRecord, provenance };
}

/** The Dublin Core record of a report (everything but `metadata_generation` must be filled). */
export function buildDublinCore(report: Report): DublinCoreRecord {
  return buildDublinCoreWithProvenance(report).record;
}

/** The `metadata_generation` section: Dublin Core with provenance, cultural tags, for_review. */
export function buildMetadataGeneration(report: Report): MetadataGenerationSection {
  const st = decideStatements(report);
  const { record, provenance } = buildDublinCoreWithProvenance(report, st);
  return {
    status: 'ok',
    analyzer: { ...METADATA_GENERATOR },
    dublin_core: record,
    cultural_tags: deriveCulturalTags(report, st),
    provenance,
    thresholds: { ...STATEMENT_THRESHOLDS },
    for_review: st.withheld,
  };
}
