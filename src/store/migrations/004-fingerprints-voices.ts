/**
 * Issue 12: audio fingerprints per recording (by content sha256) and the inverted index of their
 * triplet hashes (`fingerprint_postings`, one row per triplet, B-tree on hash: a query reads
 * only the postings of its own hashes, whatever the number of recordings); and voiceprints: the
 * speaker embedding of every diarized speaker, with the name a person gave it (confirmed) or the
 * name Sonoteca proposes for it (suggested, with a calibrated score).
 */
import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const migration004: Migration = {
  async up(db: AnyDb): Promise<void> {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('fingerprints')
      .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
        pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('sha256', 'text', (c) => c.notNull().unique())
      .addColumn('task_id', 'text')
      .addColumn('source_name', 'text')
      .addColumn('duration_sec', 'double precision', (c) => c.notNull())
      .addColumn('pcm_md5', 'text')
      .addColumn('encoding', 'text', (c) => c.notNull())
      .addColumn('hash_count', 'integer', (c) => c.notNull())
      .addColumn('data', pg ? 'bytea' : 'blob', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('fingerprints_task').on('fingerprints').column('task_id').execute();
    await db.schema
      .createIndex('fingerprints_pcm_md5')
      .on('fingerprints')
      .column('pcm_md5')
      .execute();

    await db.schema
      .createTable('fingerprint_postings')
      .addColumn('hash', 'integer', (c) => c.notNull())
      .addColumn('fingerprint_id', 'bigint', (c) =>
        c.notNull().references('fingerprints.id').onDelete('cascade'),
      )
      .addColumn('time_ms', 'integer', (c) => c.notNull())
      .addColumn('lf', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('fingerprint_postings_hash')
      .on('fingerprint_postings')
      .column('hash')
      .execute();
    await db.schema
      .createIndex('fingerprint_postings_fingerprint')
      .on('fingerprint_postings')
      .column('fingerprint_id')
      .execute();

    await db.schema
      .createTable('voices')
      .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
        pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('recording_sha256', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text')
      .addColumn('source_name', 'text')
      .addColumn('speaker_label', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('vector', pg ? 'bytea' : 'blob', (c) => c.notNull())
      .addColumn('talk_time_sec', 'double precision')
      .addColumn('name', 'text')
      .addColumn('name_status', 'text', (c) =>
        c.check(sql`name_status is null or name_status in ('confirmed', 'suggested')`),
      )
      .addColumn('name_score', 'double precision')
      .addColumn('name_from_voice_id', 'bigint')
      .addColumn('named_by', 'text')
      .addColumn('named_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('voices_speaker', ['recording_sha256', 'speaker_label', 'model'])
      .execute();
    await db.schema.createIndex('voices_model').on('voices').column('model').execute();
    await db.schema.createIndex('voices_name').on('voices').column('name').execute();
    await db.schema.createIndex('voices_task').on('voices').column('task_id').execute();
  },
  async down(db: AnyDb): Promise<void> {
    await db.schema.dropTable('voices').execute();
    await db.schema.dropTable('fingerprint_postings').execute();
    await db.schema.dropTable('fingerprints').execute();
  },
};
