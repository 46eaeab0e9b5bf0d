/** Writes audit entries for a request's principal (who, what, which target, from which IP). */
import type { FastifyRequest } from 'fastify';
import type { JsonObject, Store } from '../store/types.js';

export async function audit(
  store: Store,
  req: FastifyRequest,
  action: string,
  target: { readonly type: string; readonly id: string | null },
  details?: JsonObject,
): Promise<void> {
  const p = req.principal;
  try {
    await store.audit.append({
      actor: p?.name ?? 'anonymous',
      actorKind: p === undefined ? 'system' : p.kind,
      action,
      targetType: target.type,
      targetId: target.id,
      details: details ?? null,
      ip: req.ip,
    });
  } catch (e) {
    // The action itself succeeded; a lost audit line is logged loudly rather than failing it.
    req.log.error({ err: e, action, target }, 'audit log write failed');
  }
}
