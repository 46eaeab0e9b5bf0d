/** API keys for machine clients; only a hash of the secret is stored, found by its public prefix. */
import type { Kysely, Selectable } from 'kysely';
import type { ApiKey, ApiKeysRepository, ApiKeysTable, DatabaseSchema } from '../types.js';
import { affected, newId, nowIso } from './common.js';
import { checkRole } from './users.js';

function toApiKey(r: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    keyHash: r.key_hash,
    role: r.role,
    userId: r.user_id,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export function createApiKeysRepository(db: Kysely<DatabaseSchema>): ApiKeysRepository {
  return {
    async create(k) {
      const row = await db
        .insertInto('api_keys')
        .values({
          id: k.id ?? newId(),
          name: k.name,
          prefix: k.prefix,
          key_hash: k.keyHash,
          role: checkRole(k.role),
          user_id: k.userId ?? null,
          created_at: nowIso(),
          last_used_at: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toApiKey(row);
    },
    async get(id) {
      const r = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toApiKey(r) : undefined;
    },
    async findByPrefix(prefix) {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('prefix', '=', prefix)
        .where('revoked_at', 'is', null)
        .execute();
      return rows.map(toApiKey);
    },
    async list() {
      const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
      return rows.map(toApiKey);
    },
    async touch(id) {
      await db
        .updateTable('api_keys')
        .set({ last_used_at: nowIso() })
        .where('id', '=', id)
        .execute();
    },
    async revoke(id) {
      const r = await db
        .updateTable('api_keys')
        .set({ revoked_at: nowIso() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return affected(r) > 0;
    },
  };
}
