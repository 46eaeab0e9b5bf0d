/** Reviewer corrections (versioned, append-only) and the per-task review summaries. */
import { sql, type Kysely, type SelectQueryBuilder, type Selectable } from 'kysely';
import { SonoError } from '../../errors.js';
import type {
  CollectionItem,
  Correction,
  CorrectionsTable,
  DatabaseSchema,
  JsonObject,
  ReviewsRepository,
  TaskReview,
  TaskReviewsTable,
} from '../types.js';
import { checkLimit, nowIso } from './common.js';
import { toTask } from './tasks.js';

function toCorrection(r: Selectable<CorrectionsTable>): Correction {
  return {
    id: Number(r.id),
    taskId: r.task_id,
    version: Number(r.version),
    kind: r.kind,
    op: JSON.parse(r.op) as JsonObject,
    actor: r.actor,
    createdAt: r.created_at,
  };
}

function toReview(r: Selectable<TaskReviewsTable>): TaskReview {
  return {
    taskId: r.task_id,
    resultId: r.result_id,
    category: r.category,
    categoryUncertain: Number(r.category_uncertain) === 1,
    qcVerdict: r.qc_verdict,
    speakers: r.speakers === null ? null : Number(r.speakers),
    reasons: JSON.parse(r.reasons) as string[],
    priorityScore: Number(r.priority_score),
    version: Number(r.version),
    reviewed: Number(r.reviewed) === 1,
    reviewedBy: r.reviewed_by,
    reviewedAt: r.reviewed_at,
    updatedAt: r.updated_at,
  };
}

const REVIEW_COLUMNS = [
  'task_id',
  'result_id',
  'category',
  'category_uncertain',
  'qc_verdict',
  'speakers',
  'reasons',
  'priority_score',
  'version',
  'reviewed',
  'reviewed_by',
  'reviewed_at',
  'updated_at',
] as const;

const SORT_COLUMNS = {
  created_at: 'tasks.created_at',
  file_name: 'tasks.original_name',
  duration: 'tasks.duration_sec',
  status: 'tasks.status',
  category: 'task_reviews.category',
} as const;

