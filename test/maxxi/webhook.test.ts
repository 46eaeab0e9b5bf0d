import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  deliverWebhook,
  signWebhook,
  verifyWebhookSignature,
  type WebhookAttempt,
} from '../../src/maxxi/webhook.js';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A local receiver that answers with the next status of `script` (then 200). */
function startReceiver(): Promise<{
  url: string;
  received: Received[];
  script: number[];
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  const script: number[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = script.shift() ?? 200;
      res.end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/hook`,
        received,
        script,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

describe('MAXXI webhook', () => {
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => (rx = await startReceiver()));
  after(async () => rx.close());
  const secret = 'test-callback-secret-0123456789';

  it('signs HMAC-SHA256 over timestamp.body (known vector)', () => {
    // Reference value computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
    assert.equal(
      signWebhook('key', 1700000000, '{"a":1}'),
      'sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03',
    );
  });

  it('delivers a signed event that the receiver can verify', async () => {
    rx.received.length = 0;
    const out = await deliverWebhook({
      url: rx.url,
      secret,
      deliveryId: 'd-1',
      event: 'task.completed',
      payload: { task_id: 't1', status: 'completed' },
    });
    assert.deepEqual(out, { ok: true, attempts: 1, statusCode: 200, error: null });
    const r = rx.received[0]!;
    assert.equal(r.headers['x-sonoteca-delivery'], 'd-1');
    assert.equal(r.headers['x-sonoteca-event'], 'task.completed');
    assert.deepEqual(JSON.parse(r.body), { task_id: 't1', status: 'completed' });
    const ts = String(r.headers['x-sonoteca-timestamp']);
    const sig = String(r.headers['x-sonoteca-signature']);
    assert.ok(verifyWebhookSignature(secret, ts, r.body, sig));
    assert.ok(!verifyWebhookSignature('wrong-secret-wrong-secret', ts, r.body, sig));
    assert.ok(!verifyWebhookSignature(secret, ts, r.body.replace('t1', 't2'), sig));
    assert.ok(!verifyWebhookSignature(secret, String(Number(ts) - 3600), r.body, sig));
  });

  it('retries 5xx and 429 with growing delays, then succeeds', async () => {
    rx.received.length = 0;
    rx.script.push(503, 429, 500);
    const attempts: WebhookAttempt[] = [];
    const out = await deliverWebhook({
      url: rx.url,
      secret,
      deliveryId: 'd-2',
      event: 'task.completed',
      payload: { n: 2 },
      baseDelayMs: 20,
      onAttempt: (a) => void attempts.push(a),
    });
    assert.equal(out.ok, true);
    assert.equal(out.attempts, 4);
    assert.equal(rx.received.length, 4);
    assert.deepEqual(
      attempts.map((a) => a.statusCode),
      [503, 429, 500, 200],
    );
    // Same delivery id on every retry (idempotency key for the receiver).
    assert.ok(rx.received.every((r) => r.headers['x-sonoteca-delivery'] === 'd-2'));
    assert.equal(attempts[3]!.nextAttemptAt, null);
    assert.ok(attempts[0]!.nextAttemptAt instanceof Date);
  });

  it('does not retry a 4xx rejection and stops after maxAttempts', async () => {
    rx.received.length = 0;
    rx.script.push(400);
    const rejected = await deliverWebhook({
      url: rx.url,
      secret,
      deliveryId: 'd-3',
      event: 'task.completed',
      payload: {},
      baseDelayMs: 5,
    });
    assert.deepEqual(rejected, { ok: false, attempts: 1, statusCode: 400, error: 'HTTP 400' });
    rx.script.push(502, 502, 502);
    const exhausted = await deliverWebhook({
      url: rx.url,
      secret,
      deliveryId: 'd-4',
      event: 'task.completed',
      payload: {},
      maxAttempts: 3,
      baseDelayMs: 5,
    });
    assert.deepEqual(exhausted, { ok: false, attempts: 3, statusCode: 502, error: 'HTTP 502' });
  });

  it('retries network errors', async () => {
    const out = await deliverWebhook({
      url: 'http://127.0.0.1:1/unreachable',
      secret,
      deliveryId: 'd-5',
      event: 'task.completed',
      payload: {},
      maxAttempts: 2,
      baseDelayMs: 5,
    });
    assert.equal(out.ok, false);
    assert.equal(out.attempts, 2);
    assert.equal(out.statusCode, null);
    assert.match(out.error ?? '', /fetch failed|ECONNREFUSED/i);
  });
});
