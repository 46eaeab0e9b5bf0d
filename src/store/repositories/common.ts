/** Small helpers shared by the repositories. */
import { randomUUID } from 'node:crypto';
import { SonoError } from '../../errors.js';

export function nowIso(): string {
  return new Date().toISOString();
}

export function newId(): string {
  return randomUUID();
}

export function toJson(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}

export function parseJson<T>(s: string | null): T | null {
  return s === null ? null : (JSON.parse(s) as T);
}

/** Cursors are opaque base64url JSON arrays of the sort key of the last row of a page. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length !== arity ||
    !key.every((k) => typeof k === 'string' || typeof k === 'number')
  ) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'cursor',
      detail: 'malformed cursor',
    });
  }
  return key as (string | number)[];
}

export function checkLimit(limit: number | undefined, fallback: number): number {
  const n = limit ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new SonoError('SONO_ERR_INVALID_PARAMETER', {
      name: 'limit',
      detail: `${String(limit)} is not an integer in 1..1000`,
    });
  }
  return n;
}

/** Kysely returns affected-row counts as bigint. */
export function affected(r: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number {
  return Number(r.numUpdatedRows ?? r.numDeletedRows ?? 0n);
}
