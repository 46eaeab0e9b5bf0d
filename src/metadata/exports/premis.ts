/**
 * PREMIS 3.0 (`<name>.premis.xml`): the file object with its fixity and format, and the events
 * Sonoteca performed on it — message digest calculation, format identification, validation (QC
 * profile checks) and metadata extraction — each with its outcome, detail and the agent that
 * ran it (Sonoteca with its version; the analyzers and models are agent notes). Event types use
 * the Library of Congress preservation event vocabulary (id.loc.gov/vocabulary/preservation/eventType).
 */
import type { Report } from '../../report/index.js';
import type { Exporter } from './exporter.js';
import { describeModel, modelsUsed } from './models-used.js';
import { el, renderXml, text, type XmlNode } from './xml.js';

export const PREMIS_NS = 'http://www.loc.gov/premis/v3';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const EVENT_TYPE_URI = 'http://id.loc.gov/vocabulary/preservation/eventType';

type Dict = Readonly<Record<string, unknown>>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

interface PremisEvent {
  readonly code: string;
  readonly type: string;
  readonly detail: string;
  readonly outcome: string;
  readonly outcomeNotes: readonly string[];
}

function qcEvent(report: Report): PremisEvent | undefined {
  const qc = report.results.quality_control as Dict;
  if (qc['status'] !== 'ok') return undefined;
  const profile = isDict(qc['profile']) ? qc['profile'] : {};
  const checks = Array.isArray(profile['checks']) ? (profile['checks'] as Dict[]) : [];
  const notPassed = checks.filter((c) => c['status'] !== 'pass');
  return {
    code: 'val',
    type: 'validation',
    detail: `QC profile ${String(profile['name'] ?? report.processing.profile)}: ${checks.length} checks`,
    outcome: String(qc['verdict'] ?? 'unknown'),
    outcomeNotes: notPassed.map(
      (c) => `${String(c['id'])}: ${String(c['status'])} (${String(c['message'] ?? '')})`,
    ),
  };
}

function events(report: Report): PremisEvent[] {
  const out: PremisEvent[] = [];
  const fx = report.results.fixity;
  out.push({
    code: 'mes',
    type: 'message digest calculation',
    detail:
      'MD5 and SHA-256 of the whole file' +
      (fx.audio_data_md5 ? '; MD5 of the WAV data chunk' : ''),
    outcome: fx.status === 'ok' ? 'success' : 'failure',
    outcomeNotes:
      fx.status === 'ok'
        ? [`${fx.bytes ?? report.source.size_bytes} bytes read`]
        : [fx.reason ?? 'fixity failed'],
  });
  const a = report.audio_info;
  out.push({
    code: 'fid',
    type: 'format identification',
    detail:
      'container and codec from the file content (magic bytes and ffprobe-style probe), not the extension',
    outcome: 'success',
    outcomeNotes: [
      `${a.container} / ${a.codec} (${a.mime_type}), ${a.lossless ? 'lossless' : 'lossy'}`,
    ],
  });
  const qc = qcEvent(report);
  if (qc) out.push(qc);
  const tm = report.results.technical_metadata;
  const tags = tm.embedded?.tag_types ?? [];
  out.push({
    code: 'mex',
    type: 'metadata extraction',
    detail:
      'embedded metadata read; analysis sections computed; Dublin Core generated from evidence',
    outcome: tm.status === 'ok' ? 'success' : 'failure',
    outcomeNotes: [
      `embedded tag formats: ${tags.length > 0 ? tags.join(', ') : 'none'}`,
      ...modelsUsed(report).map(describeModel),
    ],
  });
  return out;
}

