import { createHash } from 'node:crypto';
/**
 * Authentication and authorisation.
 *
 * - People: `POST /api/v1/auth/login` returns an HS256 JWT signed with SECRET_KEY; requests send
 *   `Authorization: Bearer <token>`. The user row is re-read on every request so a disabled or
 *   deleted user, or a changed role, takes effect at once.
 * - Machines: `X-API-Key: <key>` or `Authorization: ApiKey <key>`; keys are stored as SHA-256.
 *
 * `identify` (an app-wide onRequest hook) only works out who is calling and never rejects, so the
 * rate limiter can key on the principal; each route then declares the role it needs with
 * `requireRole`, which rejects with 401 (no or bad credentials) or 403 (role too low).
 */
import '@fastify/jwt';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { SonoError } from '../../errors.js';
import type { Role, Store } from '../../store/types.js';
import { apiKeyMatches, parseApiKeyPrefix } from '../auth/api-keys.js';
import { hasRole, type Principal } from '../principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    authError: SonoError | undefined;
  }
}

export interface JwtClaims {
  readonly sub: string;
  readonly name: string;
  readonly role: Role;
  /** Fingerprint of the password hash the token was issued under (see credentialStamp). */
  readonly pwd: string;
}

/**
 * A short fingerprint of a user's stored password hash. Tokens carry it; a password change (a new
 * salted hash) changes it, so every token issued before the change stops being accepted — without
 * a token table. It reveals nothing usable (a truncated digest of a salted hash).
 */
export function credentialStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);
}

function credentialsOf(
  req: FastifyRequest,
): { kind: 'bearer' | 'apikey'; value: string } | undefined {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0)
    return { kind: 'apikey', value: apiKey.trim() };
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || auth.length === 0) return undefined;
  const m = /^(\S+)\s+(\S+)$/.exec(auth.trim());
  if (m === null) return { kind: 'bearer', value: '' };
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'bearer') return { kind: 'bearer', value: m[2]! };
  if (scheme === 'apikey') return { kind: 'apikey', value: m[2]! };
  return { kind: 'bearer', value: '' };
}

async function identifyApiKey(store: Store, key: string): Promise<Principal> {
  const prefix = parseApiKeyPrefix(key);
  if (prefix === undefined)
    throw new SonoError('SONO_ERR_UNAUTHORIZED', { detail: 'malformed API key' });
  const rows = await store.apiKeys.findByPrefix(prefix);
  const row = rows.find((r) => r.revokedAt === null && apiKeyMatches(key, r.keyHash));
  if (row === undefined)
    throw new SonoError('SONO_ERR_UNAUTHORIZED', { detail: 'unknown or revoked API key' });
  void store.apiKeys.touch(row.id).catch(() => undefined);
  return { kind: 'api_key', id: row.id, name: row.name, role: row.role };
}

async function identifyJwt(app: FastifyInstance, store: Store, token: string): Promise<Principal> {
  let claims: JwtClaims;
  try {
    claims = app.jwt.verify<JwtClaims>(token);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const expired = code === 'FAST_JWT_EXPIRED' || code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
    throw new SonoError('SONO_ERR_UNAUTHORIZED', {
      detail: expired ? 'token expired' : 'invalid token',
    });
  }
  // A token without an expiry would be valid for ever: refuse it (ours always carry exp).
  if (typeof (claims as { exp?: unknown }).exp !== 'number')
    throw new SonoError('SONO_ERR_UNAUTHORIZED', { detail: 'token without expiry (exp)' });
  const user = await store.users.get(claims.sub);
  if (user === undefined || user.disabled)
    throw new SonoError('SONO_ERR_UNAUTHORIZED', { detail: 'user no longer active' });
  if (claims.pwd !== credentialStamp(user.passwordHash))
    throw new SonoError('SONO_ERR_UNAUTHORIZED', {
      detail: 'token revoked (the password was changed)',
    });
  return { kind: 'user', id: user.id, name: user.username, role: user.role };
}

export function installAuth(app: FastifyInstance, store: Store): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('authError', undefined);
  app.addHook('onRequest', async (req) => {
    const cred = credentialsOf(req);
    if (cred === undefined) return;
    try {
      if (cred.value === '')
        throw new SonoError('SONO_ERR_UNAUTHORIZED', {
          detail: 'unsupported Authorization header',
        });
      req.principal =
        cred.kind === 'apikey'
          ? await identifyApiKey(store, cred.value)
          : await identifyJwt(app, store, cred.value);
    } catch (e) {
      // A database outage is not an authentication failure: answer 503, not 401.
      if (e instanceof SonoError && e.code !== 'SONO_ERR_UNAUTHORIZED') throw e;
      req.authError =
        e instanceof SonoError
          ? e
          : new SonoError('SONO_ERR_UNAUTHORIZED', { detail: 'invalid credentials' });
    }
  });
}

/** A preHandler that lets only principals with at least `role` through. */
export function requireRole(role: Role): preHandlerAsyncHookHandler {
  return async (req) => {
    if (req.authError !== undefined) throw req.authError;
    if (req.principal === undefined)
      throw new SonoError('SONO_ERR_UNAUTHORIZED', {
        detail: 'send Authorization: Bearer <token> or X-API-Key',
      });
    if (!hasRole(req.principal, role))
      throw new SonoError('SONO_ERR_FORBIDDEN', { detail: `requires role ${role}` });
  };
}

/** The principal of a request that passed `requireRole` (throws otherwise: a programming error). */
export function principalOf(req: FastifyRequest): Principal {
  if (req.principal === undefined)
    throw new SonoError('SONO_ERR_UNAUTHORIZED', { detail: 'no principal' });
  return req.principal;
}
