/**
 * Segmentation as CSV, in the column layout archivists know from inaSpeechSegmenter
 * (`labels,start,stop`) plus the segment confidence. Times in seconds, millisecond precision,
 * one segment per row in time order, comma-separated, LF line ends, header first.
 *
 * @example
 * labels,start,stop,confidence
 * silence,0.000,1.500,0.990
 * speech,1.500,12.300,0.870
 */
import type { Report } from '../../report/index.js';

/** A segment as read from a report's `results.segmentation.segments`. */
interface ReportSegment {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly confidence?: number;
}

/** The ok segmentation's segments of a report, or undefined. */
export function reportSegments(report: Report): readonly ReportSegment[] | undefined {
  const s = report.results.segmentation as
    { status?: string; segments?: readonly ReportSegment[] } | undefined;
  return s?.status === 'ok' && Array.isArray(s.segments) ? s.segments : undefined;
}

const csvField = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Checked against `Exporter` where it is registered (no import back into index.ts: no cycle). */
export const segmentsCsvExporter = {
  id: 'segments-csv',
  fileSuffix: '.segments.csv',
  mimeType: 'text/csv',
  applies: (report: Report): boolean => reportSegments(report) !== undefined,
  render(report: Report): string {
    const lines = ['labels,start,stop,confidence'];
    for (const s of reportSegments(report) ?? []) {
      lines.push(
        [
          csvField(s.label),
          s.start.toFixed(3),
          s.end.toFixed(3),
          s.confidence === undefined ? '' : s.confidence.toFixed(3),
        ].join(','),
      );
    }
    return lines.join('\n') + '\n';
  },
};
