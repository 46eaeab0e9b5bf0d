/**
 * Analysis statements a catalogue record may make, each decided from the sections that ran and
 * kept only when its evidence passes a stated threshold. A statement that does not pass is not
 * dropped silently: it goes to `for_review` with the reason, for a person to decide.
 *
 * One source per fact: speech from `voice_activity`, refined by the segmentation where both ran
 * (VAD speech the segmentation labels singing, music or noise is not speech; the segmentation
 * alone only when VAD did not run), music and singing from the segmentation's own labels,
 * confirmed by `music_analysis`.
 */
import { speakingRegions, vadSpeechOf } from '../analysis/consistency/index.js';
import type { StatementEvidence, WithheldStatement, Report } from '../report/index.js';

/** The thresholds, written into every `metadata_generation.thresholds`. */
export const STATEMENT_THRESHOLDS = Object.freeze({
  /** Share of the recording VAD must call speech before the record says "speech". */
  speech_ratio: 0.1,
  /** …and at least this many seconds of it. */
  speech_min_sec: 1,
  /** Share of `music` + `singing` segments before the record says "music". */
  music_ratio: 0.1,
  /** Share of `singing` segments before the record says "singing". */
  singing_ratio: 0.1,
  /** Mean segmentation posterior the labels above need (duration-weighted). */
  label_confidence: 0.6,
  /** Seconds of VAD speech before the number of speakers is stated. */
  speakers_min_speech_sec: 3,
  /**
   * Heritage confidence before the category enters `dc:subject`: well above the classifier's own
   * `uncertain_below` (0.5), because the default model is calibrated on few files.
   */
  heritage_confidence: 0.75,
  /** Instrumentation family score before a family enters `dc:subject` (only where music is). */
  instrument_score: 0.75,
  /**
   * The instrument model's precision for the family, held out by source (the section's
   * `held_out_precision`), before the family enters `dc:subject`: a family the model tags wrongly
   * on more than 3 in 10 unseen sources is for a person to confirm, whatever its score here.
   */
  instrument_precision: 0.7,
});

/** Heritage categories that describe speech; the others of the default taxonomy are music. */
const SPEECH_CATEGORIES = new Set(['spoken_word', 'historical_speech']);
const MUSIC_CATEGORIES = new Set(['folk_music', 'classical_music', 'opera', 'religious_chant']);

type Dict = Readonly<Record<string, unknown>>;

export interface Statement {
  readonly id: string;
  readonly value: string;
  readonly evidence: readonly StatementEvidence[];
}

export interface Statements {
  readonly speech?: Statement;
  readonly music?: Statement;
  readonly singing?: Statement;
  readonly speakers?: Statement & { readonly count: number };
  readonly heritage?: Statement & { readonly category: string; readonly confidence: number };
  readonly instruments: readonly Statement[];
  readonly withheld: readonly WithheldStatement[];
  /** Sections the statements (made or withheld) were read from. */
  readonly sections: readonly string[];
}

