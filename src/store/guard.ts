/**
 * Maps driver errors to coded errors at one place — the Kysely driver — so every query, from a
 * repository or from the queue, behaves the same when the database goes away:
 * connection-class failures → `SONO_ERR_DB_UNAVAILABLE` (retryable), unique violations →
 * `SONO_ERR_CONFLICT`. Anything else passes through unchanged.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { SonoError } from '../errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01..57P03 (admin/crash shutdown,
// cannot connect now), 53300 (too many connections).
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;

const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|NOTADB)/;

const MESSAGE_UNAVAILABLE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|connection is not open|Cannot use a pool after calling end|Client was closed/i;

function errorCode(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return '';
}

/** True for errors meaning "the database cannot be reached right now". */
export function isUnavailableError(e: unknown): boolean {
  if (e instanceof SonoError) return e.code === 'SONO_ERR_DB_UNAVAILABLE';
  const code = errorCode(e);
  if (NETWORK_CODES.has(code) || PG_UNAVAILABLE.test(code) || SQLITE_UNAVAILABLE.test(code)) {
    return true;
  }
  if (e instanceof AggregateError && e.errors.some(isUnavailableError)) return true;
  return e instanceof Error && MESSAGE_UNAVAILABLE.test(e.message);
}

/**
 * True for the failure of a pooled connection the server has closed (terminated backend, socket
 * ended): the pool discards that client, so the next connection may work. Not true for a
 * database that cannot be reached at all (refused, timed out, DNS).
 */
export function isStaleConnectionError(e: unknown): boolean {
  const raw = e instanceof SonoError && e.cause !== undefined ? e.cause : e;
  const code = errorCode(raw);
  if (code === '57P01' || code === '57P02') return true;
  return (
    raw instanceof Error &&
    /Connection terminated|not queryable|Client was closed/i.test(raw.message)
  );
}

function isUniqueViolation(e: unknown): boolean {
  const code = errorCode(e);
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

export function mapDbError(e: unknown): unknown {
  if (e instanceof SonoError) return e;
  if (isUnavailableError(e)) {
    const detail = e instanceof Error ? e.message || errorCode(e) : String(e);
    return new SonoError('SONO_ERR_DB_UNAVAILABLE', { detail }, { cause: e });
  }
  if (isUniqueViolation(e)) {
    const detail = e instanceof Error ? e.message : String(e);
    return new SonoError('SONO_ERR_CONFLICT', { detail }, { cause: e });
  }
  return e;
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw mapDbError(e);
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return guarded(() => this.inner.executeQuery<R>(q));
  }

  async *streamQuery<R>(
    q: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(q, chunkSize);
    } catch (e) {
      throw mapDbError(e);
    }
  }
}

function unwrap(c: DatabaseConnection): DatabaseConnection {
  return c instanceof GuardedConnection ? c.inner : c;
}

class GuardedDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init(): Promise<void> {
    return guarded(() => this.inner.init());
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    return new GuardedConnection(await guarded(() => this.inner.acquireConnection()));
  }
  beginTransaction(c: DatabaseConnection, s: TransactionSettings): Promise<void> {
    return guarded(() => this.inner.beginTransaction(unwrap(c), s));
  }
  commitTransaction(c: DatabaseConnection): Promise<void> {
    return guarded(() => this.inner.commitTransaction(unwrap(c)));
  }
  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return guarded(() => this.inner.rollbackTransaction(unwrap(c)));
  }
  savepoint(
    c: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return guarded(async () => this.inner.savepoint?.(unwrap(c), name, compile));
  }
  rollbackToSavepoint(
    c: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return guarded(async () => this.inner.rollbackToSavepoint?.(unwrap(c), name, compile));
  }
  releaseSavepoint(
    c: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return guarded(async () => this.inner.releaseSavepoint?.(unwrap(c), name, compile));
  }
  releaseConnection(c: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(c));
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** The same dialect, with the error mapping of this module on every query. */
export function guardDialect(dialect: Dialect): Dialect {
  return {
    createDriver: () => new GuardedDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
