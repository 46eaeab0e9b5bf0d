/** Audio fingerprints by content and their inverted index of triplet hashes (migration 004). */
import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import { HASH_BITS } from '../../dsp/triplet-hash.js';
import type {
  DatabaseSchema,
  FingerprintsRepository,
  FingerprintsTable,
  NewFingerprint,
  StoredFingerprint,
} from '../types.js';
import { affected, nowIso } from './common.js';

/** Rows per INSERT: under SQLite's bound-parameter limit. */
const INSERT_ROWS = 2000;

function toFingerprint(r: Selectable<FingerprintsTable>): StoredFingerprint {
  return {
    id: Number(r.id),
    sha256: r.sha256,
    taskId: r.task_id,
    sourceName: r.source_name,
    durationSec: Number(r.duration_sec),
    pcmMd5: r.pcm_md5,
    encoding: r.encoding,
    hashCount: Number(r.hash_count),
    data: Buffer.from(r.data),
    createdAt: r.created_at,
  };
}

/** The postings of sonoteca-fp1 bytes: uint32 LE `hash | lf << 20`, uint32 LE time in ms. */
function postingsOf(data: Buffer, fingerprintId: number) {
  const rows: { hash: number; fingerprint_id: number; time_ms: number; lf: number }[] = [];
  for (let o = 0; o + 8 <= data.length; o += 8) {
    const w = data.readUInt32LE(o);
    rows.push({
      hash: w & ((1 << HASH_BITS) - 1),
      fingerprint_id: fingerprintId,
      time_ms: data.readUInt32LE(o + 4),
      lf: w >>> HASH_BITS,
    });
  }
  return rows;
}

export function createFingerprintsRepository(db: Kysely<DatabaseSchema>): FingerprintsRepository {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const findBySha256: FingerprintsRepository['findBySha256'] = async (sha256) => {
    const r = await db
      .selectFrom('fingerprints')
      .selectAll()
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return r ? toFingerprint(r) : undefined;
  };

  return {
    async put(n: NewFingerprint): Promise<StoredFingerprint> {
      const existing = await findBySha256(n.sha256);
      // The same content again (another task, a re-analysis): the first fingerprint stays.
      if (existing) return existing;
      await db.transaction().execute(async (trx) => {
        // Two workers finishing the same content at once: the first insert wins.
        const inserted = await trx
          .insertInto('fingerprints')
          .values({
            sha256: n.sha256,
            task_id: n.taskId,
            source_name: n.sourceName,
            duration_sec: n.durationSec,
            pcm_md5: n.pcmMd5,
            encoding: n.encoding,
            hash_count: Math.floor(n.data.length / 8),
            data: n.data,
            created_at: nowIso(),
          })
          .onConflict((oc) => oc.column('sha256').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) return;
        const rows = postingsOf(n.data, Number(inserted.id));
        for (let i = 0; i < rows.length; i += INSERT_ROWS) {
          await trx
            .insertInto('fingerprint_postings')
            .values(rows.slice(i, i + INSERT_ROWS))
            .execute();
        }
      });
      const r = await findBySha256(n.sha256);
      if (!r) throw new Error('fingerprint vanished right after insert');
      return r;
    },

    async get(id) {
      const r = await db
        .selectFrom('fingerprints')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return r ? toFingerprint(r) : undefined;
    },

    findBySha256,

    async findByTask(taskId) {
      const r = await db
        .selectFrom('fingerprints')
        .selectAll()
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      return r ? toFingerprint(r) : undefined;
    },

    async findByPcmMd5(pcmMd5) {
      const rows = await db
        .selectFrom('fingerprints')
        .selectAll()
        .where('pcm_md5', '=', pcmMd5)
        .orderBy('id')
        .execute();
      return rows.map(toFingerprint);
    },

    async lookup(hashes) {
      const unique = [...new Set(hashes)];
      if (unique.length === 0) return [];
      // One statement whatever the number of hashes: the list travels as one parameter (a JSON
      // array on SQLite, an int[] on PostgreSQL) instead of IN lists of 900 bound parameters,
      // and the covering index (migration 005) answers it without table lookups.
      const list = pg
        ? sql<boolean>`hash = any(${unique}::int[])`
        : sql<boolean>`hash in (select value from json_each(${JSON.stringify(unique)}))`;
      const rows = await db
        .selectFrom('fingerprint_postings')
        .select(['hash', 'fingerprint_id', 'time_ms', 'lf'])
        .where(list)
        .execute();
      return rows.map((r) => ({
        hash: Number(r.hash),
        fingerprintId: Number(r.fingerprint_id),
        timeMs: Number(r.time_ms),
        lf: Number(r.lf),
      }));
    },

    async delete(id) {
      // Postings first: SQLite enforces the cascade only with foreign keys on.
      await db.deleteFrom('fingerprint_postings').where('fingerprint_id', '=', id).execute();
      return (
        affected(await db.deleteFrom('fingerprints').where('id', '=', id).executeTakeFirst()) > 0
      );
    },

    async count() {
      const r = await db
        .selectFrom('fingerprints')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
