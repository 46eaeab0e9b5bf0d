/** The one interface every exporter implements (registered in ./index.ts). */
import type { Report } from '../../report/index.js';

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
