/**
 * The mapping from embedded metadata fields to Dublin Core elements: one table, read by the
 * Dublin Core builder and printed in docs/METADATA.md (a test keeps the two equal). Every element
 * collects the values of all its rows (Dublin Core elements repeat); `common.*` rows (music-
 * metadata's normalised tags) only fill an element that no native row filled, so a value is not
 * repeated in a second spelling.
 */
import type { DcElement } from '../report/index.js';

/** Where a field lives in `technical_metadata.embedded`. */
export type EmbeddedBlock =
  'bext' | 'ixml_fields' | 'riff_info' | 'id3' | 'vorbis' | 'mp4' | 'common';

export interface EmbeddedMapping {
  readonly element: DcElement;
  readonly block: EmbeddedBlock;
  /** Field names in the block, compared case-insensitively (Vorbis comment names vary in case). */
  readonly keys: readonly string[];
  /** What the field is, for the documentation table. */
  readonly label: string;
  /** Prefix written before the value (e.g. `Coding history: `). */
  readonly prefix?: string;
}

/** In priority order per element: the first value of an element is its main one. */
export const EMBEDDED_TO_DC: readonly EmbeddedMapping[] = [
  { element: 'title', block: 'riff_info', keys: ['INAM'], label: 'INFO title' },
  { element: 'title', block: 'id3', keys: ['TIT2'], label: 'ID3 title' },
  { element: 'title', block: 'vorbis', keys: ['TITLE'], label: 'Vorbis TITLE' },
  { element: 'title', block: 'mp4', keys: ['©nam'], label: 'MP4 ©nam' },
  { element: 'title', block: 'common', keys: ['title'], label: 'any other tag format' },

  { element: 'creator', block: 'riff_info', keys: ['IART'], label: 'INFO artist' },
  { element: 'creator', block: 'id3', keys: ['TPE1'], label: 'ID3 lead performer' },
  { element: 'creator', block: 'vorbis', keys: ['ARTIST', 'PERFORMER'], label: 'Vorbis ARTIST' },
  { element: 'creator', block: 'mp4', keys: ['©ART'], label: 'MP4 ©ART' },
  { element: 'creator', block: 'common', keys: ['artist'], label: 'any other tag format' },

  { element: 'contributor', block: 'riff_info', keys: ['IENG', 'ITCH'], label: 'INFO engineer' },
  { element: 'contributor', block: 'id3', keys: ['TCOM', 'TPE3'], label: 'ID3 composer' },
  {
    element: 'contributor',
    block: 'vorbis',
    keys: ['COMPOSER', 'CONDUCTOR'],
    label: 'Vorbis COMPOSER',
  },
  { element: 'contributor', block: 'mp4', keys: ['©wrt'], label: 'MP4 ©wrt (composer)' },
  {
    element: 'contributor',
    block: 'common',
    keys: ['composer', 'conductor'],
    label: 'any other tag format',
  },

  {
    element: 'publisher',
    block: 'bext',
    keys: ['originator'],
    label: 'BWF Originator (the institution)',
  },
  { element: 'publisher', block: 'id3', keys: ['TPUB'], label: 'ID3 publisher' },
  {
    element: 'publisher',
    block: 'vorbis',
    keys: ['ORGANIZATION', 'LABEL', 'PUBLISHER'],
    label: 'Vorbis ORGANIZATION',
  },
  { element: 'publisher', block: 'common', keys: ['publisher'], label: 'any other tag format' },

  { element: 'description', block: 'bext', keys: ['description'], label: 'BWF Description' },
  { element: 'description', block: 'ixml_fields', keys: ['NOTE'], label: 'iXML NOTE' },
  { element: 'description', block: 'riff_info', keys: ['ICMT', 'ISBJ'], label: 'INFO comment' },
  {
    element: 'description',
    block: 'id3',
    keys: ['COMM', 'TXXX:comment', 'TIT3'],
    label: 'ID3 comment (COMM, or TXXX:comment as ffmpeg writes it)',
  },
  {
    element: 'description',
    block: 'vorbis',
    keys: ['DESCRIPTION', 'COMMENT'],
    label: 'Vorbis DESCRIPTION',
  },
  { element: 'description', block: 'mp4', keys: ['©cmt', 'desc'], label: 'MP4 ©cmt' },
  {
    element: 'description',
    block: 'common',
    keys: ['description', 'comment'],
    label: 'any other tag format',
  },

  {
    element: 'date',
    block: 'bext',
    keys: ['origination_date'],
    label: 'BWF OriginationDate (+ OriginationTime)',
  },
  { element: 'date', block: 'riff_info', keys: ['ICRD'], label: 'INFO creation date' },
  { element: 'date', block: 'id3', keys: ['TDRC', 'TYER'], label: 'ID3 recording time' },
  { element: 'date', block: 'vorbis', keys: ['DATE'], label: 'Vorbis DATE' },
  { element: 'date', block: 'mp4', keys: ['©day'], label: 'MP4 ©day' },
  { element: 'date', block: 'common', keys: ['date', 'year'], label: 'any other tag format' },

  {
    element: 'identifier',
    block: 'bext',
    keys: ['originator_reference'],
    label: 'BWF OriginatorReference',
  },
  { element: 'identifier', block: 'bext', keys: ['umid'], label: 'BWF UMID', prefix: 'umid:' },
  { element: 'identifier', block: 'id3', keys: ['TSRC'], label: 'ID3 ISRC', prefix: 'isrc:' },
  { element: 'identifier', block: 'vorbis', keys: ['ISRC'], label: 'Vorbis ISRC', prefix: 'isrc:' },

  {
    element: 'source',
    block: 'bext',
    keys: ['coding_history'],
    label: 'BWF CodingHistory (EBU R98: the transfer chain)',
    prefix: 'Coding history: ',
  },
  { element: 'source', block: 'riff_info', keys: ['ISRC'], label: 'INFO source (ISRC)' },
  { element: 'source', block: 'riff_info', keys: ['IMED'], label: 'INFO original medium' },

  { element: 'relation', block: 'ixml_fields', keys: ['PROJECT'], label: 'iXML PROJECT' },
  { element: 'relation', block: 'riff_info', keys: ['IPRD'], label: 'INFO product (album)' },
  { element: 'relation', block: 'id3', keys: ['TALB'], label: 'ID3 album' },
  { element: 'relation', block: 'vorbis', keys: ['ALBUM'], label: 'Vorbis ALBUM' },
  { element: 'relation', block: 'mp4', keys: ['©alb'], label: 'MP4 ©alb' },
  { element: 'relation', block: 'common', keys: ['album'], label: 'any other tag format' },

  { element: 'language', block: 'riff_info', keys: ['ILNG'], label: 'INFO language' },
  { element: 'language', block: 'id3', keys: ['TLAN'], label: 'ID3 language' },
  { element: 'language', block: 'vorbis', keys: ['LANGUAGE'], label: 'Vorbis LANGUAGE' },
  { element: 'language', block: 'common', keys: ['language'], label: 'any other tag format' },

  { element: 'rights', block: 'riff_info', keys: ['ICOP'], label: 'INFO copyright' },
  { element: 'rights', block: 'id3', keys: ['TCOP'], label: 'ID3 copyright' },
  {
    element: 'rights',
    block: 'vorbis',
    keys: ['COPYRIGHT', 'LICENSE'],
    label: 'Vorbis COPYRIGHT',
  },
  { element: 'rights', block: 'mp4', keys: ['cprt'], label: 'MP4 cprt' },
  { element: 'rights', block: 'common', keys: ['copyright'], label: 'any other tag format' },

  { element: 'subject', block: 'riff_info', keys: ['IGNR', 'IKEY'], label: 'INFO genre' },
  { element: 'subject', block: 'id3', keys: ['TCON'], label: 'ID3 genre' },
  { element: 'subject', block: 'vorbis', keys: ['GENRE'], label: 'Vorbis GENRE' },
  { element: 'subject', block: 'mp4', keys: ['©gen'], label: 'MP4 ©gen' },
  { element: 'subject', block: 'common', keys: ['genre'], label: 'any other tag format' },
];

