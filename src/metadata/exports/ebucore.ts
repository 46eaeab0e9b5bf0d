/**
 * EBUCore 1.10 (`<name>.ebucore.xml`): the descriptive fields of the Dublin Core record, the
 * technical audio format (codec, rate, sample size, channels, container, file size, SHA-256),
 * EBU R128 loudness (integrated, range, true peak, max momentary / short-term) as ADM
 * `loudnessMetadata` of the one programme, and the segmentation segments and speaker turns as
 * `part`s with start and duration.
 */
import type { DublinCoreRecord, Report } from '../../report/index.js';
import type { Exporter } from './exporter.js';
import { reportSpeakerSection, speakerLabeller } from './rttm.js';
import { el, renderXml, text, type XmlNode } from './xml.js';

export const EBUCORE_NS = 'urn:ebu:metadata-schema:ebucore';
const DC_NS = 'http://purl.org/dc/elements/1.1/';

type Dict = Readonly<Record<string, unknown>>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** Seconds as xs:duration, millisecond precision (`PT12.345S`). */
export function xsDuration(sec: number): string {
  return `PT${Number(Math.max(0, sec).toFixed(3))}S`;
}

function dcValues(dc: DublinCoreRecord, key: keyof DublinCoreRecord): readonly string[] {
  return dc[key] ?? [];
}

function descriptive(dc: DublinCoreRecord): XmlNode[] {
  const wrap = (outer: string, inner: string, values: readonly string[], attrs = {}): XmlNode[] =>
    values.map((v) => el(`ebucore:${outer}`, attrs, el(`dc:${inner}`, {}, v)));
  const entity = (outer: string, values: readonly string[], role: string): XmlNode[] =>
    values.map((v) =>
      el(
        `ebucore:${outer}`,
        {},
        outer === 'publisher'
          ? el('ebucore:organisationDetails', {}, el('ebucore:organisationName', {}, v))
          : el('ebucore:contactDetails', {}, el('ebucore:name', {}, v)),
        el('ebucore:role', { typeLabel: role }),
      ),
    );
  return [
    ...wrap('title', 'title', dcValues(dc, 'title').slice(0, 1)),
    ...dcValues(dc, 'title')
      .slice(1)
      .map((v) => el('ebucore:alternativeTitle', {}, el('dc:title', {}, v))),
    ...entity('creator', dcValues(dc, 'creator'), 'creator'),
    ...wrap('subject', 'subject', dcValues(dc, 'subject')),
    ...wrap('description', 'description', dcValues(dc, 'description')),
    ...entity('publisher', dcValues(dc, 'publisher'), 'publisher'),
    ...entity('contributor', dcValues(dc, 'contributor'), 'contributor'),
    ...wrap('date', 'date', dcValues(dc, 'date')),
    ...wrap('type', 'type', dcValues(dc, 'type')),
  ];
}

function loudnessNode(report: Report): XmlNode | undefined {
  const qc = report.results.quality_control as Dict;
  if (qc['status'] !== 'ok' || !isDict(qc['loudness'])) return undefined;
  const l = qc['loudness'];
  const integrated = num(l['integrated_lufs']);
  if (integrated === undefined) return undefined;
  const f = (v: unknown): string | undefined => {
    const n = num(v);
    return n === undefined ? undefined : String(Number(n.toFixed(2)));
  };
  // ADM: a programme refers to its content, the content to an object; loudness sits on both.
  const loudness = (): XmlNode =>
    el(
      'ebucore:loudnessMetadata',
      { loudnessMethod: 'ITU-R BS.1770-4', loudnessRecType: 'EBU R128' },
      text('ebucore:integratedLoudness', f(integrated)),
      text('ebucore:loudnessRange', f(l['loudness_range_lu'])),
      text('ebucore:maxTruePeak', f(l['true_peak_dbtp'])),
      text('ebucore:maxMomentary', f(l['max_momentary_lufs'])),
      text('ebucore:maxShortTerm', f(l['max_short_term_lufs'])),
    );
  return el(
    'ebucore:audioFormatExtended',
    {},
    el(
      'ebucore:audioProgramme',
      { audioProgrammeID: 'APR_1001', audioProgrammeName: report.source.file_name },
      el('ebucore:audioContentIDRef', {}, 'ACO_1001'),
      loudness(),
    ),
    el(
      'ebucore:audioContent',
      { audioContentID: 'ACO_1001', audioContentName: 'programme' },
      el('ebucore:audioObjectIDRef', {}, 'AO_1001'),
      loudness(),
    ),
    el('ebucore:audioObject', { audioObjectID: 'AO_1001', audioObjectName: 'file' }),
  );
}

