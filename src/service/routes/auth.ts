/** `POST /api/v1/auth/login` (JWT for people) and `POST /api/v1/auth/password` (change own). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SonoError } from '../../errors.js';
import { hashPassword, verifyPassword, dummyPasswordHash } from '../auth/passwords.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { credentialStamp, principalOf, requireRole, type JwtClaims } from '../plugins/auth.js';
import {
  loginBodySchema,
  loginResponseSchema,
  type LoginBody,
  type LoginResponse,
} from '../schemas/auth.js';

export function registerAuthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Body: LoginBody }>(
    '/api/v1/auth/login',
    {
      config: {
        rateLimit: {
          max: ctx.config.rateLimit.loginMax,
          timeWindow: ctx.config.rateLimit.windowSec * 1000,
          // Per IP (and not per principal): there is none yet.
          keyGenerator: (req: FastifyRequest) => `login:${req.ip}`,
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Get a JWT for a user',
        body: loginBodySchema,
        response: { 200: loginResponseSchema },
      },
    },
    async (req): Promise<LoginResponse> => {
      const { username, password } = req.body;
      const user = await ctx.store.users.getByUsername(username);
      const ok =
        user !== undefined && !user.disabled
          ? await verifyPassword(password, user.passwordHash)
          : await verifyPassword(password, await dummyPasswordHash()).then(() => false);
      if (!ok || user === undefined) {
        req.log.warn({ username }, 'login failed');
        // Failed logins are audited (guessing shows in the audit log, not only in a log file).
        await audit(
          ctx.store,
          req,
          'auth.login_failed',
          { type: 'user', id: user?.id ?? null },
          {
            username: username.slice(0, 200),
            reason:
              user === undefined ? 'unknown user' : user.disabled ? 'disabled' : 'wrong password',
          },
        );
        throw new SonoError('SONO_ERR_UNAUTHORIZED', { detail: 'wrong username or password' });
      }
      const claims: JwtClaims = {
        sub: user.id,
        name: user.username,
        role: user.role,
        pwd: credentialStamp(user.passwordHash),
      };
      const token = app.jwt.sign(claims, { expiresIn: ctx.config.jwtExpiresInSec });
      req.principal = { kind: 'user', id: user.id, name: user.username, role: user.role };
      await audit(ctx.store, req, 'auth.login', { type: 'user', id: user.id });
      return {
        access_token: token,
        token_type: 'bearer',
        expires_in: ctx.config.jwtExpiresInSec,
        role: user.role,
      };
    },
  );

  app.post<{ Body: { current_password: string; new_password: string } }>(
    '/api/v1/auth/password',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['auth'],
        summary: 'Change the calling user’s password',
        security: [{ bearerAuth: [] }],
        body: {
          type: 'object',
          properties: {
            current_password: { type: 'string', minLength: 1, maxLength: 1024 },
            new_password: { type: 'string', minLength: 12, maxLength: 1024 },
          },
          required: ['current_password', 'new_password'],
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { changed: { type: 'boolean' } } } },
      },
    },
    async (req) => {
      const p = principalOf(req);
      if (p.kind !== 'user')
        throw new SonoError('SONO_ERR_FORBIDDEN', { detail: 'API keys have no password' });
      const user = await ctx.store.users.get(p.id);
      if (
        user === undefined ||
        !(await verifyPassword(req.body.current_password, user.passwordHash))
      )
        throw new SonoError('SONO_ERR_UNAUTHORIZED', { detail: 'wrong current password' });
      await ctx.store.users.update(user.id, {
        passwordHash: await hashPassword(req.body.new_password),
      });
      await audit(ctx.store, req, 'user.password_changed', { type: 'user', id: user.id });
      return { changed: true };
    },
  );
}
