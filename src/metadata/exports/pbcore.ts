/**
 * PBCore 2.1 (`<name>.pbcore.xml`): a description document with the Dublin Core record's
 * descriptive fields, one instantiation (the file: identifier, digital format, location, media
 * type, size, duration, tracks, channel configuration, language) with one essence track (audio
 * encoding, data rate, sampling rate, bit depth, duration), and the analysis QC verdict and
 * fixity as instantiation annotations.
 */
import type { DublinCoreRecord, Report } from '../../report/index.js';
import { formatHumanDuration } from '../dublin-core.js';
import type { Exporter } from './exporter.js';
import { el, renderXml, text, type XmlNode } from './xml.js';

export const PBCORE_NS = 'http://www.pbcore.org/PBCore/PBCoreNamespace.html';

type Dict = Readonly<Record<string, unknown>>;

/** Seconds as PBCore's `HH:MM:SS.mmm` duration. */
export function pbcoreDuration(sec: number): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${p2(h)}:${p2(m)}:${s.toFixed(3).padStart(6, '0')}`;
}

function values(dc: DublinCoreRecord, key: keyof DublinCoreRecord): readonly string[] {
  return dc[key] ?? [];
}

/** The PBCore description document of a report. */
export function renderPbcore(report: Report): string {
  const dc = report.results.metadata_generation.dublin_core ?? {};
  const a = report.audio_info;
  const fx = report.results.fixity;
  const qc = report.results.quality_control as Dict;
  const ids = values(dc, 'identifier');
  const descriptions = values(dc, 'description');
  const entity = (outer: string, inner: string, vs: readonly string[], role: string): XmlNode[] =>
    vs.map((v) => el(outer, {}, el(inner, {}, v), el(`${inner}Role`, {}, role)));
  const channelConfig =
    a.channels === 1 ? 'mono' : a.channels === 2 ? 'stereo' : `${a.channels} channels`;
  const language = values(dc, 'language').find((l) => /^[a-z]{3}$/i.test(l));
  const instantiation = el(
    'pbcoreInstantiation',
    {},
    el('instantiationIdentifier', { source: 'filename' }, report.source.file_name),
    fx.status === 'ok' && fx.sha256
      ? el('instantiationIdentifier', { source: 'sha256' }, fx.sha256)
      : undefined,
    el('instantiationDigital', {}, a.mime_type),
    el('instantiationLocation', {}, report.source.path),
    el('instantiationMediaType', {}, 'Sound'),
    el('instantiationFileSize', { unitsOfMeasure: 'bytes' }, String(report.source.size_bytes)),
    el('instantiationDuration', {}, pbcoreDuration(a.decoded_duration)),
    a.bitrate
      ? el('instantiationDataRate', { unitsOfMeasure: 'bits/sec' }, String(Math.round(a.bitrate)))
      : undefined,
    el('instantiationTracks', {}, '1'),
    el('instantiationChannelConfiguration', {}, channelConfig),
    text('instantiationLanguage', language?.toLowerCase()),
    el(
      'instantiationEssenceTrack',
      {},
      el('essenceTrackType', {}, 'Audio'),
      el('essenceTrackEncoding', {}, a.codec),
      a.bitrate
        ? el('essenceTrackDataRate', { unitsOfMeasure: 'bits/sec' }, String(Math.round(a.bitrate)))
        : undefined,
      el('essenceTrackSamplingRate', { unitsOfMeasure: 'Hz' }, String(a.sample_rate)),
      a.bit_depth ? el('essenceTrackBitDepth', {}, String(a.bit_depth)) : undefined,
      el('essenceTrackDuration', {}, pbcoreDuration(a.decoded_duration)),
      el('essenceTrackAnnotation', { annotationType: 'channels' }, String(a.channels)),
    ),
    fx.status === 'ok' && fx.md5
      ? el('instantiationAnnotation', { annotationType: 'MD5' }, fx.md5)
      : undefined,
    qc['status'] === 'ok'
      ? el(
          'instantiationAnnotation',
          { annotationType: `QC verdict (${report.processing.profile})` },
          String(qc['verdict'] ?? 'unknown'),
        )
      : undefined,
  );
  return renderXml(
    el(
      'pbcoreDescriptionDocument',
      { xmlns: PBCORE_NS },
      ...values(dc, 'date').map((d) => el('pbcoreAssetDate', {}, d)),
      ...(ids.length > 0 ? ids : [report.source.file_name]).map((v) =>
        el('pbcoreIdentifier', { source: v.startsWith('sha256:') ? 'sha256' : 'local' }, v),
      ),
      ...values(dc, 'title').map((t) => el('pbcoreTitle', {}, t)),
      ...values(dc, 'subject').map((s) => el('pbcoreSubject', {}, s)),
      ...(descriptions.length > 0
        ? descriptions
        : [`Sound recording, ${formatHumanDuration(a.decoded_duration)}`]
      ).map((d) => el('pbcoreDescription', {}, d)),
      ...values(dc, 'relation').map((r) =>
        el(
          'pbcoreRelation',
          {},
          el('pbcoreRelationType', {}, 'Is Part Of'),
          el('pbcoreRelationIdentifier', {}, r),
        ),
      ),
      ...entity('pbcoreCreator', 'creator', values(dc, 'creator'), 'Creator'),
      ...entity('pbcoreContributor', 'contributor', values(dc, 'contributor'), 'Contributor'),
      ...entity('pbcorePublisher', 'publisher', values(dc, 'publisher'), 'Publisher'),
      ...values(dc, 'rights').map((r) => el('pbcoreRightsSummary', {}, el('rightsSummary', {}, r))),
      instantiation,
      ...values(dc, 'source').map((s) => el('pbcoreAnnotation', { annotationType: 'source' }, s)),
    ),
  );
}

export const pbcoreExporter: Exporter = {
  id: 'pbcore',
  fileSuffix: '.pbcore.xml',
  mimeType: 'application/xml',
  applies: () => true,
  render: renderPbcore,
};
