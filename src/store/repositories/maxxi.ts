/** MAXXI delivery state per task (package written, webhook attempts, MAXXI's archive state). */
import type { Kysely, Selectable } from 'kysely';
import { SonoError } from '../../errors.js';
import type {
  DatabaseSchema,
  MaxxiDeliveriesTable,
  MaxxiDelivery,
  MaxxiRepository,
} from '../types.js';
import { checkLimit, nowIso } from './common.js';

function toDelivery(r: Selectable<MaxxiDeliveriesTable>): MaxxiDelivery {
  return {
    taskId: r.task_id,
    state: r.state,
    externalState: r.external_state,
    deliveredAt: r.delivered_at,
    webhookAttempts: r.webhook_attempts,
    lastError: r.last_error,
    updatedAt: r.updated_at,
  };
}

export function createMaxxiRepository(db: Kysely<DatabaseSchema>): MaxxiRepository {
  const get = async (taskId: string): Promise<MaxxiDelivery | undefined> => {
    const r = await db
      .selectFrom('maxxi_deliveries')
      .selectAll()
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    return r ? toDelivery(r) : undefined;
  };
  return {
    get,
    async upsert(taskId, p) {
      const now = nowIso();
      const set: Partial<Selectable<MaxxiDeliveriesTable>> = { updated_at: now };
      if (p.state !== undefined) set.state = p.state;
      if (p.externalState !== undefined) set.external_state = p.externalState;
      if (p.deliveredAt !== undefined) set.delivered_at = p.deliveredAt;
      if (p.webhookAttempts !== undefined) set.webhook_attempts = p.webhookAttempts;
      if (p.lastError !== undefined) set.last_error = p.lastError;
      if (p.state === undefined && !(await get(taskId))) {
        throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
          name: 'state',
          detail: `required to create the delivery row of task ${taskId}`,
        });
      }
      const row = await db
        .insertInto('maxxi_deliveries')
        .values({
          task_id: taskId,
          state: p.state ?? '',
          external_state: p.externalState ?? null,
          delivered_at: p.deliveredAt ?? null,
          webhook_attempts: p.webhookAttempts ?? 0,
          last_error: p.lastError ?? null,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('task_id').doUpdateSet(set))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toDelivery(row);
    },
    async list(f = {}) {
      let q = db.selectFrom('maxxi_deliveries').selectAll();
      if (f.state !== undefined) q = q.where('state', '=', f.state);
      const rows = await q.orderBy('updated_at', 'desc').limit(checkLimit(f.limit, 100)).execute();
      return rows.map(toDelivery);
    },
  };
}
