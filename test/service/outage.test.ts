/**
 * Dependencies going away and coming back. Redis: a throwaway `redis-server` child on a free port
 * that the test kills and restarts. PostgreSQL: the shared server stays up; a TCP proxy in front of
 * it is cut and restored (to the client this is the same outage). While a dependency is down
 * `/ready` answers 503, `/health` 200, requests fail with a coded 503, nothing crashes; when it
 * returns, work is accepted again.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { encodeWav, tone } from '../helpers/fixtures.js';
import type { Runtime } from '../../src/service/runtime.js';
import {
  cleanupBackend,
  createHarness,
  multipart,
  pgUrl,
  startAdminRuntime,
  type Harness,
} from './harness.js';

const wav = encodeWav([tone(330, 0.3, 16000)], { sampleRateHz: 16000 });

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** A TCP proxy that can be cut (all connections destroyed, port closed) and restored. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}
  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
  }
  async cut(): Promise<void> {
    const closed = new Promise<void>((r) => this.server?.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

/** Polls until `f` returns true (the outage is asynchronous); fails after `tries`. */
async function eventually(f: () => Promise<boolean>, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await f()) return;
    await sleep(50);
  }
  assert.fail(`never: ${what}`);
}

async function submit(h: Harness) {
  const up = multipart([
    { name: 'processing_type', value: 'technical' },
    { name: 'audio_file', filename: 'x.wav', data: wav },
  ]);
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/process',
    headers: { ...up.headers, ...h.auth('archivist') },
    payload: up.payload,
  });
}

function noStrayUploads(h: Harness, accepted: number): void {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else files.push(e.name);
    }
  };
  if (existsSync(h.config.uploadDir)) walk(h.config.uploadDir);
  assert.equal(files.length, accepted, `upload files on disk: ${files.join(', ')}`);
}

describe('Redis going away (BullMQ queue, throwaway redis-server)', () => {
  let h: Harness;
  let redis: ChildProcess;
  let port: number;
  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    h = await createHarness('sqlite+local', { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port) });
  });
  after(async () => {
    if (redis.exitCode !== null) redis = await startRedis(port);
    await h.close();
    await stopChild(redis);
  });

  it('answers 503 while Redis is down and accepts work again when it returns', async () => {
    assert.equal(h.queue.backend, 'bullmq');
    assert.equal((await h.app.inject({ url: '/ready' })).statusCode, 200);
    assert.equal((await submit(h)).statusCode, 202);

    await stopChild(redis);
    await eventually(
      async () => (await h.app.inject({ url: '/ready' })).statusCode === 503,
      '/ready 503',
    );
    const ready = (await h.app.inject({ url: '/ready' })).json();
    assert.equal(ready.components.queue.ok, false);
    assert.equal(ready.components.database.ok, true);
    assert.equal((await h.app.inject({ url: '/health' })).statusCode, 200);
    const down = await submit(h);
    assert.equal(down.statusCode, 503, down.body);
    assert.equal(down.json().error.code, 'SONO_ERR_QUEUE_UNAVAILABLE');
    // The refused task is not left behind at all: no queued row without a job, no `failed` row.
    const queued = await h.store.tasks.list({ status: 'queued' });
    assert.equal(queued.items.length, 1);
    assert.equal((await h.store.tasks.list({})).items.length, 1, 'only the accepted task');
    // A refused batch takes back every task it had committed, and its batch row.
    const batchUp = multipart([
      { name: 'processing_type', value: 'technical' },
      { name: 'audio_file', filename: 'a.wav', data: wav },
      { name: 'audio_file', filename: 'b.wav', data: wav },
    ]);
    const batch = await h.app.inject({
      method: 'POST',
      url: '/api/v1/batch/process',
      headers: { ...batchUp.headers, ...h.auth('archivist') },
      payload: batchUp.payload,
    });
    assert.equal(batch.statusCode, 503, batch.body);
    assert.equal(batch.json().error.code, 'SONO_ERR_QUEUE_UNAVAILABLE');
    assert.equal((await h.store.tasks.list({})).items.length, 1, 'no rows from the batch');
    noStrayUploads(h, 1);
    // Reads that do not need the queue still work.
    assert.equal(
      (await h.app.inject({ url: '/api/v1/tasks', headers: h.auth('viewer') })).statusCode,
      200,
    );
    const metrics = await h.app.inject({ url: '/metrics' });
    assert.equal(metrics.statusCode, 200);

    redis = await startRedis(port);
    await eventually(
      async () => (await h.app.inject({ url: '/ready' })).statusCode === 200,
      '/ready 200 again',
    );
    // Right after the restart a connection may still be re-establishing: a 503 is a fair answer
    // then, and a client retry must succeed shortly.
    let last = '';
    await eventually(async () => {
      const res = await submit(h);
      last = res.body;
      return res.statusCode === 202;
    }, `submission accepted after recovery (last: ${last})`);
    await eventually(
      async () => (await h.queue.counts()).waiting >= 1,
      'job queued after recovery',
    );
  });
});

