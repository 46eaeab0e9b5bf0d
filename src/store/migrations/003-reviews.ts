/**
 * Reviews (issue 11): `corrections` — every reviewer correction as a new numbered version of a
 * task's result (the machine result stays in `results`, version 0) — and `task_reviews`, one row
 * per analysed task with the headline fields the collection and the review queue filter and sort
 * on (category, uncertain flag, QC verdict, speakers, review reasons), so 10,000 tasks page in SQL.
 */
import { PostgresAdapter, type Kysely, type Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const migration003: Migration = {
  async up(db: AnyDb): Promise<void> {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    const serialType = pg ? 'bigserial' : 'integer';
    await db.schema
      .createTable('corrections')
      .addColumn('id', serialType, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      /** JSON: the correction as applied, with the values it replaced. */
      .addColumn('op', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('corrections_task_version', ['task_id', 'version'])
      .execute();
    await db.schema.createIndex('corrections_kind').on('corrections').column('kind').execute();

    await db.schema
      .createTable('task_reviews')
      .addColumn('task_id', 'text', (c) =>
        c.primaryKey().references('tasks.id').onDelete('cascade'),
      )
      /** The result the summary was computed from (recomputed when the task's result changes). */
      .addColumn('result_id', 'text')
      .addColumn('category', 'text')
      .addColumn('category_uncertain', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('qc_verdict', 'text')
      .addColumn('speakers', 'integer')
      /** JSON array of review reasons (codes). */
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('priority_score', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reviewed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reviewed_by', 'text')
      .addColumn('reviewed_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('task_reviews_queue')
      .on('task_reviews')
      .columns(['reviewed', 'priority_score'])
      .execute();
    await db.schema
      .createIndex('tasks_original_name')
      .on('tasks')
      .column('original_name')
      .execute();
  },

  async down(db: AnyDb): Promise<void> {
    await db.schema.dropIndex('tasks_original_name').ifExists().execute();
    await db.schema.dropTable('task_reviews').ifExists().execute();
    await db.schema.dropTable('corrections').ifExists().execute();
  },
};