function okSection(report: Report, name: string): Dict | undefined {
  const s = (report.results as unknown as Record<string, unknown>)[name];
  return typeof s === 'object' && s !== null && (s as Dict)['status'] === 'ok'
    ? (s as Dict)
    : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function analyzerOf(s: Dict): { name: string; version: string } | undefined {
  const a = s['analyzer'] as { name?: unknown; version?: unknown } | undefined;
  return a && typeof a.name === 'string' && typeof a.version === 'string'
    ? { name: a.name, version: a.version }
    : undefined;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

/** Share and duration-weighted mean confidence of the segmentation segments with these labels. */
export function labelShare(
  seg: Dict,
  labels: readonly string[],
): { ratio: number; confidence: number; sec: number } {
  const segments = Array.isArray(seg['segments']) ? (seg['segments'] as Dict[]) : [];
  let sec = 0;
  let weighted = 0;
  let total = 0;
  for (const s of segments) {
    const start = num(s['start']) ?? 0;
    const end = num(s['end']) ?? start;
    total = Math.max(total, end);
    if (!labels.includes(String(s['label']))) continue;
    sec += end - start;
    weighted += (num(s['confidence']) ?? 0) * (end - start);
  }
  return { ratio: total > 0 ? sec / total : 0, confidence: sec > 0 ? weighted / sec : 0, sec };
}

/** Decides every analysis statement of a report. */
export function decideStatements(report: Report): Statements {
  const T = STATEMENT_THRESHOLDS;
  const withheld: WithheldStatement[] = [];
  const sections = new Set<string>();
  const withhold = (w: WithheldStatement): void => {
    withheld.push(w);
  };

  // Speech: voice_activity, else the segmentation.
  let speech: Statement | undefined;
  let speechSec = 0;
  const vad = okSection(report, 'voice_activity');
  const seg = okSection(report, 'segmentation');
  if (vad) {
    sections.add('voice_activity');
    // VAD speech the segmentation calls singing, music or noise (sung or bowed notes the VAD
    // fires on) is not speech: the same refinement the speaker count rests on.
    const vadSec = num(vad['speech_duration_sec']) ?? 0;
    const vadRatio = num(vad['speech_ratio']) ?? 0;
    const vadRegions = vadSpeechOf(vad);
    const refined = vadRegions ? speakingRegions(vadRegions, seg) : undefined;
    speechSec = refined ? refined.speechSec : vadSec;
    const ratio = vadSec > 0 ? vadRatio * (speechSec / vadSec) : 0;
    const refinedNote =
      refined && refined.excludedSec > 0
        ? ` (VAD ${r2(vadSec)} s, of which ${r2(refined.excludedSec)} s the segmentation labels singing, music or noise)`
        : '';
    if (ratio >= T.speech_ratio && speechSec >= T.speech_min_sec) {
      speech = {
        id: 'content.speech',
        value: 'speech',
        evidence: [
          {
            statement: 'content.speech',
            section: 'voice_activity',
            ...(analyzerOf(vad) ? { analyzer: analyzerOf(vad)! } : {}),
            confidence: r2(ratio),
            basis: `speech_ratio ${r2(ratio)} >= ${T.speech_ratio}, ${r2(speechSec)} s >= ${T.speech_min_sec} s${refinedNote}`,
          },
        ],
      };
    } else if (vadSec > 0) {
      withhold({
        statement: 'content.speech',
        value: 'speech',
        section: 'voice_activity',
        confidence: r2(ratio),
        reason: `speech_ratio ${r2(ratio)} (${r2(speechSec)} s) below ${T.speech_ratio} / ${T.speech_min_sec} s${refinedNote}`,
      });
    }
  } else if (seg) {
    sections.add('segmentation');
    const sh = labelShare(seg, ['speech', 'speech_over_music']);
    speechSec = sh.sec;
    if (sh.ratio >= T.speech_ratio && sh.confidence >= T.label_confidence) {
      speech = {
        id: 'content.speech',
        value: 'speech',
        evidence: [
          {
            statement: 'content.speech',
            section: 'segmentation',
            ...(analyzerOf(seg) ? { analyzer: analyzerOf(seg)! } : {}),
            confidence: r2(sh.confidence),
            basis: `speech share ${r2(sh.ratio)} >= ${T.speech_ratio} at mean posterior ${r2(sh.confidence)} >= ${T.label_confidence} (voice_activity did not run)`,
          },
        ],
      };
    }
  }

  // Music and singing: the segmentation's own labels, not contradicted by music_analysis.
  let music: Statement | undefined;
  let singing: Statement | undefined;
  const mu = okSection(report, 'music_analysis');
  const musicDenied = mu !== undefined && mu['music_detected'] === false;
  if (seg) {
    sections.add('segmentation');
    if (mu) sections.add('music_analysis');
    const judge = (
      id: string,
      value: string,
      labels: string[],
      minRatio: number,
    ): Statement | undefined => {
      const sh = labelShare(seg, labels);
      if (sh.ratio < 0.02) return undefined;
      const base = `${labels.join(' + ')} share ${r2(sh.ratio)}, mean posterior ${r2(sh.confidence)}`;
      let reason: string | undefined;
      if (sh.ratio < minRatio) reason = `${base}: share below ${minRatio}`;
      else if (sh.confidence < T.label_confidence)
        reason = `${base}: posterior below ${T.label_confidence}`;
      else if (musicDenied) reason = `${base}, but music_analysis.music_detected is false`;
      if (reason) {
        withhold({
          statement: id,
          value,
          section: 'segmentation',
          confidence: r2(sh.confidence),
          reason,
        });
        return undefined;
      }
      return {
        id,
        value,
        evidence: [
          {
            statement: id,
            section: 'segmentation',
            ...(analyzerOf(seg) ? { analyzer: analyzerOf(seg)! } : {}),
            confidence: r2(sh.confidence),
            basis: `${base} (>= ${minRatio}, >= ${T.label_confidence})${mu ? '; music_analysis.music_detected true' : ''}`,
          },
        ],
      };
    };
    music = judge('content.music', 'music', ['music', 'singing'], T.music_ratio);
    singing = judge('content.singing', 'singing', ['singing'], T.singing_ratio);
    const som = labelShare(seg, ['speech_over_music']);
    if (som.ratio >= T.music_ratio) {
      withhold({
        statement: 'content.music',
        value: 'music (under speech)',
        section: 'segmentation',
        confidence: r2(som.confidence),
        reason: `speech_over_music share ${r2(som.ratio)}: background music under speech is not stated as music content`,
      });
    }
  }

  // Speakers: only where there is speech, and enough of it to count voices.
  let speakers: Statements['speakers'];
  const sp = okSection(report, 'speaker_recognition');
  if (sp) {
    sections.add('speaker_recognition');
    const n = num(sp['speakers_detected']) ?? 0;
    // the speech the count rests on (the section's own, refined by the segmentation), else VAD's
    const countedSec = num(sp['speech_sec']) ?? speechSec;
    if (n > 0) {
      const value = `${n} speaker${n === 1 ? '' : 's'}`;
      if (speech && countedSec >= T.speakers_min_speech_sec) {
        speakers = {
          id: 'speakers',
          value,
          count: n,
          evidence: [
            {
              statement: 'speakers',
              section: 'speaker_recognition',
              ...(analyzerOf(sp) ? { analyzer: analyzerOf(sp)! } : {}),
              basis: `speakers_detected ${n} (estimated by ${String(sp['estimated_by'])}) over ${r2(countedSec)} s of speech >= ${T.speakers_min_speech_sec} s`,
            },
          ],
        };
      } else {
        withhold({
          statement: 'speakers',
          value,
          section: 'speaker_recognition',
          reason: speech
            ? `only ${r2(countedSec)} s of speech, below ${T.speakers_min_speech_sec} s`
            : 'no speech stated for this recording: speaker counts need speech',
        });
      }
    }
  }

  // Heritage category: confident, certain, classified, and of a kind the content supports.
  let heritage: Statements['heritage'];
  const hc = okSection(report, 'heritage_classification');
  const category =
    hc && typeof hc['predicted_category'] === 'string' ? hc['predicted_category'] : '';
  if (hc && category) {
    sections.add('heritage_classification');
    const confidence = num(hc['confidence']) ?? 0;
    const reasons = Array.isArray(hc['uncertain_reasons'])
      ? (hc['uncertain_reasons'] as unknown[]).map(String)
      : [];
    let reason: string | undefined;
    if (category === 'unclassified') reason = 'the classifier left it unclassified';
    else if (hc['uncertain'] === true)
      reason = `the classifier marks it uncertain${reasons.length ? ` (${reasons.join('; ')})` : ''}`;
    else if (confidence < T.heritage_confidence)
      reason = `confidence ${r2(confidence)} below ${T.heritage_confidence}`;
    else if (SPEECH_CATEGORIES.has(category) && !speech)
      reason = 'a speech category, but no speech is stated for this recording';
    else if (MUSIC_CATEGORIES.has(category) && !music && !singing)
      reason = 'a music category, but no music or singing is stated for this recording';
    if (reason) {
      withhold({
        statement: 'heritage_category',
        value: category,
        section: 'heritage_classification',
        confidence: r2(confidence),
        reason,
      });
    } else {
      heritage = {
        id: 'heritage_category',
        value: category,
        category,
        confidence,
        evidence: [
          {
            statement: 'heritage_category',
            section: 'heritage_classification',
            ...(analyzerOf(hc) ? { analyzer: analyzerOf(hc)! } : {}),
            confidence: r2(confidence),
            basis: `confidence ${r2(confidence)} >= ${T.heritage_confidence}, not uncertain, supported by the stated content`,
          },
        ],
      };
    }
  }

  // Instrument families: only where music is stated.
  const instruments: Statement[] = [];
  const inst = okSection(report, 'instrumentation');
  if (inst && Array.isArray(inst['tags'])) {
    sections.add('instrumentation');
    for (const t of inst['tags'] as Dict[]) {
      const family = typeof t['family'] === 'string' ? t['family'] : undefined;
      const score = num(t['score']) ?? 0;
      const precision = num(t['held_out_precision']);
      if (!family || t['present'] !== true) continue;
      const id = `instrument.${family}`;
      let reason: string | undefined;
      if (!music && !singing) reason = 'no music stated for this recording';
      else if (family === 'voice' && !singing)
        reason = 'a voice is not an instrument without singing';
      else if (score < T.instrument_score)
        reason = `score ${r2(score)} below ${T.instrument_score}`;
      else if (precision === undefined)
        reason = `the instrument model records no held-out precision for ${family}`;
      else if (precision < T.instrument_precision)
        reason = `the instrument model's held-out precision for ${family} is ${r2(precision)}, below ${T.instrument_precision}`;
      if (reason) {
        withhold({
          statement: id,
          value: family,
          section: 'instrumentation',
          confidence: r2(score),
          reason,
        });
        continue;
      }
      instruments.push({
        id,
        value: family,
        evidence: [
          {
            statement: id,
            section: 'instrumentation',
            ...(analyzerOf(inst) ? { analyzer: analyzerOf(inst)! } : {}),
            confidence: r2(score),
            basis: `score ${r2(score)} >= ${T.instrument_score} where music is stated; held-out precision ${r2(precision!)} >= ${T.instrument_precision}`,
          },
        ],
      });
    }
  }

  return {
    ...(speech ? { speech } : {}),
    ...(music ? { music } : {}),
    ...(singing ? { singing } : {}),
    ...(speakers ? { speakers } : {}),
    ...(heritage ? { heritage } : {}),
    instruments,
    withheld,
    sections: [...sections],
  };
}