describe('PostgreSQL going away (TCP proxy cut)', () => {
  let h: Harness;
  let proxy: CuttableProxy;
  before(async () => {
    const pgu = pgUrl();
    proxy = new CuttableProxy(await freePort(), {
      host: pgu.hostname,
      port: Number(pgu.port || 5432),
    });
    await proxy.start();
    h = await createHarness('postgres+bullmq', { DB_PORT: String(proxy.port) });
  });
  after(async () => {
    await proxy.cut().catch(() => undefined);
    await proxy.start();
    await h.close();
    await proxy.cut();
  });

  it('answers 503 with SONO_ERR_DB_UNAVAILABLE while the database is unreachable, then recovers', async () => {
    assert.equal((await h.app.inject({ url: '/ready' })).statusCode, 200);
    await proxy.cut();
    await eventually(
      async () => (await h.app.inject({ url: '/ready' })).statusCode === 503,
      '/ready 503',
    );
    const ready = (await h.app.inject({ url: '/ready' })).json();
    assert.equal(ready.components.database.ok, false);
    assert.equal(ready.components.queue.ok, true);
    assert.equal((await h.app.inject({ url: '/health' })).statusCode, 200);
    const list = await h.app.inject({ url: '/api/v1/tasks', headers: h.auth('viewer') });
    assert.equal(list.statusCode, 503, list.body);
    assert.equal(list.json().error.code, 'SONO_ERR_DB_UNAVAILABLE');
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'viewer1', password: 'x' },
    });
    assert.equal(login.statusCode, 503);
    const up = await submit(h);
    assert.equal(up.statusCode, 503, up.body);
    assert.equal(up.json().error.code, 'SONO_ERR_DB_UNAVAILABLE');
    noStrayUploads(h, 0); // the refused upload's file is removed

    await proxy.start();
    await eventually(
      async () => (await h.app.inject({ url: '/ready' })).statusCode === 200,
      '/ready 200 again',
    );
    const ok = await submit(h);
    assert.equal(ok.statusCode, 202, ok.body);
    noStrayUploads(h, 1);
    assert.equal(
      (await h.app.inject({ url: '/api/v1/tasks', headers: h.auth('viewer') })).statusCode,
      200,
    );
  });
});

describe('work resumes after a Redis outage (API + in-process worker)', () => {
  let redis: ChildProcess;
  let port: number;
  let rt: Runtime;
  let auth: { authorization: string };
  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    ({ rt, auth } = await startAdminRuntime('sqlite+local', {
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(port),
      WORKER_CONCURRENCY: '1',
    }));
  });
  after(async () => {
    if (redis.exitCode !== null) redis = await startRedis(port);
    await rt.stop(1);
    await cleanupBackend(rt.config);
    await stopChild(redis);
  });

  it('the worker picks jobs up again once Redis is back', async () => {
    await stopChild(redis);
    await eventually(
      async () => (await rt.app!.inject({ url: '/ready' })).statusCode === 503,
      '/ready 503',
    );
    redis = await startRedis(port);
    await eventually(
      async () => (await rt.app!.inject({ url: '/ready' })).statusCode === 200,
      '/ready 200',
    );
    let id = '';
    await eventually(async () => {
      const up = multipart([
        { name: 'processing_type', value: 'technical' },
        { name: 'audio_file', filename: 'after-outage.wav', data: wav },
      ]);
      const res = await rt.app!.inject({
        method: 'POST',
        url: '/api/v1/process',
        headers: { ...up.headers, ...auth },
        payload: up.payload,
      });
      id = res.statusCode === 202 ? (res.json() as { task_id: string }).task_id : '';
      return id !== '';
    }, 'submission accepted');
    await eventually(
      async () =>
        (await rt.app!.inject({ url: `/api/v1/status/${id}`, headers: auth })).json().status ===
        'completed',
      'job completed after the outage',
      1200,
    );
  });
});
