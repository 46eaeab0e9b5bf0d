/** Batches: several tasks submitted together (their tasks carry `batch_id`). */
import type { Kysely, Selectable } from 'kysely';
import type { Batch, BatchesRepository, BatchesTable, DatabaseSchema } from '../types.js';
import { newId, nowIso } from './common.js';

function toBatch(r: Selectable<BatchesTable>): Batch {
  return {
    id: r.id,
    submittedBy: r.submitted_by,
    processingType: r.processing_type,
    taskCount: r.task_count,
    label: r.label,
    createdAt: r.created_at,
  };
}

export function createBatchesRepository(db: Kysely<DatabaseSchema>): BatchesRepository {
  return {
    async create(b) {
      const row = await db
        .insertInto('batches')
        .values({
          id: b.id ?? newId(),
          submitted_by: b.submittedBy ?? null,
          processing_type: b.processingType ?? null,
          task_count: b.taskCount,
          label: b.label ?? null,
          created_at: nowIso(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toBatch(row);
    },
    async get(id) {
      const r = await db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toBatch(r) : undefined;
    },
    async delete(id) {
      const r = await db.deleteFrom('batches').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
