/**
 * The exporter registry: every exporter turns a finished report into one side file written beside
 * the report (`<out>/<relative path><fileSuffix>`), when it applies. The CLI (and later the
 * service) write every applicable export; adding a format is one file plus one line here.
 */
import type { Report } from '../../report/index.js';
import type { Exporter } from './exporter.js';
import { audacityLabelsExporter } from './audacity-labels.js';
import { ebucoreExporter } from './ebucore.js';
import { pbcoreExporter } from './pbcore.js';
import { premisExporter } from './premis.js';
import { rttmExporter } from './rttm.js';
import { segmentsCsvExporter } from './segments-csv.js';
import { speakersCsvExporter } from './speakers-csv.js';
import { textGridExporter } from './textgrid.js';
import { webvttExporter } from './webvtt.js';

export type { Exporter } from './exporter.js';

/** Every registered exporter, in the order they are written. */
export const EXPORTERS: readonly Exporter[] = [
  rttmExporter,
  webvttExporter,
  speakersCsvExporter,
  audacityLabelsExporter,
  segmentsCsvExporter,
  textGridExporter,
  premisExporter,
  ebucoreExporter,
  pbcoreExporter,
];

/** The exporters that apply to a report. */
export function applicableExporters(report: Report): readonly Exporter[] {
  return EXPORTERS.filter((e) => e.applies(report));
}
