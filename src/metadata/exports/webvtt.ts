/**
 * Speaker turns as WebVTT (W3C), for players and archive front ends: one cue per turn whose text is
 * a voice span naming the speaker (`<v SPEAKER_00>SPEAKER_00`, or the name a person confirmed), so
 * captions show who speaks when.
 * Overlaps get their own cue for the overlapping speaker. Timestamps `hh:mm:ss.ttt`.
 *
 * @example
 * WEBVTT
 *
 * 1
 * 00:00:00.500 --> 00:00:03.750
 * <v SPEAKER_00>SPEAKER_00
 */
import type { Report } from '../../report/index.js';
import {
  hasSpeakerTurns,
  reportSpeakerSection,
  speakerLabeller,
  turnsWithOverlaps,
} from './rttm.js';

/** Seconds → WebVTT timestamp `hh:mm:ss.ttt` (hours always present, as the spec allows). */
export function formatVttTime(sec: number): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const t = ms % 1000;
  const p = (v: number, w = 2): string => String(v).padStart(w, '0');
  return `${p(h)}:${p(m)}:${p(s)}.${p(t, 3)}`;
}

/** Voice names may not contain `>`, `&` or line breaks inside a `<v …>` tag. */
const voiceName = (s: string): string => s.replace(/[>&\r\n]/g, '_');

export const webvttExporter = {
  id: 'webvtt',
  fileSuffix: '.speakers.vtt',
  mimeType: 'text/vtt',
  applies: hasSpeakerTurns,
  render(report: Report): string {
    const s = reportSpeakerSection(report);
    const out = ['WEBVTT', ''];
    const overlapping = new Set(
      (s?.overlaps ?? []).flatMap((o) => o.speakers.slice(1).map((spk) => `${spk}@${o.start}`)),
    );
    const label = speakerLabeller(s);
    turnsWithOverlaps(s ?? { turns: [], overlaps: [], speakers: [] }).forEach((t, i) => {
      const v = voiceName(label(t.speaker));
      const note = overlapping.has(`${t.speaker}@${t.start}`) ? ' (overlapping)' : '';
      out.push(
        String(i + 1),
        `${formatVttTime(t.start)} --> ${formatVttTime(t.end)}`,
        `<v ${v}>${v}${note}`,
        '',
      );
    });
    return out.join('\n');
  },
};
