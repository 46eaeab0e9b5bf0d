/**
 * Speaker turns as NIST RTTM (Rich Transcription Time Marked), the format of md-eval,
 * pyannote.metrics and dscore: one `SPEAKER` record per turn,
 * `SPEAKER <uri> 1 <start> <duration> <NA> <NA> <speaker> <NA> <NA>`, times in seconds with
 * millisecond precision, sorted by start. The second speaker of every detected overlap gets its
 * own record over the overlap (RTTM expresses overlap as simultaneous records).
 *
 * @example
 * SPEAKER interview 1 0.500 3.250 <NA> <NA> SPEAKER_00 <NA> <NA>
 */
import type { Report } from '../../report/index.js';

// The section's turns, overlaps and speakers are exactly the diarization result's shapes.
export type {
  DiarizedTurn as ReportTurn,
  DiarizedOverlap as ReportOverlap,
  SpeakerSummary as ReportSpeaker,
} from '../../analysis/diarization/diarize.js';
import type {
  DiarizedOverlap as ReportOverlap,
  DiarizedTurn as ReportTurn,
  SpeakerSummary as ReportSpeaker,
} from '../../analysis/diarization/diarize.js';

export interface ReportSpeakerSection {
  readonly turns: readonly ReportTurn[];
  readonly overlaps: readonly ReportOverlap[];
  readonly speakers: readonly ReportSpeaker[];
}

/** The ok `speaker_recognition` section of a report, or undefined. */
export function reportSpeakerSection(report: Report): ReportSpeakerSection | undefined {
  const s = report.results.speaker_recognition as
    { status?: string; turns?: unknown; overlaps?: unknown; speakers?: unknown } | undefined;
  if (s?.status !== 'ok' || !Array.isArray(s.turns)) return undefined;
  return {
    turns: s.turns as ReportTurn[],
    overlaps: Array.isArray(s.overlaps) ? (s.overlaps as ReportOverlap[]) : [],
    speakers: Array.isArray(s.speakers) ? (s.speakers as ReportSpeaker[]) : [],
  };
}

/**
 * Whether the report has speaker turns to export: speaker files (RTTM, speaker WebVTT, speaker CSV,
 * labels) are written only then, never as empty or header-only files for recordings without speech.
 */
export function hasSpeakerTurns(report: Report): boolean {
  return (reportSpeakerSection(report)?.turns.length ?? 0) > 0;
}

/** Turns plus, for every overlap, the overlapping speaker(s) besides the turn holder; by start. */
export function turnsWithOverlaps(s: ReportSpeakerSection): ReportTurn[] {
  const out: ReportTurn[] = [...s.turns];
  for (const o of s.overlaps)
    for (const spk of o.speakers.slice(1)) out.push({ speaker: spk, start: o.start, end: o.end });
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * The label exports show for a speaker id: the name a person gave or confirmed
 * (`speakers[i].name`; never a suggestion, which the report does not carry), else the id.
 */
export function speakerLabeller(s: ReportSpeakerSection | undefined): (id: string) => string {
  const names = new Map<string, string>();
  for (const sp of s?.speakers ?? []) {
    const name = (sp as { readonly name?: unknown }).name;
    if (typeof name === 'string' && name.trim() !== '') names.set(sp.id, name.trim());
  }
  return (id) => names.get(id) ?? id;
}

/** RTTM file id: the file name without extension, whitespace replaced (RTTM fields split on it). */
export function rttmUri(report: Report): string {
  const name = report.source?.file_name ?? 'audio';
  return name.replace(/\.[^.]+$/, '').replace(/\s+/g, '_') || 'audio';
}

export const rttmExporter = {
  id: 'rttm',
  fileSuffix: '.rttm',
  mimeType: 'text/plain',
  applies: hasSpeakerTurns,
  render(report: Report): string {
    const s = reportSpeakerSection(report);
    if (!s) return '';
    const uri = rttmUri(report);
    // RTTM fields split on whitespace: a confirmed name "Anna Rossi" is written Anna_Rossi.
    const label = speakerLabeller(s);
    return turnsWithOverlaps(s)
      .map(
        (t) =>
          `SPEAKER ${uri} 1 ${t.start.toFixed(3)} ${(t.end - t.start).toFixed(3)} <NA> <NA> ${label(t.speaker).replace(/\s+/g, '_')} <NA> <NA>\n`,
      )
      .join('');
  },
};
