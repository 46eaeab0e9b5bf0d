/**
 * The collection CSV (`sonoteca analyze --format csv` → `batch-summary.csv`): one row per input,
 * for spreadsheet and catalogue import. Columns are fixed and documented in docs/METADATA.md
 * (row shape: docs/schema/collection-csv.schema.json); values come from the report, never
 * re-derived: the speech ratio is voice_activity's, the music and singing ratios the
 * segmentation's, the speaker count and heritage category what the record states.
 */
import type { Report } from '../../report/index.js';

/** Version of the column set (semver): bump minor for added columns, major for renamed ones. */
export const COLLECTION_CSV_VERSION = '1.0.0';

export const COLLECTION_CSV_COLUMNS = [
  'input',
  'status',
  'error_code',
  'error_message',
  'md5',
  'sha256',
  'container',
  'codec',
  'sample_rate_hz',
  'bit_depth',
  'channels',
  'duration_sec',
  'loudness_lufs',
  'qc_profile',
  'qc_verdict',
  'qc_failed_checks',
  'heritage_category',
  'heritage_confidence',
  'heritage_uncertain',
  'speakers',
  'speech_ratio',
  'music_ratio',
  'singing_ratio',
  'report',
] as const;

export type CollectionCsvColumn = (typeof COLLECTION_CSV_COLUMNS)[number];
export type CollectionCsvRow = Partial<Record<CollectionCsvColumn, string | number | boolean>>;

type Dict = Readonly<Record<string, unknown>>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function okSection(report: Report, name: string): Dict | undefined {
  const s = (report.results as unknown as Record<string, unknown>)[name];
  return isDict(s) && s['status'] === 'ok' ? s : undefined;
}

function labelRatio(seg: Dict | undefined, label: string): number | undefined {
  const summary = seg?.['summary'];
  const entry = isDict(summary) ? summary[label] : undefined;
  return isDict(entry) ? num(entry['ratio']) : undefined;
}

/** The row of an analysed file. */
export function collectionCsvRow(
  input: string,
  report: Report,
  reportPath?: string,
): CollectionCsvRow {
  const a = report.audio_info;
  const fx = report.results.fixity;
  const qc = okSection(report, 'quality_control');
  const profile = isDict(qc?.['profile']) ? (qc['profile'] as Dict) : undefined;
  const checks = Array.isArray(profile?.['checks']) ? (profile['checks'] as Dict[]) : [];
  const loudness = isDict(qc?.['loudness']) ? (qc['loudness'] as Dict) : undefined;
  const hc = okSection(report, 'heritage_classification');
  const tags = report.results.metadata_generation.cultural_tags;
  const seg = okSection(report, 'segmentation');
  const vad = okSection(report, 'voice_activity');
  const music = [labelRatio(seg, 'music'), labelRatio(seg, 'singing')];
  const lufs = num(loudness?.['integrated_lufs']);
  return {
    input,
    status: 'ok',
    ...(fx.status === 'ok' ? { md5: fx.md5 ?? '', sha256: fx.sha256 ?? '' } : {}),
    container: a.container,
    codec: a.codec,
    sample_rate_hz: a.sample_rate,
    ...(a.bit_depth ? { bit_depth: a.bit_depth } : {}),
    channels: a.channels,
    duration_sec: r3(a.decoded_duration),
    ...(lufs !== undefined ? { loudness_lufs: Number(lufs.toFixed(2)) } : {}),
    qc_profile: report.processing.profile,
    ...(qc ? { qc_verdict: String(qc['verdict'] ?? '') } : {}),
    ...(qc
      ? {
          qc_failed_checks: checks
            .filter((c) => c['status'] === 'fail')
            .map((c) => String(c['id']))
            .join(';'),
        }
      : {}),
    ...(hc && typeof hc['predicted_category'] === 'string'
      ? {
          heritage_category: hc['predicted_category'],
          heritage_confidence: num(hc['confidence']) ?? '',
          // Uncertain when the record did not state it (the classifier's flag or our thresholds).
          heritage_uncertain: tags?.heritage_uncertain ?? hc['uncertain'] === true,
        }
      : {}),
    ...(tags?.speakers_detected !== undefined ? { speakers: tags.speakers_detected } : {}),
    ...(vad && num(vad['speech_ratio']) !== undefined
      ? { speech_ratio: num(vad['speech_ratio'])! }
      : {}),
    ...(seg && music.some((m) => m !== undefined)
      ? { music_ratio: r3((music[0] ?? 0) + (music[1] ?? 0)) }
      : {}),
    ...(seg && music[1] !== undefined ? { singing_ratio: music[1] } : {}),
    ...(reportPath ? { report: reportPath } : {}),
  };
}

/** The row of an input that could not be analysed. */
export function collectionCsvErrorRow(
  input: string,
  code: string,
  message: string,
): CollectionCsvRow {
  return { input, status: 'failed', error_code: code, error_message: message };
}

/** RFC 4180 cell: quoted when it holds a comma, quote or line break. */
export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV text: header then one line per row (CRLF-free, UTF-8, trailing newline). */
export function renderCollectionCsv(rows: readonly CollectionCsvRow[]): string {
  const lines = rows.map((r) => COLLECTION_CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${[COLLECTION_CSV_COLUMNS.join(','), ...lines].join('\n')}\n`;
}