/** Report path of a block, e.g. `riff_info.INAM`; MP4 atoms live in `other.iTunes`. */
export function fieldPath(block: EmbeddedBlock, key: string): string {
  return block === 'mp4' ? `other.iTunes.${key}` : `${block}.${key}`;
}

const BLOCK_NAMES: Readonly<Record<EmbeddedBlock, string>> = {
  bext: 'BWF bext',
  ixml_fields: 'iXML',
  riff_info: 'RIFF INFO',
  id3: 'ID3v2',
  vorbis: 'Vorbis comment (FLAC, Ogg)',
  mp4: 'MP4 / M4A (iTunes atoms)',
  common: 'other formats (music-metadata common tags)',
};

/** The mapping as a Markdown table (docs/METADATA.md holds this text; a test compares). */
export function renderMappingTable(): string {
  const rows = EMBEDDED_TO_DC.map(
    (r) =>
      `| \`dc:${r.element}\` | ${BLOCK_NAMES[r.block]} | ${r.keys
        .map((k) => `\`${k}\``)
        .join(', ')} | \`${fieldPath(r.block, r.keys[0] ?? '')}\` | ${r.label}${
        r.prefix ? ` (written as \`${r.prefix}…\`)` : ''
      } |`,
  );
  return [
    '| DC element | format | fields | report path | what |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
