/**
 * Service configuration from the environment (and an optional `.env` file), validated once at
 * start-up. Variable names are fixed by CONTRACT.md; every message names the bad variable.
 *
 * With no DB_HOST / REDIS_HOST the embedded defaults are used: a SQLite file and the local durable
 * queue under DATA_DIR. Production refuses to start without SECRET_KEY (and DB_PASSWORD when
 * PostgreSQL is used).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { SonoError } from '../errors.js';

/** 2 GiB, the contract's default upload limit. */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

const boolish = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'expected true/false (or 1/0, yes/no, on/off)',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const intIn = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a non-negative integer')
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `expected an integer in [${min}, ${max}]` });

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

/**
 * Every environment variable the service reads, with its default. `test/deploy` checks that every
 * variable named in `deploy/` appears here.
 */
export const ENV_SCHEMA = z.object({
  ENVIRONMENT: z.enum(['development', 'staging', 'production']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: intIn(0, 65535).default(8000),
  DEBUG: boolish.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Lifetime of issued JWTs, seconds. */
  JWT_EXPIRES_IN: intIn(60, 30 * 24 * 3600).default(3600),
  DB_HOST: z.string().trim().min(1).optional(),
  DB_PORT: intIn(1, 65535).default(5432),
  DB_NAME: z.string().trim().min(1).default('production_audio'),
  DB_USER: z.string().trim().min(1).default('audio_user'),
  DB_PASSWORD: z.string().optional(),
  /** PostgreSQL schema (search_path); lets several deployments/tests share one database. */
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case SQL identifier')
    .optional(),
  /** SQLite file when DB_HOST is unset; default `<DATA_DIR>/sonoteca.db`. */
  SQLITE_PATH: z.string().min(1).optional(),
  REDIS_HOST: z.string().trim().min(1).optional(),
  REDIS_PORT: intIn(1, 65535).default(6379),
  REDIS_PASSWORD: z.string().optional(),
  /** Key prefix of the BullMQ queue (several deployments on one Redis). */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:-]+$/)
    .default('sonoteca'),
  MAXXI_COMPATIBILITY_MODE: boolish.default(true),
  MAXXI_OUTPUT_FORMAT: z.enum(['json', 'xml']).default('json'),
  MAXXI_METADATA_SCHEMA: z.enum(['dublin_core']).default('dublin_core'),
  /** Where finished packages are written; default `<DATA_DIR>/maxxi`. */
  MAXXI_OUTPUT_DIR: z.string().min(1).optional(),
  MAXXI_CALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
  MAXXI_CALLBACK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Comma-separated directories MAXXI may submit recordings from (by reference). */
  MAXXI_ALLOWED_ROOTS: list.default([]),
  /** Webhook attempts before a delivery is marked failed. */
  MAXXI_CALLBACK_MAX_ATTEMPTS: intIn(1, 20).default(6),
  DATA_DIR: z.string().min(1).default('./data'),
  MAX_UPLOAD_BYTES: intIn(1, Number.MAX_SAFE_INTEGER).default(DEFAULT_MAX_UPLOAD_BYTES),
  /** Comma-separated allowed origins; empty = no cross-origin access; `*` = any. */
  CORS_ORIGINS: list.default([]),
  RATE_LIMIT_MAX: intIn(1, 1_000_000).default(600),
  RATE_LIMIT_WINDOW_SEC: intIn(1, 86_400).default(60),
  RATE_LIMIT_LOGIN_MAX: intIn(1, 10_000).default(10),
  /** Analysis threads per worker process; default: CPU count − 1 (at least 1). */
  WORKER_CONCURRENCY: intIn(1, 256).optional(),
  /** Directory of model files (passed to the pipeline). */
  MODELS_DIR: z.string().min(1).optional(),
});

export type EnvInput = Readonly<Record<string, string | undefined>>;

