/**
 * Voiceprints after an analysis: the embedding of every diarized speaker goes to the store, and
 * the names people confirmed elsewhere are proposed for the new voices that match them.
 */
import {
  calibratedScore,
  calibrationFor,
  cosineSimilarity,
  SUGGESTION_MIN_SCORE,
  type SpeakerEmbedding,
} from '../analysis/voiceprint/voice-match.js';
import type { Report } from '../pipeline/report.js';
import type { NewVoice, Store, StoredVoice } from '../store/types.js';

interface SpeakerWithEmbedding {
  readonly id: string;
  readonly talk_time_sec?: number;
  readonly embedding?: SpeakerEmbedding;
}

/** The voices of a report: its speakers that carry an embedding. */
export function voicesOfReport(report: Report, sha256: string): NewVoice[] {
  const section = (report.results as unknown as Record<string, unknown>)['speaker_recognition'] as
    { status?: string; speakers?: readonly SpeakerWithEmbedding[] } | undefined;
  if (section?.status !== 'ok') return [];
  return (section.speakers ?? []).flatMap((s) =>
    s.embedding && Array.isArray(s.embedding.vector) && s.embedding.vector.length > 0
      ? [
          {
            recordingSha256: sha256,
            taskId: report.task_id ?? null,
            sourceName: report.source.file_name,
            speakerLabel: s.id,
            model: s.embedding.model,
            vector: s.embedding.vector,
            talkTimeSec: s.talk_time_sec ?? null,
          },
        ]
      : [],
  );
}

/**
 * The best confirmed voice for `v` (another voice of the same model), with its score.
 * @param rejected - names (lower-case) a person rejected for `v`: never proposed again.
 */
export function bestConfirmedMatch(
  v: StoredVoice,
  confirmed: readonly StoredVoice[],
  rejected: ReadonlySet<string> = new Set(),
): { voice: StoredVoice; score: number; cosine: number } | undefined {
  const cal = calibrationFor(v.model);
  let best: { voice: StoredVoice; score: number; cosine: number } | undefined;
  for (const c of confirmed) {
    if (c.id === v.id || c.model !== v.model) continue;
    if (c.name !== null && rejected.has(c.name.toLowerCase())) continue;
    // Two speakers of one recording are different people by the diarization's own account.
    if (c.recordingSha256 === v.recordingSha256) continue;
    const cosine = cosineSimilarity(v.vector, c.vector);
    const score = calibratedScore(cosine, cal);
    if (!best || score > best.score) best = { voice: c, score, cosine };
  }
  return best;
}

/**
 * Re-proposes names for every voice of `model` that no person named: the best matching
 * confirmed voice's name (other than names a person rejected for that voice) when its calibrated
 * score reaches SUGGESTION_MIN_SCORE, else none.
 */
export async function refreshSuggestions(store: Store, model: string): Promise<number> {
  const voices = await store.voices.listByModel(model);
  const confirmed = voices.filter((v) => v.nameStatus === 'confirmed');
  const rejections = await store.voices.rejectionsByModel(model);
  let suggested = 0;
  for (const v of voices) {
    if (v.nameStatus === 'confirmed') continue;
    const best = bestConfirmedMatch(v, confirmed, rejections.get(v.id));
    if (best && best.score >= SUGGESTION_MIN_SCORE) {
      suggested++;
      const score = Math.round(best.score * 1000) / 1000;
      if (v.name === best.voice.name && v.nameScore === score) continue;
      await store.voices.setName(v.id, {
        name: best.voice.name,
        status: 'suggested',
        score,
        fromVoiceId: best.voice.id,
      });
    } else if (v.nameStatus === 'suggested') {
      await store.voices.setName(v.id, { name: null, status: null });
    }
  }
  return suggested;
}

/** Stores a report's voices and proposes names for them. */
export async function storeVoices(store: Store, report: Report, sha256: string): Promise<void> {
  const voices = voicesOfReport(report, sha256);
  if (voices.length === 0) return;
  await store.voices.addAll(voices);
  for (const model of new Set(voices.map((v) => v.model))) await refreshSuggestions(store, model);
}
