/**
 * Builds the real app over a real store and queue for `inject()` tests, for each backend pair:
 * SQLite + local queue (the embedded default) and PostgreSQL + BullMQ/Redis (own schema / key
 * prefix per harness, dropped on close). Users of every role and an API key are created up front.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createQueue } from '../../src/jobs/create-queue.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import { buildApp } from '../../src/service/app.js';
import { startRuntime, type Runtime } from '../../src/service/runtime.js';
import { generateApiKey } from '../../src/service/auth/api-keys.js';
import { hashPassword } from '../../src/service/auth/passwords.js';
import { queueConfigOf, storeConfigOf } from '../../src/service/runtime-config.js';
import { createDatabase } from '../../src/store/database.js';
import type { Role, Store } from '../../src/store/types.js';

export type Backend = 'sqlite+local' | 'postgres+bullmq';
export const BACKENDS: readonly Backend[] = ['sqlite+local', 'postgres+bullmq'];

export const PASSWORD = 'correct horse battery staple';
export const SECRET_KEY = 'test-secret-key-0123456789-abcdefghijklmnop';

export function pgUrl(): URL {
  return new URL(process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test');
}
export function redisUrl(): URL {
  return new URL(process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379');
}

/** Environment for a backend pair (a fresh DATA_DIR, schema and key prefix). */
export function backendEnv(
  backend: Backend,
  extra: Record<string, string> = {},
): Record<string, string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sono-svc-'));
  const id = randomBytes(4).toString('hex');
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    SECRET_KEY,
    LOG_LEVEL: process.env.DBG_LOG ?? 'silent',
    RATE_LIMIT_MAX: '10000',
    RATE_LIMIT_LOGIN_MAX: '1000',
    MAXXI_OUTPUT_DIR: join(dataDir, 'maxxi-out'),
  };
  if (backend === 'postgres+bullmq') {
    const p = pgUrl();
    const r = redisUrl();
    Object.assign(env, {
      DB_HOST: p.hostname,
      DB_PORT: p.port || '5432',
      DB_NAME: p.pathname.slice(1) || 'test',
      DB_USER: decodeURIComponent(p.username || 'postgres'),
      ...(p.password ? { DB_PASSWORD: decodeURIComponent(p.password) } : {}),
      DB_SCHEMA: `svc_${id}`,
      REDIS_HOST: r.hostname,
      REDIS_PORT: r.port || '6379',
      QUEUE_PREFIX: `sono-svc-${id}`,
    });
  }
  return { ...env, ...extra };
}

/** Drops what a backend pair left behind (schema, Redis keys, data directory). */
export async function cleanupBackend(config: Config): Promise<void> {
  rmSync(config.dataDir, { recursive: true, force: true });
  if (config.database.kind === 'postgres' && config.database.schema !== undefined) {
    const client = new pg.Client({
      host: config.database.host,
      port: config.database.port,
      database: config.database.database,
      user: config.database.user,
      password: config.database.password,
    });
    await client.connect();
    await client.query(`drop schema if exists "${config.database.schema}" cascade`);
    await client.end();
  }
  if (config.redis !== undefined) {
    const redis = new Redis({
      host: config.redis.host,
      port: config.redis.port,
      lazyConnect: true,
    });
    await redis.connect();
    const keys = await redis.keys(`${config.queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}

export interface Harness {
  readonly backend: Backend;
  readonly config: Config;
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly queue: JobQueue;
  /** Bearer tokens by role. */
  readonly tokens: Readonly<Record<Role, string>>;
  /** An archivist API key. */
  readonly apiKey: string;
  readonly apiKeyId: string;
  auth(role: Role): { authorization: string };
  close(): Promise<void>;
}

export async function createHarness(
  backend: Backend,
  extraEnv: Record<string, string> = {},
): Promise<Harness> {
  const config = loadConfig(backendEnv(backend, extraEnv), { envFile: false });
  const store = await createDatabase(storeConfigOf(config));
  const queue = await createQueue(
    queueConfigOf(config, store, { pollIntervalMs: 20, backoffBaseMs: 40, leaseMs: 2000 }),
  );
  const app = await buildApp({ config, store, queue });
  await app.ready();
  const hash = await hashPassword(PASSWORD);
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'archivist', 'viewer'] as const) {
    await store.users.create({ username: `${role}1`, passwordHash: hash, role });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: `${role}1`, password: PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`login ${role}: ${res.statusCode} ${res.body}`);
    tokens[role] = (res.json() as { access_token: string }).access_token;
  }
  const g = generateApiKey();
  const key = await store.apiKeys.create({
    name: 'maxxi-test',
    prefix: g.prefix,
    keyHash: g.hash,
    role: 'archivist',
  });
  return {
    backend,
    config,
    app,
    store,
    queue,
    tokens,
    apiKey: g.key,
    apiKeyId: key.id,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    async close() {
      await app.close();
      await queue.close();
      await store.close();
      await cleanupBackend(config);
    },
  };
}

/** A multipart/form-data body built by hand (so tests control every byte). */
export function multipart(
  parts: readonly (
    | { readonly name: string; readonly value: string }
    | {
        readonly name: string;
        readonly filename: string;
        readonly data: Buffer;
        readonly type?: string;
      }
  )[],
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----sonoteca${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('data' in p) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
            `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`,
        ),
      );
      chunks.push(p.data, Buffer.from('\r\n'));
    } else {
      chunks.push(
        Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/**
 * The real runtime (API + in-process worker) on a fresh backend, logged in as the bootstrap
 * admin. Stop it with `rt.stop()` and `cleanupBackend(rt.config)`.
 */
export async function startAdminRuntime(
  backend: Backend,
  extraEnv: Record<string, string> = {},
): Promise<{ rt: Runtime; auth: { authorization: string } }> {
  let password = '';
  const rt = await startRuntime(loadConfig(backendEnv(backend, extraEnv), { envFile: false }), {
    api: true,
    worker: true,
    queueTiming: { pollIntervalMs: 20, backoffBaseMs: 50, leaseMs: 3000 },
    onBootstrapPassword: (_u, p) => (password = p),
  });
  const login = await rt.app!.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password },
  });
  if (login.statusCode !== 200) throw new Error(`admin login: ${login.statusCode} ${login.body}`);
  const token = (login.json() as { access_token: string }).access_token;
  return { rt, auth: { authorization: `Bearer ${token}` } };
}