function formatNode(report: Report): XmlNode {
  const a = report.audio_info;
  const fx = report.results.fixity;
  const trackConfig =
    a.channels === 1 ? 'mono' : a.channels === 2 ? 'stereo' : `${a.channels} channels`;
  return el(
    'ebucore:format',
    { formatName: a.container },
    el(
      'ebucore:audioFormat',
      { audioFormatName: a.codec },
      el('ebucore:audioEncoding', { typeLabel: a.codec }),
      el('ebucore:audioTrackConfiguration', { typeLabel: trackConfig }),
      el('ebucore:samplingRate', {}, String(a.sample_rate)),
      a.bit_depth ? el('ebucore:sampleSize', {}, String(a.bit_depth)) : undefined,
      a.bitrate ? el('ebucore:bitRate', {}, String(Math.round(a.bitrate))) : undefined,
      el('ebucore:channels', {}, String(a.channels)),
    ),
    loudnessNode(report),
    el('ebucore:containerFormat', { containerFormatName: a.container }),
    el('ebucore:duration', {}, el('ebucore:normalPlayTime', {}, xsDuration(a.decoded_duration))),
    el('ebucore:fileSize', {}, String(report.source.size_bytes)),
    el('ebucore:fileName', {}, report.source.file_name),
    el('ebucore:mimeType', { typeLabel: a.mime_type }),
    fx.status === 'ok' && fx.sha256
      ? el(
          'ebucore:hash',
          {},
          el('ebucore:hashValue', {}, fx.sha256),
          el('ebucore:hashFunction', { typeLabel: 'SHA-256' }),
        )
      : undefined,
  );
}

function part(
  id: string,
  name: string,
  definition: string,
  startSec: number,
  endSec: number,
  inner: XmlNode[] = [],
): XmlNode {
  return el(
    'ebucore:part',
    { partId: id, partName: name, partDefinition: definition },
    ...inner,
    el('ebucore:partStartTime', {}, el('ebucore:offsetNormalPlayTime', {}, xsDuration(startSec))),
    el('ebucore:partDuration', {}, el('ebucore:normalPlayTime', {}, xsDuration(endSec - startSec))),
  );
}

/** Segments (segmentation) and speaker turns (speaker_recognition) as time-coded parts. */
function parts(report: Report): XmlNode[] {
  const out: XmlNode[] = [];
  const seg = report.results.segmentation as Dict;
  if (seg['status'] === 'ok' && Array.isArray(seg['segments'])) {
    (seg['segments'] as Dict[]).forEach((s, i) => {
      const start = num(s['start']) ?? 0;
      out.push(
        part(`segment_${i + 1}`, String(s['label']), 'segmentation', start, num(s['end']) ?? start),
      );
    });
  }
  const sp = report.results.speaker_recognition as Dict;
  // The name a person confirmed, else the speaker id (never a suggestion).
  const label = speakerLabeller(reportSpeakerSection(report));
  if (sp['status'] === 'ok' && Array.isArray(sp['turns'])) {
    (sp['turns'] as Dict[]).forEach((t, i) => {
      const start = num(t['start']) ?? 0;
      const speaker = label(String(t['speaker']));
      out.push(
        part(`turn_${i + 1}`, speaker, 'speaker turn (estimated)', start, num(t['end']) ?? start, [
          el(
            'ebucore:contributor',
            {},
            el('ebucore:contactDetails', {}, el('ebucore:name', {}, speaker)),
            el('ebucore:role', { typeLabel: 'speaker' }),
          ),
        ]),
      );
    });
  }
  return out;
}

/** The EBUCore document of a report. */
export function renderEbucore(report: Report): string {
  const dc = report.results.metadata_generation.dublin_core ?? {};
  const wrapId = (v: string): XmlNode =>
    el(
      'ebucore:identifier',
      { typeLabel: v.startsWith('sha256:') ? 'sha256' : 'local' },
      el('dc:identifier', {}, v),
    );
  return renderXml(
    el(
      'ebucore:ebuCoreMain',
      {
        'xmlns:ebucore': EBUCORE_NS,
        'xmlns:dc': DC_NS,
        version: '1.10',
        dateLastModified: report.created_at.slice(0, 10),
      },
      el(
        'ebucore:coreMetadata',
        {},
        ...descriptive(dc),
        formatNode(report),
        ...dcValues(dc, 'identifier').map(wrapId),
        ...dcValues(dc, 'source').map((v) => el('dc:source', {}, v)),
        ...dcValues(dc, 'language').map((v) =>
          el('ebucore:language', {}, el('dc:language', {}, v)),
        ),
        ...dcValues(dc, 'relation').map((v) =>
          el(
            'ebucore:isPartOf',
            {},
            el('ebucore:relationIdentifier', {}, el('dc:identifier', {}, v)),
          ),
        ),
        ...dcValues(dc, 'rights').map((v) => el('ebucore:rights', {}, el('dc:rights', {}, v))),
        ...parts(report),
      ),
    ),
  );
}

export const ebucoreExporter: Exporter = {
  id: 'ebucore',
  fileSuffix: '.ebucore.xml',
  mimeType: 'application/xml',
  applies: () => true,
  render: renderEbucore,
};
