/**
 * The exporter registry: every exporter turns a finished report into one side file written beside
 * the report (`<out>/<relative path><fileSuffix>`), when it applies. The CLI (and later the
 * service) write every applicable export; adding a format is one file plus one line here.
 */
import type { Report } from '../../report/index.js';
import { audacityLabelsExporter } from './audacity-labels.js';
import { rttmExporter } from './rttm.js';
import { segmentsCsvExporter } from './segments-csv.js';
import { speakersCsvExporter } from './speakers-csv.js';
import { textGridExporter } from './textgrid.js';
import { webvttExporter } from './webvtt.js';

export interface Exporter {
  /** Stable id, e.g. `segments-csv`, `rttm`, `webvtt`. */
  readonly id: string;
  /** Appended to the report's base name, e.g. `.segments.csv` (`song.wav.segments.csv`). */
  readonly fileSuffix: string;
  /** MIME type of the rendered text, for HTTP downloads. */
  readonly mimeType?: string;
  /** Whether the report holds what this export needs (e.g. a segmentation with status ok). */
  applies(report: Report): boolean;
  /** The export's text (UTF-8). Pure: no I/O. */
  render(report: Report): string;
}

/** Every registered exporter, in the order they are written. */
export const EXPORTERS: readonly Exporter[] = [
  rttmExporter,
  webvttExporter,
  speakersCsvExporter,
  audacityLabelsExporter,
  segmentsCsvExporter,
  textGridExporter,
];

/** The exporters that apply to a report. */
export function applicableExporters(report: Report): readonly Exporter[] {
  return EXPORTERS.filter((e) => e.applies(report));
}
