/** PostgreSQL through a pg Pool; an optional schema (search_path) isolates test runs. */
import pg from 'pg';
import { PostgresDialect, type Dialect } from 'kysely';

/** Connections in the pool when `poolMax` is not given. */
export const DEFAULT_POOL_MAX = 10;

export interface PostgresDialectOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password?: string;
  readonly schema?: string;
  /** @defaultValue 10 */
  readonly poolMax?: number;
  /** @defaultValue 'sonoteca' */
  readonly applicationName?: string;
  /** Called for errors of idle pooled connections (they are discarded; the pool reconnects). */
  readonly onPoolError?: (err: Error) => void;
}

export interface PostgresHandle {
  readonly dialect: Dialect;
  readonly pool: pg.Pool;
}

const INT8_OID = 20;

/** Valid unquoted identifier, so it can go into search_path and DDL as is. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  }
  return schema;
}

export function createPostgresDialect(opts: PostgresDialectOptions): PostgresHandle {
  const pool = new pg.Pool({
    host: opts.host,
    port: opts.port,
    database: opts.database,
    user: opts.user,
    password: opts.password,
    max: opts.poolMax ?? DEFAULT_POOL_MAX,
    application_name: opts.applicationName ?? 'sonoteca',
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    ...(opts.schema ? { options: `-c search_path=${checkSchemaName(opts.schema)}` } : {}),
    // COUNT(*), BIGINT and BIGSERIAL come back as numbers (all our values are < 2^53).
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener, an idle client's error (server restart, pg_terminate_backend) would crash
  // the process; pg-pool drops that client and opens a new one on the next query.
  pool.on('error', (err) => opts.onPoolError?.(err));
  // A checked-out client whose server connection ends emits 'error' too, and pg-pool listens only
  // to idle ones: without this, a backend terminated between two queries crashes the process. The
  // running query (if any) is rejected anyway and the pool discards the broken client on release.
  pool.on('connect', (client) => {
    client.on('error', (err) => opts.onPoolError?.(err));
  });
  return { dialect: new PostgresDialect({ pool }), pool };
}
