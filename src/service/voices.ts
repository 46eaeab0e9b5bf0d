/**
 * Voices across recordings, as the API and `sonoteca voices` see them: name a speaker once
 * (confirmed), read the names Sonoteca proposes elsewhere (suggested, calibrated score), find
 * where a voice occurs. Only confirmed names are ever presented as a speaker's name.
 */
import {
  calibratedScore,
  calibrationFor,
  cosineSimilarity,
  SUGGESTION_MIN_SCORE,
} from '../analysis/voiceprint/voice-match.js';
import { refreshSuggestions } from '../jobs/voiceprints.js';
import { SonoError } from '../errors.js';
import type { NewVoice, Store, StoredVoice } from '../store/types.js';
import type { VoiceView } from './schemas/voices.js';

/** Version of the voices JSON documents (docs/schema/voices.schema.json). */
export const VOICES_SCHEMA_VERSION = '1.0.0';

/** A speaker of a recording as shown to people (the web page, the CLI): schemas/voices.ts. */
export type { VoiceView };

export async function viewOf(store: Store, v: StoredVoice): Promise<VoiceView> {
  const suggested = v.nameStatus === 'suggested';
  const from =
    suggested && v.nameFromVoiceId !== null ? await store.voices.get(v.nameFromVoiceId) : undefined;
  return {
    voice_id: v.id,
    speaker: v.speakerLabel,
    model: v.model,
    task_id: v.taskId,
    file_name: v.sourceName,
    talk_time_sec: v.talkTimeSec,
    name: v.nameStatus === 'confirmed' ? v.name : null,
    suggested_name: suggested ? v.name : null,
    suggestion_score: suggested ? v.nameScore : null,
    score_calibrated: suggested ? calibrationFor(v.model).calibrated : null,
    suggested_from: from ? { voice_id: from.id, task_id: from.taskId } : null,
  };
}

export async function recordingVoices(store: Store, sha256: string): Promise<VoiceView[]> {
  const out: VoiceView[] = [];
  for (const v of await store.voices.listByRecording(sha256)) out.push(await viewOf(store, v));
  return out;
}

/**
 * A person names a speaker of a recording (every embedding model's voice of that speaker); the
 * name is then proposed for the matching voices of other recordings.
 */
export async function nameSpeaker(
  store: Store,
  n: {
    readonly recordingSha256: string;
    readonly speaker: string;
    readonly name: string;
    readonly by: string | null;
  },
): Promise<VoiceView[]> {
  const name = n.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'name',
      detail: `"${n.name}" must be 1–200 characters`,
    });
  }
  const voices = await speakerVoices(store, n.recordingSha256, n.speaker);
  for (const v of voices) {
    await store.voices.setName(v.id, { name, status: 'confirmed', by: n.by });
  }
  for (const model of new Set(voices.map((v) => v.model))) await refreshSuggestions(store, model);
  return recordingVoices(store, n.recordingSha256);
}

/** The stored voices of one speaker of a recording; SONO_ERR_NOT_FOUND when it has none. */
async function speakerVoices(
  store: Store,
  recordingSha256: string,
  speaker: string,
): Promise<readonly StoredVoice[]> {
  const voices = (await store.voices.listByRecording(recordingSha256)).filter(
    (v) => v.speakerLabel === speaker,
  );
  if (voices.length === 0) {
    throw new SonoError('SONO_ERR_NOT_FOUND', {
      what: 'Speaker with a voice embedding',
      id: speaker,
    });
  }
  return voices;
}

/**
 * A person rejects the name proposed for a speaker of a recording: the suggestion is withdrawn
 * and that name is never proposed for this speaker's voices again (another confirmed name that
 * matches may be proposed instead).
 */
export async function rejectSuggestion(
  store: Store,
  n: { readonly recordingSha256: string; readonly speaker: string; readonly by: string | null },
): Promise<VoiceView[]> {
  const voices = await speakerVoices(store, n.recordingSha256, n.speaker);
  const suggested = voices.filter((v) => v.nameStatus === 'suggested' && v.name !== null);
  if (suggested.length === 0) {
    throw new SonoError('SONO_ERR_CONFLICT', {
      detail: `speaker ${n.speaker} has no proposed name to reject`,
    });
  }
  for (const v of suggested) {
    await store.voices.rejectName(v.id, v.name!, n.by);
    await store.voices.setName(v.id, { name: null, status: null });
  }
  for (const model of new Set(suggested.map((v) => v.model)))
    await refreshSuggestions(store, model);
  return recordingVoices(store, n.recordingSha256);
}

/** The names people confirmed for the speakers of a recording (speaker id → name). */
export async function confirmedSpeakerNames(
  store: Store,
  recordingSha256: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const v of await store.voices.listByRecording(recordingSha256)) {
    if (v.nameStatus === 'confirmed' && v.name !== null && !out.has(v.speakerLabel))
      out.set(v.speakerLabel, v.name);
  }
  return out;
}

/** Every voice named `name` (confirmed first, then suggestions by score). */
export async function voicesNamed(store: Store, name: string): Promise<VoiceView[]> {
  const voices = [...(await store.voices.listByName(name.trim()))].sort(
    (a, b) =>
      (a.nameStatus === 'confirmed' ? 0 : 1) - (b.nameStatus === 'confirmed' ? 0 : 1) ||
      (b.nameScore ?? 1) - (a.nameScore ?? 1),
  );
  const out: VoiceView[] = [];
  for (const v of voices) out.push(await viewOf(store, v));
  return out;
}

export interface VoiceOccurrence extends VoiceView {
  /** Which query speaker it matches, and how well (calibrated probability, cosine). */
  readonly query_speaker: string;
  readonly score: number;
  readonly cosine: number;
}

/** Where the voices of a (new) recording occur in the stored recordings. */
export async function findVoices(
  store: Store,
  query: readonly NewVoice[],
  minScore = SUGGESTION_MIN_SCORE,
): Promise<VoiceOccurrence[]> {
  const out: VoiceOccurrence[] = [];
  const byModel = new Map<string, readonly StoredVoice[]>();
  for (const q of query) {
    const stored = byModel.get(q.model) ?? (await store.voices.listByModel(q.model));
    byModel.set(q.model, stored);
    const cal = calibrationFor(q.model);
    for (const v of stored) {
      if (v.recordingSha256 === q.recordingSha256) continue;
      const cosine = cosineSimilarity(q.vector, v.vector);
      const score = calibratedScore(cosine, cal);
      if (score < minScore) continue;
      out.push({
        ...(await viewOf(store, v)),
        query_speaker: q.speakerLabel,
        score: Math.round(score * 1000) / 1000,
        cosine: Math.round(cosine * 1000) / 1000,
      });
    }
  }
  return out.sort((a, b) => b.score - a.score);
}
