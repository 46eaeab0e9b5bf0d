/**
 * Renders a Dublin Core record as OAI-PMH `oai_dc` XML (the simple-DC container every OAI
 * harvester reads). Simple DC has no `extent` element: the duration goes into `dc:format`, as
 * the DCMI guidance for simple DC suggests.
 */
import type { DublinCoreRecord } from '../report/index.js';

export const OAI_DC_NS = 'http://www.openarchives.org/OAI/2.0/oai_dc/';
export const DC_NS = 'http://purl.org/dc/elements/1.1/';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const OAI_DC_SCHEMA_LOCATION = `${OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd`;

/** The 15 simple-DC elements, in the conventional order. */
const ELEMENTS = [
  'title',
  'creator',
  'subject',
  'description',
  'publisher',
  'contributor',
  'date',
  'type',
  'format',
  'identifier',
  'source',
  'language',
  'relation',
  'coverage',
  'rights',
] as const;

/** Escapes text for XML content and attributes; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** The oai_dc XML document of a record (UTF-8, with a trailing newline). */
export function renderOaiDc(dc: DublinCoreRecord): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<oai_dc:dc xmlns:oai_dc="${OAI_DC_NS}" xmlns:dc="${DC_NS}" xmlns:xsi="${XSI_NS}" xsi:schemaLocation="${OAI_DC_SCHEMA_LOCATION}">`,
  ];
  for (const el of ELEMENTS) {
    const values = el === 'format' ? [...(dc.format ?? []), ...(dc.extent ?? [])] : dc[el];
    for (const v of values ?? []) lines.push(`  <dc:${el}>${escapeXml(v)}</dc:${el}>`);
  }
  lines.push('</oai_dc:dc>', '');
  return lines.join('\n');
}
