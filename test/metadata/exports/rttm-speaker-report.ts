/** Shared hand-made speaker_recognition report for the speaker exporter tests. */
import type { Report } from '../../../src/pipeline/report.js';

/** A hand-made report with only the fields the speaker exporters read. */
export function speakerReport(
  section: Record<string, unknown>,
  fileName = 'my interview.wav',
): Report {
  return {
    source: { path: `/x/${fileName}`, file_name: fileName, size_bytes: 1 },
    audio_info: { duration: 10, decoded_duration: 10 },
    results: { speaker_recognition: section },
  } as unknown as Report;
}

export const speakerSection = {
  status: 'ok',
  speakers_detected: 2,
  dominant_speaker: 'SPEAKER_00',
  speakers: [
    {
      id: 'SPEAKER_00',
      talk_time_sec: 5.25,
      share: 0.6176,
      turns: 2,
      f0_mean_hz: 121.54,
      f0_range_hz: [98.2, 160.44],
      speech_rate_syllables_per_sec: 4.123,
      loudness_mean_db: -23.41,
      interruptions: 0,
      overlap_sec: 0.5,
    },
    {
      id: 'SPEAKER_01',
      talk_time_sec: 3.25,
      share: 0.3824,
      turns: 1,
      f0_mean_hz: null,
      f0_range_hz: null,
      speech_rate_syllables_per_sec: null,
      loudness_mean_db: -30,
      interruptions: 1,
      overlap_sec: 0.5,
    },
  ],
  turns: [
    { speaker: 'SPEAKER_00', start: 0.5, end: 3.75 },
    { speaker: 'SPEAKER_01', start: 4, end: 6.75 },
    { speaker: 'SPEAKER_00', start: 7, end: 9 },
  ],
  overlaps: [{ start: 3.25, end: 3.75, speakers: ['SPEAKER_00', 'SPEAKER_01'] }],
};
