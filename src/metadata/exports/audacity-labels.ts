/**
 * Speaker turns as an Audacity label track (File › Import › Labels): one line per label,
 * `start<TAB>end<TAB>label`, seconds with six decimals as Audacity writes them. Overlaps are
 * labelled `overlap: SPEAKER_00+SPEAKER_01` on their own line.
 *
 * @example
 * 0.500000	3.750000	SPEAKER_00
 */
import type { Report } from '../../report/index.js';
import { hasSpeakerTurns, reportSpeakerSection } from './rttm.js';

export const audacityLabelsExporter = {
  id: 'audacity-labels',
  fileSuffix: '.speakers.labels.txt',
  mimeType: 'text/plain',
  applies: hasSpeakerTurns,
  render(report: Report): string {
    const s = reportSpeakerSection(report);
    if (!s) return '';
    const rows: { start: number; end: number; label: string }[] = [
      ...s.turns.map((t) => ({ start: t.start, end: t.end, label: t.speaker })),
      ...s.overlaps.map((o) => ({
        start: o.start,
        end: o.end,
        label: `overlap: ${o.speakers.join('+')}`,
      })),
    ].sort((a, b) => a.start - b.start || a.end - b.end);
    return rows
      .map(
        (r) => `${r.start.toFixed(6)}\t${r.end.toFixed(6)}\t${r.label.replace(/[\t\n]/g, ' ')}\n`,
      )
      .join('');
  },
};
