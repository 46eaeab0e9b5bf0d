/**
 * Issue 12, second round: `voice_name_rejections` — a name a person rejected for a voice is never
 * proposed for that voice again (any number of names per voice) — and a covering index on the
 * fingerprint postings (hash, fingerprint id, time, lf): a duplicate query then reads its
 * postings from the index alone, in hash order, without a table lookup per posting (the
 * 10,000-recording query went from ~100 ms to the figure in docs/BENCHMARKS.md). The old
 * hash-only index is a prefix of the new one and is dropped.
 */
import { PostgresAdapter, type Kysely, type Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const migration005: Migration = {
  async up(db: AnyDb): Promise<void> {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('voice_name_rejections')
      .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
        pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('voice_id', 'bigint', (c) =>
        c.notNull().references('voices.id').onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('rejected_by', 'text')
      .addColumn('rejected_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('voice_name_rejections_voice_name', ['voice_id', 'name'])
      .execute();

    await db.schema
      .createIndex('fingerprint_postings_cover')
      .on('fingerprint_postings')
      .columns(['hash', 'fingerprint_id', 'time_ms', 'lf'])
      .execute();
    await db.schema.dropIndex('fingerprint_postings_hash').execute();
  },
  async down(db: AnyDb): Promise<void> {
    await db.schema
      .createIndex('fingerprint_postings_hash')
      .on('fingerprint_postings')
      .column('hash')
      .execute();
    await db.schema.dropIndex('fingerprint_postings_cover').execute();
    await db.schema.dropTable('voice_name_rejections').execute();
  },
};
