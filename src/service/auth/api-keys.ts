/**
 * API keys for machine clients. A key is `sk_<prefix>_<secret>`: the prefix (public, 12 hex chars)
 * finds the row, the whole key is stored only as its SHA-256. A key carries 192 random bits, so a
 * fast hash is enough (a memory-hard KDF protects low-entropy passwords, not random keys).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface GeneratedApiKey {
  /** The full key: shown once at creation, never stored. */
  readonly key: string;
  /** Public identifier stored in clear, used to look the key up. */
  readonly prefix: string;
  /** SHA-256 (hex) of the full key, the only stored form. */
  readonly hash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(6).toString('hex');
  const key = `sk_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The prefix of a well-formed key, or undefined. */
export function parseApiKeyPrefix(key: string): string | undefined {
  const m = /^sk_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(key);
  return m?.[1];
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
