/**
 * The MAXXI callback: a JSON POST to MAXXI_CALLBACK_URL, signed with HMAC-SHA256 over
 * `<timestamp>.<body>` using MAXXI_CALLBACK_SECRET, retried with exponential backoff on network
 * errors, timeouts, 408, 429 and 5xx. Headers:
 *
 * - `X-Sonoteca-Signature: sha256=<hex>`
 * - `X-Sonoteca-Timestamp: <unix seconds>` (receivers reject stale timestamps: no replays)
 * - `X-Sonoteca-Delivery: <delivery id>` (idempotency key; the same on every retry)
 * - `X-Sonoteca-Event: task.completed`
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SonoError } from '../errors.js';

export const SIGNATURE_HEADER = 'x-sonoteca-signature';
export const TIMESTAMP_HEADER = 'x-sonoteca-timestamp';
export const DELIVERY_HEADER = 'x-sonoteca-delivery';
export const EVENT_HEADER = 'x-sonoteca-event';

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
export function signWebhook(secret: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex');
  return `sha256=${mac}`;
}

/**
 * Receiver-side check (used by the tests and documented for MAXXI): constant-time comparison and a
 * timestamp no older than `toleranceSec`.
 */
export function verifyWebhookSignature(
  secret: string,
  timestampHeader: string,
  body: string,
  signatureHeader: string,
  toleranceSec = 300,
  nowSec = Math.floor(Date.now() / 1000),
): boolean {
  const ts = Number(timestampHeader);
  if (!Number.isInteger(ts) || Math.abs(nowSec - ts) > toleranceSec) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const got = Buffer.from(signatureHeader);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

export interface WebhookAttempt {
  readonly attempt: number;
  readonly ok: boolean;
  readonly statusCode: number | null;
  readonly error: string | null;
  /** When the next attempt is planned; null when this was the last one. */
  readonly nextAttemptAt: Date | null;
}

export interface DeliverWebhookParams {
  readonly url: string;
  readonly secret: string | undefined;
  readonly deliveryId: string;
  readonly event: string;
  readonly payload: unknown;
  /** @defaultValue 6 */
  readonly maxAttempts?: number;
  /** Delay before the 2nd attempt; doubles each time (±20 % jitter). @defaultValue 1000 */
  readonly baseDelayMs?: number;
  /** @defaultValue 300000 */
  readonly maxDelayMs?: number;
  /** Per-attempt timeout. @defaultValue 10000 */
  readonly timeoutMs?: number;
  /** Called after every attempt (persist state, log). */
  readonly onAttempt?: (a: WebhookAttempt) => void | Promise<void>;
  /** Stops retrying (shutdown); the delivery stays pending and is resumed later. */
  readonly signal?: AbortSignal;
}

export interface WebhookOutcome {
  readonly ok: boolean;
  readonly attempts: number;
  readonly statusCode: number | null;
  readonly error: string | null;
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Backoff before attempt `n + 1` (n ≥ 1): base · 2^(n−1), capped, with ±20 % jitter. */
export function backoffDelayMs(n: number, baseMs: number, maxMs: number): number {
  const d = Math.min(maxMs, baseMs * 2 ** (n - 1));
  return Math.round(d * (0.8 + 0.4 * Math.random()));
}

/**
 * Sends one event, retrying transient failures. Resolves with the outcome (never throws for
 * delivery failures; the caller records them). Throws SONO_ERR_CANCELLED when `signal` aborts.
 */
export async function deliverWebhook(p: DeliverWebhookParams): Promise<WebhookOutcome> {
  const maxAttempts = p.maxAttempts ?? 6;
  const base = p.baseDelayMs ?? 1000;
  const maxDelay = p.maxDelayMs ?? 300_000;
  const body = JSON.stringify(p.payload);
  let last: WebhookOutcome = { ok: false, attempts: 0, statusCode: null, error: null };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (p.signal?.aborted)
      throw new SonoError('SONO_ERR_CANCELLED', { detail: 'webhook delivery' });
    const ts = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'sonoteca-webhook/1',
      [TIMESTAMP_HEADER]: String(ts),
      [DELIVERY_HEADER]: p.deliveryId,
      [EVENT_HEADER]: p.event,
    };
    if (p.secret !== undefined) headers[SIGNATURE_HEADER] = signWebhook(p.secret, ts, body);
    let statusCode: number | null = null;
    let error: string;
    let retry = true;
    try {
      const res = await fetch(p.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(p.timeoutMs ?? 10_000),
      });
      statusCode = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        last = { ok: true, attempts: attempt, statusCode, error: null };
        await p.onAttempt?.({ attempt, ok: true, statusCode, error: null, nextAttemptAt: null });
        return last;
      }
      error = `HTTP ${res.status}`;
      retry = isRetryable(res.status);
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const more = retry && attempt < maxAttempts;
    const delay = more ? backoffDelayMs(attempt, base, maxDelay) : 0;
    last = { ok: false, attempts: attempt, statusCode, error };
    await p.onAttempt?.({
      attempt,
      ok: false,
      statusCode,
      error,
      nextAttemptAt: more ? new Date(Date.now() + delay) : null,
    });
    if (!more) break;
    try {
      await sleep(delay, undefined, { signal: p.signal });
    } catch {
      throw new SonoError('SONO_ERR_CANCELLED', { detail: 'webhook delivery' });
    }
  }
  return last;
}
