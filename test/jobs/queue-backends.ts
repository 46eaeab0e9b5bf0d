/**
 * Builds a queue of either backend from a plain, serialisable spec, so the conformance suite and
 * its child-process worker (fixtures/queue-worker.ts) open the very same queue.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createQueue } from '../../src/jobs/create-queue.js';
import type { JobQueue, QueueTiming } from '../../src/jobs/queue.js';
import { createDatabase } from '../../src/store/database.js';
import type { DatabaseConfig, Store } from '../../src/store/types.js';
import { dropSchema, pgConfig } from '../store/store-backends.js';

export type QueueSpec =
  | { readonly backend: 'local'; readonly database: DatabaseConfig; readonly timing: QueueTiming }
  | {
      readonly backend: 'bullmq';
      readonly redisUrl: string;
      readonly prefix: string;
      readonly timing: QueueTiming;
    };

export const TEST_TIMING: QueueTiming = Object.freeze({
  backoffBaseMs: 40,
  defaultMaxAttempts: 3,
  // Long enough that a heartbeat delayed by a loaded 2-core CI machine does not lose the lease.
  leaseMs: 1500,
  heartbeatMs: 250,
  pollIntervalMs: 20,
});

export function redisUrl(): string {
  return process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

export function parseRedisUrl(url: string): { host: string; port: number; password?: string } {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

export interface OpenedQueue {
  readonly queue: JobQueue;
  readonly store?: Store;
  close(): Promise<void>;
}

export async function openQueue(spec: QueueSpec): Promise<OpenedQueue> {
  if (spec.backend === 'local') {
    const store = await createDatabase(spec.database);
    const queue = await createQueue({ kind: 'local', store, timing: spec.timing });
    return {
      queue,
      store,
      close: async () => {
        await queue.close();
        await store.close();
      },
    };
  }
  const queue = await createQueue({
    kind: 'bullmq',
    redis: parseRedisUrl(spec.redisUrl),
    prefix: spec.prefix,
    timing: spec.timing,
  });
  return { queue, close: () => queue.close() };
}

/** A fresh, isolated spec (own SQLite file / own Redis key prefix) and its cleanup. */
export type BackendName = 'local-sqlite' | 'local-postgres' | 'bullmq';

export function freshSpec(
  backend: BackendName,
  timing: QueueTiming = TEST_TIMING,
): { spec: QueueSpec; cleanup(): Promise<void> } {
  if (backend === 'local-sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sono-queue-'));
    return {
      spec: { backend: 'local', database: { kind: 'sqlite', file: join(dir, 'queue.db') }, timing },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (backend === 'local-postgres') {
    const schema = `sonotest_q${randomBytes(6).toString('hex')}`;
    return {
      spec: { backend: 'local', database: pgConfig(schema), timing },
      cleanup: () => dropSchema(schema),
    };
  }
  const prefix = `sonotest-${randomBytes(6).toString('hex')}`;
  return {
    spec: { backend, redisUrl: redisUrl(), prefix, timing },
    cleanup: () => deleteRedisPrefix(redisUrl(), prefix),
  };
}

export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis({ ...parseRedisUrl(url), lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