/** LIKE pattern of a literal substring (`\` escapes, the same in SQLite and PostgreSQL). */
function likeContains(s: string): string {
  return `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type JoinedQuery = SelectQueryBuilder<
  DatabaseSchema & { task_reviews: TaskReviewsTable },
  'tasks' | 'task_reviews',
  object
>;

export function createReviewsRepository(db: Kysely<DatabaseSchema>): ReviewsRepository {
  const joined = () =>
    db.selectFrom('tasks').leftJoin('task_reviews', 'task_reviews.task_id', 'tasks.id');

  const rows = async (q: JoinedQuery): Promise<CollectionItem[]> => {
    const rs = await q
      .selectAll('tasks')
      .select(REVIEW_COLUMNS.map((c) => `task_reviews.${c} as r_${c}` as const))
      .execute();
    return rs.map((r) => {
      const rec = r as unknown as Record<string, unknown>;
      const review: Record<string, unknown> = {};
      for (const c of REVIEW_COLUMNS) review[c] = rec[`r_${c}`];
      return {
        task: toTask(r as unknown as Parameters<typeof toTask>[0]),
        review:
          review['task_id'] === null || review['task_id'] === undefined
            ? null
            : toReview(review as unknown as Selectable<TaskReviewsTable>),
      };
    });
  };

  const total = async (q: JoinedQuery): Promise<number> => {
    const r = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  };

  return {
    async appendCorrection(c) {
      try {
        const row = await db
          .insertInto('corrections')
          .values({
            task_id: c.taskId,
            version: c.expectedVersion + 1,
            kind: c.kind,
            op: JSON.stringify(c.op),
            actor: c.actor,
            created_at: nowIso(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toCorrection(row);
      } catch (e) {
        if (/unique|duplicate/i.test(String((e as Error).message)))
          throw new SonoError('SONO_ERR_CONFLICT', {
            detail: `task ${c.taskId} already has version ${c.expectedVersion + 1}: reload and retry`,
          });
        throw e;
      }
    },

    async listCorrections(taskId) {
      const rs = await db
        .selectFrom('corrections')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('version', 'asc')
        .execute();
      return rs.map(toCorrection);
    },

    async listCorrectionsByKind(kinds) {
      if (kinds.length === 0) return [];
      const rs = await db
        .selectFrom('corrections')
        .selectAll()
        .where('kind', 'in', [...kinds])
        .orderBy('id', 'asc')
        .execute();
      return rs.map(toCorrection);
    },

    async getSummary(taskId) {
      const r = await db
        .selectFrom('task_reviews')
        .selectAll()
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      return r ? toReview(r) : undefined;
    },

    async upsertSummary(s) {
      const row = {
        task_id: s.taskId,
        result_id: s.resultId,
        category: s.category,
        category_uncertain: s.categoryUncertain ? 1 : 0,
        qc_verdict: s.qcVerdict,
        speakers: s.speakers,
        reasons: JSON.stringify(s.reasons),
        priority_score: s.priorityScore,
        version: s.version,
        reviewed: s.reviewed ? 1 : 0,
        reviewed_by: s.reviewedBy,
        reviewed_at: s.reviewedAt,
        updated_at: nowIso(),
      };
      const { task_id: _id, ...rest } = row;
      void _id;
      const r = await db
        .insertInto('task_reviews')
        .values(row)
        .onConflict((oc) => oc.column('task_id').doUpdateSet(rest))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toReview(r);
    },

    async listUnsummarized(limit) {
      const rs = await joined()
        .selectAll('tasks')
        .where('tasks.status', 'in', ['completed', 'failed'])
        .where((eb) =>
          eb.or([
            eb('task_reviews.task_id', 'is', null),
            eb('task_reviews.result_id', 'is distinct from', eb.ref('tasks.result_id')),
          ]),
        )
        .orderBy('tasks.created_at', 'asc')
        .limit(checkLimit(limit, 200))
        .execute();
      return rs.map((r) => toTask(r));
    },

    async listCollection(f = {}) {
      const limit = checkLimit(f.limit, 50);
      const offset = f.offset ?? 0;
      if (!Number.isInteger(offset) || offset < 0)
        throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
          name: 'offset',
          detail: `${offset} is not a non-negative integer`,
        });
      let q = joined() as unknown as JoinedQuery;
      if (f.search !== undefined && f.search !== '')
        q = q.where(
          sql<boolean>`lower(tasks.original_name) like ${likeContains(f.search)} escape '\\'`,
        );
      if (f.status !== undefined && f.status.length > 0)
        q = q.where('tasks.status', 'in', [...f.status]);
      if (f.category !== undefined) q = q.where('task_reviews.category', '=', f.category);
      if (f.qcVerdict !== undefined) q = q.where('task_reviews.qc_verdict', '=', f.qcVerdict);
      if (f.reviewed !== undefined)
        q = f.reviewed
          ? q.where('task_reviews.reviewed', '=', 1)
          : q.where((eb) =>
              eb.or([eb('task_reviews.reviewed', '=', 0), eb('task_reviews.reviewed', 'is', null)]),
            );
      if (f.uncertain !== undefined)
        q = q.where('task_reviews.category_uncertain', '=', f.uncertain ? 1 : 0);
      if (f.batchId !== undefined) q = q.where('tasks.batch_id', '=', f.batchId);
      const order = f.order ?? 'desc';
      const col = SORT_COLUMNS[f.sort ?? 'created_at'];
      const page = q.orderBy(col, order).orderBy('tasks.id', order).limit(limit).offset(offset);
      return { items: await rows(page), total: await total(q) };
    },

    async listQueue(opts) {
      const limit = checkLimit(opts.limit, 50);
      let q = (joined() as unknown as JoinedQuery)
        .where('task_reviews.reviewed', '=', 0)
        .where('task_reviews.reasons', '!=', '[]');
      if (opts.reason !== undefined)
        q = q.where('task_reviews.reasons', 'like', likeContains(`"${opts.reason}"`));
      const page = q
        .orderBy('task_reviews.priority_score', 'desc')
        .orderBy('tasks.created_at', 'desc')
        .orderBy('tasks.id', 'desc')
        .limit(limit)
        .offset(opts.offset ?? 0);
      return { items: await rows(page), total: await total(q) };
    },

    async countCategories() {
      const rs = await db
        .selectFrom('task_reviews')
        .select(['category', (eb) => eb.fn.countAll<number>().as('n')])
        .where('category', 'is not', null)
        .groupBy('category')
        .execute();
      return Object.fromEntries(rs.map((r) => [r.category!, Number(r.n)]));
    },

    async countReasons() {
      const rs = await db
        .selectFrom('task_reviews')
        .select('reasons')
        .where('reviewed', '=', 0)
        .execute();
      const counts: Record<string, number> = {};
      for (const r of rs)
        for (const reason of JSON.parse(r.reasons) as string[])
          counts[reason] = (counts[reason] ?? 0) + 1;
      return counts;
    },
  };
}