/** The PREMIS document of a report. */
export function renderPremis(report: Report): string {
  const fx = report.results.fixity;
  const objectId = report.task_id ?? (fx.sha256 ? `sha256:${fx.sha256}` : report.source.file_name);
  const agentId = `sonoteca-${report.generator.version}`;
  const when = report.created_at;
  const evs = events(report);
  const eventId = (code: string): string => `${objectId}/${code}`;
  const idPair = (prefix: string, value: string): XmlNode[] => [
    el(`premis:${prefix}Type`, {}, 'local'),
    el(`premis:${prefix}Value`, {}, value),
  ];
  const a = report.audio_info;
  const object = el(
    'premis:object',
    { 'xsi:type': 'premis:file' },
    el('premis:objectIdentifier', {}, ...idPair('objectIdentifier', objectId)),
    el(
      'premis:objectCharacteristics',
      {},
      el('premis:compositionLevel', {}, '0'),
      ...(fx.status === 'ok'
        ? [
            ['MD5', fx.md5],
            ['SHA-256', fx.sha256],
          ]
        : []
      ).map(
        ([algorithm, digest]) =>
          digest !== undefined &&
          el(
            'premis:fixity',
            {},
            el('premis:messageDigestAlgorithm', {}, algorithm!),
            el('premis:messageDigest', {}, digest),
            el('premis:messageDigestOriginator', {}, agentId),
          ),
      ),
      el('premis:size', {}, String(fx.bytes ?? report.source.size_bytes)),
      el(
        'premis:format',
        {},
        el('premis:formatDesignation', {}, el('premis:formatName', {}, a.mime_type)),
        el(
          'premis:formatNote',
          {},
          `${a.container} container, ${a.codec} codec, ${a.sample_rate} Hz, ${a.channels} channel(s)${a.bit_depth ? `, ${a.bit_depth}-bit` : ''}`,
        ),
      ),
    ),
    el('premis:originalName', {}, report.source.file_name),
    ...evs.map((e) =>
      el('premis:linkingEventIdentifier', {}, ...idPair('linkingEventIdentifier', eventId(e.code))),
    ),
  );
  const eventNodes = evs.map((e) =>
    el(
      'premis:event',
      {},
      el('premis:eventIdentifier', {}, ...idPair('eventIdentifier', eventId(e.code))),
      el(
        'premis:eventType',
        {
          authority: 'eventType',
          authorityURI: EVENT_TYPE_URI,
          valueURI: `${EVENT_TYPE_URI}/${e.code}`,
        },
        e.type,
      ),
      el('premis:eventDateTime', {}, when),
      el('premis:eventDetailInformation', {}, el('premis:eventDetail', {}, e.detail)),
      el(
        'premis:eventOutcomeInformation',
        {},
        el('premis:eventOutcome', {}, e.outcome),
        ...e.outcomeNotes.map((n) =>
          el('premis:eventOutcomeDetail', {}, el('premis:eventOutcomeDetailNote', {}, n)),
        ),
      ),
      el(
        'premis:linkingAgentIdentifier',
        {},
        ...idPair('linkingAgentIdentifier', agentId),
        el('premis:linkingAgentRole', {}, 'executing program'),
      ),
      el('premis:linkingObjectIdentifier', {}, ...idPair('linkingObjectIdentifier', objectId)),
    ),
  );
  const agent = el(
    'premis:agent',
    {},
    el('premis:agentIdentifier', {}, ...idPair('agentIdentifier', agentId)),
    el('premis:agentName', {}, 'Sonoteca'),
    el('premis:agentType', {}, 'software'),
    el('premis:agentVersion', {}, report.generator.version),
    ...modelsUsed(report).map((m) => el('premis:agentNote', {}, describeModel(m))),
    text('premis:agentNote', `QC profile ${report.processing.profile}`),
  );
  return renderXml(
    el(
      'premis:premis',
      { 'xmlns:premis': PREMIS_NS, 'xmlns:xsi': XSI_NS, version: '3.0' },
      object,
      ...eventNodes,
      agent,
    ),
  );
}

export const premisExporter: Exporter = {
  id: 'premis',
  fileSuffix: '.premis.xml',
  mimeType: 'application/xml',
  applies: () => true,
  render: renderPremis,
};