export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | {
      readonly kind: 'postgres';
      readonly host: string;
      readonly port: number;
      readonly database: string;
      readonly user: string;
      readonly password: string | undefined;
      readonly schema: string | undefined;
    };

export interface RedisConfig {
  readonly host: string;
  readonly port: number;
  readonly password: string | undefined;
}

export interface MaxxiConfig {
  readonly compatibilityMode: boolean;
  readonly outputFormat: 'json' | 'xml';
  readonly metadataSchema: 'dublin_core';
  readonly outputDir: string;
  readonly callbackUrl: string | undefined;
  readonly callbackSecret: string | undefined;
  readonly callbackMaxAttempts: number;
  readonly allowedRoots: readonly string[];
}

/** The validated, frozen configuration every service part receives. */
export interface Config {
  readonly environment: 'development' | 'staging' | 'production';
  readonly host: string;
  readonly port: number;
  readonly debug: boolean;
  readonly logLevel: string;
  readonly secretKey: string;
  /** True when no SECRET_KEY was given and a random per-process key is used (development). */
  readonly secretKeyGenerated: boolean;
  readonly jwtExpiresInSec: number;
  readonly dataDir: string;
  /** Where uploads are stored (`<dataDir>/uploads`). */
  readonly uploadDir: string;
  readonly database: DatabaseConfig;
  /** Set when REDIS_HOST is: BullMQ queue; otherwise the local durable queue. */
  readonly redis: RedisConfig | undefined;
  readonly queuePrefix: string;
  readonly maxxi: MaxxiConfig;
  readonly maxUploadBytes: number;
  readonly corsOrigins: readonly string[];
  readonly rateLimit: {
    readonly max: number;
    readonly windowSec: number;
    readonly loginMax: number;
  };
  readonly workerConcurrency: number | undefined;
  readonly modelsDir: string | undefined;
  /** Non-fatal remarks for the start-up log (e.g. the generated development key). */
  readonly warnings: readonly string[];
}

export interface LoadConfigOptions {
  /** Path of a `.env` file; default `./.env` when present. `false` disables it. */
  readonly envFile?: string | false;
  /** Base for relative paths; default `process.cwd()`. */
  readonly cwd?: string;
}

