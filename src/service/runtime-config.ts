/** Maps the validated configuration onto the store, queue and logger settings. */
import { availableParallelism } from 'node:os';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { QueueConfig, QueueTiming } from '../jobs/queue.js';
import type { DatabaseConfig as StoreDatabaseConfig, Store } from '../store/types.js';

export function storeConfigOf(config: Config): StoreDatabaseConfig {
  const d = config.database;
  return d.kind === 'sqlite'
    ? { kind: 'sqlite', file: d.path }
    : {
        kind: 'postgres',
        host: d.host,
        port: d.port,
        database: d.database,
        user: d.user,
        password: d.password,
        schema: d.schema,
      };
}

export function queueConfigOf(config: Config, store: Store, timing?: QueueTiming): QueueConfig {
  return config.redis === undefined
    ? { kind: 'local', store, timing }
    : {
        kind: 'bullmq',
        redis: {
          host: config.redis.host,
          port: config.redis.port,
          password: config.redis.password,
        },
        prefix: config.queuePrefix,
        timing,
      };
}

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'sonoteca', pid: process.pid },
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
  });
}

/** Analysis threads per worker process: WORKER_CONCURRENCY, else CPU count − 1 (at least 1). */
export function workerConcurrency(config: Config): number {
  return config.workerConcurrency ?? Math.max(1, availableParallelism() - 1);
}
