/**
 * Per-speaker statistics as CSV (one row per speaker, in report order): talk time, share, turns,
 * f0 mean and 5th/95th percentiles, speech rate (syllable nuclei per second), mean loudness (dBFS),
 * interruptions and overlapped time. Empty cells where a value is unknown (e.g. no voiced frames).
 *
 * @example
 * speaker,talk_time_sec,share,turns,f0_mean_hz,f0_p5_hz,f0_p95_hz,speech_rate_syllables_per_sec,loudness_mean_db,interruptions,overlap_sec
 * SPEAKER_00,12.340,0.620,4,121.5,98.2,160.4,4.12,-23.4,1,0.800
 */
import type { Report } from '../../report/index.js';
import { hasSpeakerTurns, reportSpeakerSection } from './rttm.js';

const HEADER =
  'speaker,talk_time_sec,share,turns,f0_mean_hz,f0_p5_hz,f0_p95_hz,' +
  'speech_rate_syllables_per_sec,loudness_mean_db,interruptions,overlap_sec';

const csvField = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const num = (v: number | null | undefined, digits: number): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits);

export const speakersCsvExporter = {
  id: 'speakers-csv',
  fileSuffix: '.speakers.csv',
  mimeType: 'text/csv',
  applies: hasSpeakerTurns,
  render(report: Report): string {
    const lines = [HEADER];
    for (const s of reportSpeakerSection(report)?.speakers ?? []) {
      lines.push(
        [
          csvField(s.id),
          num(s.talk_time_sec, 3),
          num(s.share, 3),
          String(s.turns),
          num(s.f0_mean_hz, 1),
          num(s.f0_range_hz?.[0], 1),
          num(s.f0_range_hz?.[1], 1),
          num(s.speech_rate_syllables_per_sec, 2),
          num(s.loudness_mean_db, 1),
          String(s.interruptions),
          num(s.overlap_sec, 3),
        ].join(','),
      );
    }
    return lines.join('\n') + '\n';
  },
};
