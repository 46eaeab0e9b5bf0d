/**
 * `npm run bench:service`: load benchmark of the HTTP service (not part of `npm test`).
 *
 * The service runs as a real child process (`src/cli/main.ts serve`, through tsx) so the load
 * generator never shares its event loop. Measures:
 * 1. `/health` latency under 200 concurrent keep-alive connections (p50/p99);
 * 2. 100 concurrent 10 MB uploads: all accepted, and as many tasks in the database;
 * 3. one 1 GB upload streamed from memory-generated chunks, server RSS sampled (/proc) during it;
 * 4. jobs per minute with 1 and 2 `sonoteca worker` processes on Redis (short technical jobs).
 *
 * Prints a table and appends it to docs/BENCHMARKS.md under "Service" (between markers, replaced
 * on each run). Flags: --quick (smaller counts), --no-write, --only <health|uploads|big|workers>.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashPassword } from '../src/service/auth/passwords.js';
import { createDatabase } from '../src/store/database.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const write = !args.includes('--no-write');
/** `--only health|uploads|big|workers`: run one phase (the table then holds only its rows). */
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const runs = (phase: string): boolean => only === undefined || only === phase;
const HEALTH_CONNECTIONS = 200;
const HEALTH_SECONDS = quick ? 3 : 10;
const UPLOADS = quick ? 20 : 100;
const UPLOAD_BYTES = 10 * 1024 * 1024;
const BIG_BYTES = quick ? 256 * 1024 * 1024 : 1024 * 1024 * 1024;
const JOBS = quick ? 10 : 30;
const PASSWORD = 'bench-password-0123456789';

interface Row {
  readonly measure: string;
  readonly value: string;
  readonly target: string;
  readonly ok: boolean | null;
}
const rows: Row[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** CPU time (user + system) of a process so far, ms (from /proc, 10 ms ticks). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A WAV header for `dataBytes` of 16-bit mono 48 kHz PCM (the data follows separately). */
function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(48000, 24);
  h.writeUInt32LE(96000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** One second of a 440 Hz tone, 16-bit mono 48 kHz (repeated to build large files). */
const TONE_SECOND = (() => {
  const b = Buffer.alloc(96000);
  for (let i = 0; i < 48000; i++)
    b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000)), 2 * i);
  return b;
})();

function wavOfBytes(total: number): Buffer {
  const data = Buffer.alloc(total - 44);
  for (let o = 0; o < data.length; o += TONE_SECOND.length)
    TONE_SECOND.copy(data, o, 0, Math.min(TONE_SECOND.length, data.length - o));
  return Buffer.concat([wavHeader(data.length), data]);
}

