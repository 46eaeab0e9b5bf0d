/** Voiceprints: the embedding of every diarized speaker, with its confirmed or suggested name. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  DatabaseSchema,
  NewVoice,
  StoredVoice,
  VoicesRepository,
  VoicesTable,
} from '../types.js';
import { affected, nowIso } from './common.js';

function vectorBytes(v: readonly number[]): Buffer {
  const b = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => b.writeFloatLE(x, i * 4));
  return b;
}

function toVoice(r: Selectable<VoicesTable>): StoredVoice {
  const bytes = Buffer.from(r.vector);
  const vector = new Float32Array(bytes.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return {
    id: Number(r.id),
    recordingSha256: r.recording_sha256,
    taskId: r.task_id,
    sourceName: r.source_name,
    speakerLabel: r.speaker_label,
    model: r.model,
    vector,
    talkTimeSec: r.talk_time_sec === null ? null : Number(r.talk_time_sec),
    name: r.name,
    nameStatus: r.name_status,
    nameScore: r.name_score === null ? null : Number(r.name_score),
    nameFromVoiceId: r.name_from_voice_id === null ? null : Number(r.name_from_voice_id),
    namedBy: r.named_by,
    namedAt: r.named_at,
  };
}

export function createVoicesRepository(db: Kysely<DatabaseSchema>): VoicesRepository {
  const listByRecording: VoicesRepository['listByRecording'] = async (sha) =>
    (
      await db
        .selectFrom('voices')
        .selectAll()
        .where('recording_sha256', '=', sha)
        .orderBy('speaker_label')
        .orderBy('model')
        .execute()
    ).map(toVoice);

  return {
    async addAll(voices: readonly NewVoice[]) {
      const created = nowIso();
      for (const v of voices) {
        await db
          .insertInto('voices')
          .values({
            recording_sha256: v.recordingSha256,
            task_id: v.taskId,
            source_name: v.sourceName,
            speaker_label: v.speakerLabel,
            model: v.model,
            vector: vectorBytes(v.vector),
            talk_time_sec: v.talkTimeSec,
            name: null,
            name_status: null,
            name_score: null,
            name_from_voice_id: null,
            named_by: null,
            named_at: null,
            created_at: created,
          })
          .onConflict((oc) =>
            oc.columns(['recording_sha256', 'speaker_label', 'model']).doNothing(),
          )
          .execute();
      }
      const shas = [...new Set(voices.map((v) => v.recordingSha256))];
      const out: StoredVoice[] = [];
      for (const sha of shas) out.push(...(await listByRecording(sha)));
      return out;
    },

    async get(id) {
      const r = await db.selectFrom('voices').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toVoice(r) : undefined;
    },

    listByRecording,

    async listByModel(model) {
      return (
        await db.selectFrom('voices').selectAll().where('model', '=', model).orderBy('id').execute()
      ).map(toVoice);
    },

    async listByName(name) {
      return (
        await db
          .selectFrom('voices')
          .selectAll()
          .where(sql<string>`lower(name)`, '=', name.toLowerCase())
          .orderBy('id')
          .execute()
      ).map(toVoice);
    },

    async setName(id, n) {
      const r = await db
        .updateTable('voices')
        .set({
          name: n.name,
          name_status: n.status,
          name_score: n.score ?? null,
          name_from_voice_id: n.fromVoiceId ?? null,
          named_by: n.by ?? null,
          named_at: n.name === null ? null : nowIso(),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return affected(r) > 0;
    },

    async rejectName(id, name, by) {
      await db
        .insertInto('voice_name_rejections')
        .values({ voice_id: id, name, rejected_by: by, rejected_at: nowIso() })
        .onConflict((oc) => oc.columns(['voice_id', 'name']).doNothing())
        .execute();
    },

    async rejectionsByModel(model) {
      const rows = await db
        .selectFrom('voice_name_rejections as r')
        .innerJoin('voices as v', 'v.id', 'r.voice_id')
        .select(['r.voice_id', 'r.name'])
        .where('v.model', '=', model)
        .execute();
      const out = new Map<number, Set<string>>();
      for (const r of rows) {
        const id = Number(r.voice_id);
        const set = out.get(id) ?? new Set<string>();
        set.add(r.name.toLowerCase());
        out.set(id, set);
      }
      return out;
    },
  };
}
