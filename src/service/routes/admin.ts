/** Admin endpoints: users, API keys (shown once at creation), and the audit log. */
import type { FastifyInstance } from 'fastify';
import { SonoError } from '../../errors.js';
import { ROLES, type Role } from '../../store/types.js';
import { generateApiKey } from '../auth/api-keys.js';
import { hashPassword } from '../auth/passwords.js';
import { audit } from '../audit.js';
import { SECURITY, type RouteContext } from '../context.js';
import { requireRole } from '../plugins/auth.js';

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    created_at: { type: 'string' },
    disabled: { type: 'boolean' },
  },
} as const;

const apiKeySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    prefix: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    created_at: { type: 'string' },
    last_used_at: { type: ['string', 'null'] },
    revoked_at: { type: ['string', 'null'] },
    key: { type: 'string', description: 'The secret key; returned only once, at creation' },
  },
} as const;

const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['id'],
} as const;

export function registerAdminRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const admin = requireRole('admin');
  const { store } = ctx;

  app.get(
    '/api/v1/users',
    {
      preHandler: admin,
      schema: {
        tags: ['admin'],
        security: SECURITY,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: userSchema } } },
        },
      },
    },
    async () => ({
      items: (await store.users.list()).map((u) => ({
        id: u.id,
        username: u.username,
        role: u.role,
        created_at: u.createdAt,
        disabled: u.disabled,
      })),
    }),
  );

  app.post<{ Body: { username: string; password: string; role: Role } }>(
    '/api/v1/users',
    {
      preHandler: admin,
      schema: {
        tags: ['admin'],
        security: SECURITY,
        body: {
          type: 'object',
          properties: {
            username: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{1,64}$' },
            password: { type: 'string', minLength: 12, maxLength: 1024 },
            role: { type: 'string', enum: ROLES },
          },
          required: ['username', 'password', 'role'],
          additionalProperties: false,
        },
        response: { 201: userSchema },
      },
    },
    async (req, reply) => {
      if ((await store.users.getByUsername(req.body.username)) !== undefined)
        throw new SonoError('SONO_ERR_CONFLICT', { detail: `user ${req.body.username} exists` });
      const u = await store.users.create({
        username: req.body.username,
        passwordHash: await hashPassword(req.body.password),
        role: req.body.role,
      });
      await audit(
        store,
        req,
        'user.created',
        { type: 'user', id: u.id },
        { username: u.username, role: u.role },
      );
      return reply.code(201).send({
        id: u.id,
        username: u.username,
        role: u.role,
        created_at: u.createdAt,
        disabled: u.disabled,
      });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/users/:id',
    { preHandler: admin, schema: { tags: ['admin'], security: SECURITY, params: idParams } },
    async (req, reply) => {
      if (req.principal?.kind === 'user' && req.principal.id === req.params.id)
        throw new SonoError('SONO_ERR_CONFLICT', { detail: 'an admin cannot delete itself' });
      if (!(await store.users.delete(req.params.id)))
        throw new SonoError('SONO_ERR_NOT_FOUND', { what: 'User', id: req.params.id });
      await audit(store, req, 'user.deleted', { type: 'user', id: req.params.id });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      preHandler: admin,
      schema: {
        tags: ['admin'],
        security: SECURITY,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: apiKeySchema } } },
        },
      },
    },
    async () => ({
      items: (await store.apiKeys.list()).map((k) => ({
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        role: k.role,
        created_at: k.createdAt,
        last_used_at: k.lastUsedAt,
        revoked_at: k.revokedAt,
      })),
    }),
  );

  app.post<{ Body: { name: string; role: Role } }>(
    '/api/v1/api-keys',
    {
      preHandler: admin,
      schema: {
        tags: ['admin'],
        security: SECURITY,
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 128 },
            role: { type: 'string', enum: ROLES },
          },
          required: ['name', 'role'],
          additionalProperties: false,
        },
        response: { 201: apiKeySchema },
      },
    },
    async (req, reply) => {
      const g = generateApiKey();
      const k = await store.apiKeys.create({
        name: req.body.name,
        prefix: g.prefix,
        keyHash: g.hash,
        role: req.body.role,
        userId: req.principal?.kind === 'user' ? req.principal.id : null,
      });
      await audit(
        store,
        req,
        'api_key.created',
        { type: 'api_key', id: k.id },
        { name: k.name, role: k.role },
      );
      return reply.code(201).send({
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        role: k.role,
        created_at: k.createdAt,
        last_used_at: null,
        revoked_at: null,
        key: g.key,
      });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/api-keys/:id',
    { preHandler: admin, schema: { tags: ['admin'], security: SECURITY, params: idParams } },
    async (req, reply) => {
      if (!(await store.apiKeys.revoke(req.params.id)))
        throw new SonoError('SONO_ERR_NOT_FOUND', { what: 'API key', id: req.params.id });
      await audit(store, req, 'api_key.revoked', { type: 'api_key', id: req.params.id });
      return reply.code(204).send();
    },
  );

  app.get<{
    Querystring: {
      actor?: string;
      action?: string;
      target_type?: string;
      target_id?: string;
      limit?: number;
      cursor?: string;
    };
  }>(
    '/api/v1/audit',
    {
      preHandler: admin,
      schema: {
        tags: ['admin'],
        summary: 'Audit log, newest first',
        security: SECURITY,
        querystring: {
          type: 'object',
          properties: {
            actor: { type: 'string', maxLength: 128 },
            action: { type: 'string', maxLength: 64 },
            target_type: { type: 'string', maxLength: 32 },
            target_id: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            cursor: { type: 'string', maxLength: 256 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    at: { type: 'string' },
                    actor: { type: 'string' },
                    actor_kind: { type: 'string' },
                    action: { type: 'string' },
                    target_type: { type: ['string', 'null'] },
                    target_id: { type: ['string', 'null'] },
                    details: { type: ['object', 'null'], additionalProperties: true },
                    ip: { type: ['string', 'null'] },
                  },
                },
              },
              next_cursor: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await store.audit.list({
        actor: q.actor,
        action: q.action,
        targetType: q.target_type,
        targetId: q.target_id,
        limit: q.limit,
        cursor: q.cursor,
      });
      return {
        items: page.items.map((e) => ({
          id: e.id,
          at: e.at,
          actor: e.actor,
          actor_kind: e.actorKind,
          action: e.action,
          target_type: e.targetType,
          target_id: e.targetId,
          details: e.details,
          ip: e.ip,
        })),
        next_cursor: page.nextCursor,
      };
    },
  );
}