interface Service {
  readonly base: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

function tsxArgs(command: string[]): string[] {
  return ['--import', 'tsx', 'src/cli/main.ts', ...command];
}

async function startProcess(
  command: string[],
  env: Record<string, string>,
  port?: number,
): Promise<Service> {
  const child = spawn(process.execPath, tsxArgs(command), {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port ?? 0}`;
  if (port !== undefined) {
    for (let i = 0; i < 600; i++) {
      try {
        if ((await fetch(`${base}/health`)).ok) break;
      } catch {
        // not up yet
      }
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited ${child.exitCode}`);
      await sleep(100);
    }
  }
  return {
    base,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function setUp(
  dataDir: string,
  extraEnv: Record<string, string>,
): Promise<Record<string, string>> {
  const env = { DATA_DIR: dataDir, SECRET_KEY: randomBytes(32).toString('hex'), ...extraEnv };
  const store = await createDatabase({ kind: 'sqlite', file: join(dataDir, 'sonoteca.db') });
  await store.users.create({
    username: 'bench',
    passwordHash: await hashPassword(PASSWORD),
    role: 'admin',
  });
  await store.close();
  return env;
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function countTasks(base: string, token: string, status?: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({
      limit: '1000',
      ...(status ? { status } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const res = await fetch(`${base}/api/v1/tasks?${q}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { items: unknown[]; next_cursor: string | null };
    n += body.items.length;
    cursor = body.next_cursor;
  } while (cursor !== null);
  return n;
}

/** 1. /health under 200 concurrent keep-alive connections. */
async function benchHealth(base: string, pid: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: HEALTH_CONNECTIONS });
  const url = new URL(`${base}/health`);
  const latencies: number[] = [];
  let errors = 0;
  let record = false;
  const deadline = performance.now() + (1 + HEALTH_SECONDS) * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, agent },
        (res: IncomingMessage) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            else if (record) latencies.push(performance.now() - t0);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  // One second of warm-up (200 connections being opened) is not recorded.
  let cpu0 = 0;
  const warm = setTimeout(() => {
    record = true;
    cpu0 = cpuMs(pid);
  }, 1000);
  await Promise.all(
    Array.from({ length: HEALTH_CONNECTIONS }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  clearTimeout(warm);
  const serverCpuPerRequestMs = (cpuMs(pid) - cpu0) / latencies.length;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const p50 = quantile(latencies, 0.5);
  const p99 = quantile(latencies, 0.99);
  rows.push({
    measure: `/health requests (${HEALTH_CONNECTIONS} connections, ${HEALTH_SECONDS} s)`,
    value: `${latencies.length} ok, ${errors} errors, ${Math.round(latencies.length / HEALTH_SECONDS)} req/s`,
    target: '0 errors',
    ok: errors === 0,
  });
  rows.push({
    measure: '/health latency p50',
    value: `${p50.toFixed(1)} ms`,
    target: '',
    ok: null,
  });
  rows.push({
    measure: '/health server CPU per request',
    value: `${serverCpuPerRequestMs.toFixed(3)} ms`,
    target: '',
    ok: null,
  });
  rows.push({
    measure: '/health latency p99',
    value: `${p99.toFixed(1)} ms`,
    target: '< 50 ms',
    ok: p99 < 50,
  });
}

/** 2. Concurrent 10 MB uploads: every one accepted and in the database. */
async function benchUploads(base: string, token: string): Promise<void> {
  const before = await countTasks(base, token);
  const body = wavOfBytes(UPLOAD_BYTES);
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: UPLOADS }, async (_x, i) => {
      const form = new FormData();
      form.append('processing_type', 'technical');
      form.append('audio_file', new Blob([body], { type: 'audio/wav' }), `upload-${i}.wav`);
      try {
        const res = await fetch(`${base}/api/v1/process`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
        });
        await res.arrayBuffer();
        return res.status;
      } catch {
        return 0;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const accepted = results.filter((s) => s === 202).length;
  const inDb = (await countTasks(base, token)) - before;
  rows.push({
    measure: `${UPLOADS} concurrent 10 MB uploads`,
    value: `${accepted} × 202, ${inDb} tasks in DB, ${seconds.toFixed(1)} s (${((UPLOADS * UPLOAD_BYTES) / 1048576 / seconds).toFixed(0)} MB/s)`,
    target: 'all accepted, 0 lost',
    ok: accepted === UPLOADS && inDb === UPLOADS,
  });
}

/** 3. One huge upload streamed from generated chunks; server RSS sampled every 50 ms. */
async function benchBigUpload(svc: Service, token: string): Promise<void> {
  const pid = svc.child.pid!;
  await sleep(500);
  const baseline = rssMb(pid);
  let peak = baseline;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // process gone
    }
  }, 50);
  const boundary = `----bench${randomBytes(6).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="processing_type"\r\n\r\ntechnical\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="audio_file"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const dataBytes = BIG_BYTES - 44;
  const url = new URL(`${svc.base}/api/v1/process`);
  const chunk = Buffer.alloc(TONE_SECOND.length * 10);
  for (let o = 0; o < chunk.length; o += TONE_SECOND.length) TONE_SECOND.copy(chunk, o);
  const t0 = performance.now();
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + 44 + dataBytes + tail.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.write(head);
    req.write(wavHeader(dataBytes));
    let sent = 0;
    const pump = (): void => {
      while (sent < dataBytes) {
        const n = Math.min(chunk.length, dataBytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    pump();
  });
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  const growth = peak - baseline;
  rows.push({
    measure: `${(BIG_BYTES / 1073741824).toFixed(2)} GiB upload`,
    value: `HTTP ${status}, ${seconds.toFixed(1)} s (${(BIG_BYTES / 1048576 / seconds).toFixed(0)} MB/s)`,
    target: '202',
    ok: status === 202,
  });
  rows.push({
    measure: 'server RSS during it',
    value: `${baseline.toFixed(0)} → peak ${peak.toFixed(0)} MB (growth ${growth.toFixed(1)} MB)`,
    target: 'growth < 50 MB',
    ok: growth < 50,
  });
}

/** 4. Jobs per minute with k worker processes on Redis (API without a worker submits them). */
async function benchWorkers(k: number, redisPort: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sono-bench-'));
  const port = await freePort();
  const prefix = `sono-bench-${randomBytes(4).toString('hex')}`;
  const env = await setUp(dataDir, {
    PORT: String(port),
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(redisPort),
    QUEUE_PREFIX: prefix,
    WORKER_CONCURRENCY: '1',
  });
  const api = await startProcess(['serve', '--no-worker'], env, port);
  const workers: Service[] = [];
  try {
    const token = await login(api.base);
    // Workers first, each up and ready (its probe port answers /ready) before the clock starts.
    for (let i = 0; i < k; i++) {
      const probePort = await freePort();
      workers.push(
        await startProcess(['worker', '--health-port', String(probePort)], env, probePort),
      );
      for (
        let j = 0;
        j < 300 &&
        (await fetch(`http://127.0.0.1:${probePort}/ready`).catch(() => undefined))?.status !== 200;
        j++
      )
        await sleep(100);
    }
    // 20 s technical jobs: short, but long enough that the analysis dominates the overheads.
    const body = wavOfBytes(44 + 20 * TONE_SECOND.length);
    const t0 = performance.now();
    for (let i = 0; i < JOBS; i++) {
      const form = new FormData();
      form.append('processing_type', 'technical');
      // Distinct content per job so the results cache does not short-cut the work.
      const b = Buffer.from(body);
      b.writeInt16LE(i, 44);
      form.append('audio_file', new Blob([b], { type: 'audio/wav' }), `job-${i}.wav`);
      const res = await fetch(`${api.base}/api/v1/process`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
    }
    let done = 0;
    while (done < JOBS) {
      await sleep(250);
      done =
        (await countTasks(api.base, token, 'completed')) +
        (await countTasks(api.base, token, 'failed'));
      if (performance.now() - t0 > 15 * 60_000) throw new Error('workers did not finish in 15 min');
    }
    const failed = await countTasks(api.base, token, 'failed');
    const minutes = (performance.now() - t0) / 60_000;
    rows.push({
      measure: `jobs/min, ${k} worker process${k > 1 ? 'es' : ''} (Redis, ${JOBS} × 20 s technical)`,
      value: `${(JOBS / minutes).toFixed(1)} jobs/min${failed ? `, ${failed} failed` : ''}`,
      target: '',
      ok: failed === 0 ? null : false,
    });
  } finally {
    for (const w of workers) await w.stop();
    await api.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function startRedis(): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await sleep(300);
  return {
    port,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function table(): string {
  const lines = ['| measure | result | target | |', '| --- | --- | --- | --- |'];
  for (const r of rows)
    lines.push(
      `| ${r.measure} | ${r.value} | ${r.target} | ${r.ok === null ? '' : r.ok ? 'ok' : '**MISSED**'} |`,
    );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const dataDir = mkdtempSync(join(tmpdir(), 'sono-bench-'));
  const port = await freePort();
  const env = await setUp(dataDir, { PORT: String(port), RATE_LIMIT_MAX: '1000000' });
  // API only (no worker) for the HTTP measurements: nothing else competes for the 2 cores.
  const svc = await startProcess(['serve', '--no-worker'], env, port);
  try {
    const token = await login(svc.base);
    if (runs('health')) {
      process.stderr.write('bench: /health…\n');
      await benchHealth(svc.base, svc.child.pid!);
    }
    if (runs('uploads')) {
      process.stderr.write('bench: uploads…\n');
      await benchUploads(svc.base, token);
    }
    if (runs('big')) {
      process.stderr.write('bench: big upload…\n');
      await benchBigUpload(svc, token);
    }
  } finally {
    await svc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const redis = await startRedis();
  try {
    if (!runs('workers')) return finish(loadBefore);
    for (const k of [1, 2]) {
      process.stderr.write(`bench: ${k} worker(s)…\n`);
      await benchWorkers(k, redis.port);
    }
  } finally {
    await redis.stop();
  }
  finish(loadBefore);
}

function finish(loadBefore: number): void {
  const header = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}${quick ? ' (--quick)' : ''}, load average ${loadBefore.toFixed(1)} at start (the machine is shared: numbers are lower bounds); service in its own process (SQLite, local files), load generator in another.`;
  const text = `${header}\n\n${table()}\n`;
  process.stdout.write(`\n${text}`);
  if (write) {
    const file = 'docs/BENCHMARKS.md';
    const start = '<!-- service-bench:start -->';
    const end = '<!-- service-bench:end -->';
    const section = `${start}\n## Service\n\n\`npm run bench:service\` (bench/service.ts). ${text}${end}`;
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
    const i = old.indexOf(start);
    const j = old.indexOf(end);
    const next =
      i >= 0 && j > i
        ? old.slice(0, i) + section + old.slice(j + end.length)
        : `${old.trimEnd()}\n\n${section}\n`;
    writeFileSync(file, next);
    process.stderr.write(`bench: wrote the Service section of ${file}\n`);
  }
  if (rows.some((r) => r.ok === false)) process.exitCode = 1;
}

await main();
