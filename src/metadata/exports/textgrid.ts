/**
 * Segmentation as a Praat TextGrid (long "ooTextFile" format, as Praat itself writes it): one
 * IntervalTier named "segments" whose intervals cover 0..duration without gaps; stretches no
 * segment covers become intervals with empty text.
 */
import type { Report } from '../../report/index.js';
import { reportSegments } from './segments-csv.js';

/** Praat numbers: shortest decimal form, at most 6 decimals. */
const num = (x: number): string => String(Number(x.toFixed(6)));
const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Duration of the recording in a report (decoded when known). */
function reportDurationSec(report: Report): number {
  const a = report.audio_info as { decoded_duration?: number; duration?: number };
  return a.decoded_duration ?? a.duration ?? 0;
}

/** Checked against `Exporter` where it is registered (no import back into index.ts: no cycle). */
export const textGridExporter = {
  id: 'textgrid',
  fileSuffix: '.TextGrid',
  mimeType: 'text/plain',
  applies: (report: Report): boolean => reportSegments(report) !== undefined,
  render(report: Report): string {
    const segs = reportSegments(report) ?? [];
    const lastEnd = segs.reduce((m, s) => Math.max(m, s.end), 0);
    const xmax = Math.max(reportDurationSec(report), lastEnd);
    const intervals: [number, number, string][] = [];
    let t = 0;
    for (const s of segs) {
      const start = Math.max(s.start, t);
      if (s.end <= start) continue;
      if (start > t) intervals.push([t, start, '']);
      intervals.push([start, s.end, s.label]);
      t = s.end;
    }
    if (t < xmax || intervals.length === 0) intervals.push([t, xmax, '']);
    const out = [
      'File type = "ooTextFile"',
      'Object class = "TextGrid"',
      '',
      'xmin = 0 ',
      `xmax = ${num(xmax)} `,
      'tiers? <exists> ',
      'size = 1 ',
      'item []: ',
      '    item [1]:',
      '        class = "IntervalTier" ',
      '        name = "segments" ',
      '        xmin = 0 ',
      `        xmax = ${num(xmax)} `,
      `        intervals: size = ${intervals.length} `,
    ];
    intervals.forEach(([a, b, text], i) => {
      out.push(
        `        intervals [${i + 1}]:`,
        `            xmin = ${num(a)} `,
        `            xmax = ${num(b)} `,
        `            text = ${quote(text)} `,
      );
    });
    return out.join('\n') + '\n';
  },
};
