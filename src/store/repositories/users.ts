/** People who log in (JWT). Password hashes are produced by the service's KDF, never stored in clear. */
import type { Kysely, Selectable } from 'kysely';
import { SonoError } from '../../errors.js';
import type { DatabaseSchema, Role, User, UsersRepository, UsersTable } from '../types.js';
import { ROLES } from '../types.js';
import { affected, newId, nowIso } from './common.js';

function toUser(r: Selectable<UsersTable>): User {
  return {
    id: r.id,
    username: r.username,
    passwordHash: r.password_hash,
    role: r.role,
    createdAt: r.created_at,
    disabled: r.disabled !== 0,
  };
}

export function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'role',
      detail: `${JSON.stringify(role)} is not one of ${ROLES.join(', ')}`,
    });
  }
  return role as Role;
}

export function createUsersRepository(db: Kysely<DatabaseSchema>): UsersRepository {
  return {
    async create(u) {
      const row = await db
        .insertInto('users')
        .values({
          id: u.id ?? newId(),
          username: u.username,
          password_hash: u.passwordHash,
          role: checkRole(u.role),
          created_at: nowIso(),
          disabled: 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    },
    async get(id) {
      const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toUser(r) : undefined;
    },
    async getByUsername(username) {
      const r = await db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      return r ? toUser(r) : undefined;
    },
    async list() {
      const rows = await db.selectFrom('users').selectAll().orderBy('username').execute();
      return rows.map(toUser);
    },
    async count() {
      const r = await db
        .selectFrom('users')
        .select(db.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async update(id, patch) {
      const set: Partial<Selectable<UsersTable>> = {};
      if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
      if (patch.role !== undefined) set.role = checkRole(patch.role);
      if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
      if (Object.keys(set).length === 0) {
        const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
        return r ? toUser(r) : undefined;
      }
      const r = await db
        .updateTable('users')
        .set(set)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return r ? toUser(r) : undefined;
    },
    async delete(id) {
      return affected(await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()) > 0;
    },
  };
}