/** Reads a `.env` file: its values never override variables already set in the environment. */
export function readEnvFile(path: string): Record<string, string> {
  try {
    return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (e) {
    throw new SonoError('SONO_ERR_INVALID_CONFIG', {
      name: path,
      detail: e instanceof Error ? e.message : String(e),
    });
  }
}

function describeIssues(error: z.ZodError): { names: string; detail: string } {
  const parts = error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`);
  const names = [...new Set(error.issues.map((i) => String(i.path[0] ?? '?')))].join(', ');
  return { names, detail: parts.join('; ') };
}

/**
 * Validates the environment into a frozen {@link Config}.
 *
 * @throws SonoError SONO_ERR_INVALID_CONFIG naming every bad or missing variable.
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: EnvInput = process.env, options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const envFile = options.envFile ?? resolve(cwd, '.env');
  const fromFile = envFile !== false && existsSync(envFile) ? readEnvFile(envFile) : {};
  // Empty strings count as unset (compose files often pass `VAR=`).
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...fromFile, ...env })) {
    if (v !== undefined && v !== '') merged[k] = v;
  }
  const parsed = ENV_SCHEMA.safeParse(merged);
  if (!parsed.success) {
    const { names, detail } = describeIssues(parsed.error);
    throw new SonoError('SONO_ERR_INVALID_CONFIG', { name: names, detail });
  }
  const e = parsed.data;
  const warnings: string[] = [];

  if (e.ENVIRONMENT === 'production') {
    const missing: string[] = [];
    if (e.SECRET_KEY === undefined) missing.push('SECRET_KEY');
    if (e.DB_HOST !== undefined && e.DB_PASSWORD === undefined) missing.push('DB_PASSWORD');
    if (e.MAXXI_CALLBACK_URL !== undefined && e.MAXXI_CALLBACK_SECRET === undefined)
      missing.push('MAXXI_CALLBACK_SECRET');
    if (missing.length > 0) {
      throw new SonoError('SONO_ERR_INVALID_CONFIG', {
        name: missing.join(', '),
        detail: `required when ENVIRONMENT=production (missing: ${missing.join(', ')})`,
      });
    }
  }
  let secretKey = e.SECRET_KEY;
  let secretKeyGenerated = false;
  if (secretKey === undefined) {
    secretKey = randomBytes(32).toString('base64url');
    secretKeyGenerated = true;
    warnings.push(
      'SECRET_KEY is not set: using a random per-process key (tokens die with the process; ' +
        'several processes will not accept each other’s tokens). Set SECRET_KEY outside development.',
    );
  }
  if (e.MAXXI_CALLBACK_URL !== undefined && e.MAXXI_CALLBACK_SECRET === undefined) {
    warnings.push(
      'MAXXI_CALLBACK_URL is set without MAXXI_CALLBACK_SECRET: webhooks are unsigned.',
    );
  }

  const dataDir = resolve(cwd, e.DATA_DIR);
  const database: DatabaseConfig =
    e.DB_HOST === undefined
      ? { kind: 'sqlite', path: resolve(dataDir, e.SQLITE_PATH ?? 'sonoteca.db') }
      : {
          kind: 'postgres',
          host: e.DB_HOST,
          port: e.DB_PORT,
          database: e.DB_NAME,
          user: e.DB_USER,
          password: e.DB_PASSWORD,
          schema: e.DB_SCHEMA,
        };
  const config: Config = {
    environment: e.ENVIRONMENT,
    host: e.HOST,
    port: e.PORT,
    debug: e.DEBUG,
    logLevel: e.DEBUG && e.LOG_LEVEL === 'info' ? 'debug' : e.LOG_LEVEL,
    secretKey,
    secretKeyGenerated,
    jwtExpiresInSec: e.JWT_EXPIRES_IN,
    dataDir,
    uploadDir: resolve(dataDir, 'uploads'),
    database: Object.freeze(database),
    redis:
      e.REDIS_HOST === undefined
        ? undefined
        : Object.freeze({ host: e.REDIS_HOST, port: e.REDIS_PORT, password: e.REDIS_PASSWORD }),
    queuePrefix: e.QUEUE_PREFIX,
    maxxi: Object.freeze({
      compatibilityMode: e.MAXXI_COMPATIBILITY_MODE,
      outputFormat: e.MAXXI_OUTPUT_FORMAT,
      metadataSchema: e.MAXXI_METADATA_SCHEMA,
      outputDir: resolve(cwd, e.MAXXI_OUTPUT_DIR ?? resolve(dataDir, 'maxxi')),
      callbackUrl: e.MAXXI_CALLBACK_URL,
      callbackSecret: e.MAXXI_CALLBACK_SECRET,
      callbackMaxAttempts: e.MAXXI_CALLBACK_MAX_ATTEMPTS,
      allowedRoots: Object.freeze(e.MAXXI_ALLOWED_ROOTS.map((r) => resolve(cwd, r))),
    }),
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    corsOrigins: Object.freeze(e.CORS_ORIGINS),
    rateLimit: Object.freeze({
      max: e.RATE_LIMIT_MAX,
      windowSec: e.RATE_LIMIT_WINDOW_SEC,
      loginMax: e.RATE_LIMIT_LOGIN_MAX,
    }),
    workerConcurrency: e.WORKER_CONCURRENCY,
    modelsDir: e.MODELS_DIR === undefined ? undefined : resolve(cwd, e.MODELS_DIR),
    warnings: Object.freeze(warnings),
  };
  return Object.freeze(config);
}

/** Names of every environment variable the configuration reads. */
export function configVariableNames(): readonly string[] {
  return Object.keys(ENV_SCHEMA.shape);
}
