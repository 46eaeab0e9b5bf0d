/** Tasks: one submitted recording and its processing state. */
import type { Kysely, Selectable } from 'kysely';
import { SonoError } from '../../errors.js';
import type {
  DatabaseSchema,
  NewTask,
  Page,
  Task,
  TaskFilter,
  TasksRepository,
  TasksTable,
  TaskStatus,
} from '../types.js';
import { TASK_STATUSES } from '../types.js';
import {
  affected,
  checkLimit,
  decodeCursor,
  encodeCursor,
  newId,
  nowIso,
  parseJson,
  toJson,
} from './common.js';

export function toTask(r: Selectable<TasksTable>): Task {
  return {
    id: r.id,
    batchId: r.batch_id,
    status: r.status,
    processingType: r.processing_type,
    priority: r.priority,
    progress: r.progress,
    sourcePath: r.source_path,
    originalName: r.original_name,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    mime: r.mime,
    submittedBy: r.submitted_by,
    resultId: r.result_id,
    cachedFromTaskId: r.cached_from_task_id,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    attempts: r.attempts,
    externalIds: parseJson<Record<string, string>>(r.external_ids),
    options: parseJson<Record<string, unknown>>(r.options),
    durationSec: r.duration_sec,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    processingTimeSec: r.processing_time_sec,
  };
}

const ACTIVE: readonly TaskStatus[] = ['queued', 'processing'];

export function createTasksRepository(db: Kysely<DatabaseSchema>): TasksRepository {
  const get = async (id: string): Promise<Task | undefined> => {
    const r = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toTask(r) : undefined;
  };

  return {
    async create(t: NewTask): Promise<Task> {
      if (t.priority !== undefined && !Number.isInteger(t.priority)) {
        throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
          name: 'priority',
          detail: `${t.priority} is not an integer`,
        });
      }
      const now = nowIso();
      const row = await db
        .insertInto('tasks')
        .values({
          id: t.id ?? newId(),
          batch_id: t.batchId ?? null,
          status: 'queued',
          processing_type: t.processingType,
          priority: t.priority ?? 0,
          progress: 0,
          source_path: t.sourcePath,
          original_name: t.originalName ?? null,
          size_bytes: t.sizeBytes ?? null,
          sha256: t.sha256 ?? null,
          mime: t.mime ?? null,
          submitted_by: t.submittedBy ?? null,
          result_id: null,
          cached_from_task_id: null,
          error_code: null,
          error_message: null,
          attempts: 0,
          external_ids: toJson(t.externalIds),
          options: toJson(t.options),
          duration_sec: null,
          created_at: now,
          updated_at: now,
          started_at: null,
          completed_at: null,
          processing_time_sec: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toTask(row);
    },

    get,

    async list(f: TaskFilter = {}): Promise<Page<Task>> {
      const limit = checkLimit(f.limit, 50);
      let q = db.selectFrom('tasks').selectAll();
      if (f.status !== undefined) {
        const statuses = typeof f.status === 'string' ? [f.status] : f.status;
        for (const s of statuses) {
          if (!TASK_STATUSES.includes(s)) {
            throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
              name: 'status',
              detail: `unknown status ${JSON.stringify(s)}`,
            });
          }
        }
        if (statuses.length === 0) return { items: [], nextCursor: null };
        q = q.where('status', 'in', statuses);
      }
      if (f.processingType !== undefined) q = q.where('processing_type', '=', f.processingType);
      if (f.batchId !== undefined) q = q.where('batch_id', '=', f.batchId);
      if (f.submittedBy !== undefined) q = q.where('submitted_by', '=', f.submittedBy);
      if (f.createdFrom !== undefined) q = q.where('created_at', '>=', f.createdFrom);
      if (f.createdTo !== undefined) q = q.where('created_at', '<', f.createdTo);
      if (f.cursor !== undefined) {
        const [at, id] = decodeCursor(f.cursor, 2).map(String) as [string, string];
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', at),
            eb.and([eb('created_at', '=', at), eb('id', '<', id)]),
          ]),
        );
      }
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toTask);
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
      };
    },

    async countByStatus(): Promise<Readonly<Record<TaskStatus, number>>> {
      const rows = await db
        .selectFrom('tasks')
        .select(['status', db.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const out: Record<TaskStatus, number> = {
        queued: 0,
        processing: 0,
        completed: 0,
        failed: 0,
        cancelled: 0,
      };
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },

    async markProcessing(id: string, attempt: number): Promise<Task | undefined> {
      const now = nowIso();
      const row = await db
        .updateTable('tasks')
        .set((eb) => ({
          status: 'processing',
          attempts: attempt,
          started_at: eb.fn.coalesce('started_at', eb.val(now)),
          updated_at: now,
          error_code: null,
          error_message: null,
        }))
        .where('id', '=', id)
        .where('status', 'in', ACTIVE)
        .returningAll()
        .executeTakeFirst();
      return row ? toTask(row) : undefined;
    },

    async setProgress(id: string, fraction: number): Promise<void> {
      const p = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
      await db
        .updateTable('tasks')
        .set({ progress: p, updated_at: nowIso() })
        .where('id', '=', id)
        .where('status', '=', 'processing')
        .execute();
    },

    async markCompleted(id, done): Promise<boolean> {
      const now = nowIso();
      const r = await db
        .updateTable('tasks')
        .set({
          status: 'completed',
          progress: 1,
          result_id: done.resultId,
          cached_from_task_id: done.cachedFromTaskId ?? null,
          processing_time_sec: done.processingTimeSec,
          ...(done.durationSec !== undefined ? { duration_sec: done.durationSec } : {}),
          ...(done.sha256 !== undefined ? { sha256: done.sha256 } : {}),
          error_code: null,
          error_message: null,
          completed_at: now,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('status', 'in', ACTIVE)
        .executeTakeFirst();
      return affected(r) > 0;
    },

    async markFailed(id, error): Promise<boolean> {
      const now = nowIso();
      const r = await db
        .updateTable('tasks')
        .set({
          status: 'failed',
          error_code: error.code,
          error_message: error.message,
          completed_at: now,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('status', 'in', ACTIVE)
        .executeTakeFirst();
      return affected(r) > 0;
    },

    async markQueued(id: string): Promise<boolean> {
      const r = await db
        .updateTable('tasks')
        .set({ status: 'queued', updated_at: nowIso() })
        .where('id', '=', id)
        .where('status', '=', 'processing')
        .executeTakeFirst();
      return affected(r) > 0;
    },

    async markCancelled(id: string): Promise<boolean> {
      const now = nowIso();
      const r = await db
        .updateTable('tasks')
        .set({ status: 'cancelled', completed_at: now, updated_at: now })
        .where('id', '=', id)
        .where('status', 'in', ACTIVE)
        .executeTakeFirst();
      return affected(r) > 0;
    },

    async update(id, patch): Promise<Task | undefined> {
      const set: Partial<Selectable<TasksTable>> = { updated_at: nowIso() };
      if (patch.externalIds !== undefined) set.external_ids = toJson(patch.externalIds);
      if (patch.priority !== undefined) set.priority = patch.priority;
      if (patch.sha256 !== undefined) set.sha256 = patch.sha256;
      if (patch.mime !== undefined) set.mime = patch.mime;
      if (patch.sizeBytes !== undefined) set.size_bytes = patch.sizeBytes;
      const row = await db
        .updateTable('tasks')
        .set(set)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? toTask(row) : undefined;
    },

    async delete(id: string): Promise<boolean> {
      const r = await db.deleteFrom('tasks').where('id', '=', id).executeTakeFirst();
      return affected(r) > 0;
    },
  };
}
