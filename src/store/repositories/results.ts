/** Analysis results, unique by content: (sha256, processing_type, analyzers_key). */
import type { Kysely, Selectable } from 'kysely';
import type {
  DatabaseSchema,
  NewResult,
  ResultsRepository,
  ResultsTable,
  StoredResult,
} from '../types.js';
import { affected, newId, nowIso } from './common.js';

function toResult(r: Selectable<ResultsTable>): StoredResult {
  return {
    id: r.id,
    taskId: r.task_id,
    sha256: r.sha256,
    processingType: r.processing_type,
    analyzersKey: r.analyzers_key,
    schemaVersion: r.schema_version,
    reportJson: r.report,
    createdAt: r.created_at,
  };
}

export function createResultsRepository(db: Kysely<DatabaseSchema>): ResultsRepository {
  const findByContent: ResultsRepository['findByContent'] = async (key) => {
    const r = await db
      .selectFrom('results')
      .selectAll()
      .where('sha256', '=', key.sha256)
      .where('processing_type', '=', key.processingType)
      .where('analyzers_key', '=', key.analyzersKey)
      .executeTakeFirst();
    return r ? toResult(r) : undefined;
  };

  return {
    async get(id) {
      const r = await db.selectFrom('results').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toResult(r) : undefined;
    },

    findByContent,

    async insertOrGet(n: NewResult): Promise<StoredResult> {
      // Two workers finishing identical audio at once: the first insert wins, the second reads it.
      await db
        .insertInto('results')
        .values({
          id: newId(),
          task_id: n.taskId,
          sha256: n.sha256,
          processing_type: n.processingType,
          analyzers_key: n.analyzersKey,
          schema_version: n.schemaVersion,
          report: n.reportJson,
          created_at: nowIso(),
        })
        .onConflict((oc) => oc.columns(['sha256', 'processing_type', 'analyzers_key']).doNothing())
        .execute();
      const r = await findByContent(n);
      if (!r) throw new Error('result vanished right after insert');
      return r;
    },

    async delete(id) {
      return affected(await db.deleteFrom('results').where('id', '=', id).executeTakeFirst()) > 0;
    },
  };
}
