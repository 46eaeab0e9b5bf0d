/** Append-only audit log: who submitted, edited, exported or deleted what. */
import type { Kysely, Selectable } from 'kysely';
import type { AuditEntry, AuditLogTable, AuditRepository, DatabaseSchema } from '../types.js';
import { checkLimit, decodeCursor, encodeCursor, nowIso, parseJson, toJson } from './common.js';

function toEntry(r: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    actorKind: r.actor_kind,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    details: parseJson<Record<string, unknown>>(r.details),
    ip: r.ip,
  };
}

export function createAuditRepository(db: Kysely<DatabaseSchema>): AuditRepository {
  return {
    async append(e) {
      const row = await db
        .insertInto('audit_log')
        .values({
          at: nowIso(),
          actor: e.actor,
          actor_kind: e.actorKind,
          action: e.action,
          target_type: e.targetType ?? null,
          target_id: e.targetId ?? null,
          details: toJson(e.details),
          ip: e.ip ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEntry(row);
    },
    async list(f = {}) {
      const limit = checkLimit(f.limit, 100);
      let q = db.selectFrom('audit_log').selectAll();
      if (f.actor !== undefined) q = q.where('actor', '=', f.actor);
      if (f.action !== undefined) q = q.where('action', '=', f.action);
      if (f.targetType !== undefined) q = q.where('target_type', '=', f.targetType);
      if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
      if (f.cursor !== undefined) q = q.where('id', '<', Number(decodeCursor(f.cursor, 1)[0]));
      const rows = await q
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toEntry);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
    },
  };
}
