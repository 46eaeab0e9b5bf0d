/**
 * A real Prometheus (the Debian binary, loopback, a temporary data dir, 1 s scrapes) loads
 * deploy/prometheus/sonoteca.rules.yml and scrapes a real Sonoteca API and a separate
 * `sonoteca worker --health-port` process while corpus files are analysed; then every query of
 * every panel of deploy/grafana/sonoteca.json must return data through Prometheus' HTTP API.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { listen } from '../../src/service/server.js';
import { startRuntime, type Runtime } from '../../src/service/runtime.js';
import { corpusOrSkip } from '../helpers/corpus.js';
import { backendEnv, cleanupBackend, multipart } from '../service/harness.js';
import { binaryOrSkip } from './prometheus-bin.js';

const deploy = new URL('../../deploy/', import.meta.url).pathname;
const CORPUS_FILES = [
  'speech/librispeech-198-209-0000.ogg',
  'speech/librispeech-5703-47212-0000.ogg',
  'speech/librispeech-3436-172162-0000.ogg',
];

interface Panel {
  readonly title: string;
  readonly targets: readonly { readonly expr: string; readonly refId: string }[];
}
const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana/sonoteca.json'), 'utf8')) as {
  panels: Panel[];
};

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** SIGTERM (graceful stop) and wait for the exit. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface PromResult {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

describe('Prometheus scraping Sonoteca (real binary)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('every dashboard query returns data; API and worker targets up; rules loaded', async (t) => {
    const prometheusBin = binaryOrSkip(t, 'prometheus');
    const corpus = corpusOrSkip(t);
    if (prometheusBin === undefined || corpus === undefined) return;
    const t0 = Date.now();

    const env = backendEnv('sqlite+local', { WORKER_CONCURRENCY: '1', HOST: '127.0.0.1' });
    const timing = { pollIntervalMs: 50, backoffBaseMs: 50, leaseMs: 5000 };
    let password = '';
    const api: Runtime = await startRuntime(loadConfig(env, { envFile: false }), {
      api: true,
      worker: false,
      queueTiming: timing,
      onBootstrapPassword: (_u, p) => (password = p),
    });
    cleanups.push(async () => {
      await api.stop();
      await cleanupBackend(api.config);
    });
    const apiAddress = new URL(await listen(api.app!, { host: '127.0.0.1', port: 0 }));
    // A separate `sonoteca worker` process, as deployed: its job metrics exist only there and
    // are scraped on its health port.
    const workerPort = await freePort();
    const worker: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--health-port', String(workerPort)],
      {
        cwd: new URL('../../', import.meta.url).pathname,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let workerLog = '';
    worker.stderr!.on('data', (c: Buffer) => (workerLog += c.toString()));
    cleanups.push(() => stopChild(worker));
    const dir = mkdtempSync(join(tmpdir(), 'sono-prom-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(deploy, 'prometheus/sonoteca.rules.yml')],
        scrape_configs: [
          { job_name: 'sonoteca-api', static_configs: [{ targets: [apiAddress.host] }] },
          {
            job_name: 'sonoteca-worker',
            static_configs: [{ targets: [`127.0.0.1:${workerPort}`] }],
          },
        ],
      }),
    );
    const prom: ChildProcess = spawn(
      prometheusBin,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let promLog = '';
    prom.stderr!.on('data', (c: Buffer) => (promLog += c.toString()));
    cleanups.push(() => stopChild(prom));
    const promUrl = `http://127.0.0.1:${promPort}`;
    const promApi = async (path: string): Promise<Record<string, unknown>> => {
      const res = await fetch(promUrl + path);
      const body = (await res.json()) as { status: string; data: Record<string, unknown> };
      assert.equal(body.status, 'success', `${path}: ${JSON.stringify(body)}`);
      return body.data;
    };
    for (let i = 0; ; i++) {
      assert.equal(prom.exitCode, null, `prometheus exited: ${promLog}`);
      const ok = await fetch(`${promUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      assert.ok(i < 100, `prometheus not ready: ${promLog}`);
      await sleep(100);
    }

    // Both targets scraped before any job runs, so rate() sees every increase.
    for (let i = 0; ; i++) {
      const data = (await promApi('/api/v1/targets')) as {
        activeTargets: { health: string }[];
      };
      if (data.activeTargets.length === 2 && data.activeTargets.every((x) => x.health === 'up'))
        break;
      assert.equal(worker.exitCode, null, `worker exited: ${workerLog}`);
      assert.ok(i < 600, `targets not up: ${JSON.stringify(data)} ${workerLog}`);
      await sleep(100);
    }

    // Work for the dashboard: corpus files analysed by the worker, and one refused upload.
    const login = await api.app!.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password },
    });
    const auth = { authorization: `Bearer ${login.json().access_token as string}` };
    const ids: string[] = [];
    for (const f of CORPUS_FILES) {
      const up = multipart([
        { name: 'processing_type', value: 'technical' },
        { name: 'audio_file', filename: basename(f), data: readFileSync(join(corpus, f)) },
      ]);
      const res = await api.app!.inject({
        method: 'POST',
        url: '/api/v1/process',
        headers: { ...up.headers, ...auth },
        payload: up.payload,
      });
      assert.equal(res.statusCode, 202, res.body);
      ids.push(res.json().task_id as string);
    }
    const bad = multipart([
      {
        name: 'audio_file',
        filename: 'notes.wav',
        data: Buffer.from('not audio at all '.repeat(64)),
      },
    ]);
    const refused = await api.app!.inject({
      method: 'POST',
      url: '/api/v1/process',
      headers: { ...bad.headers, ...auth },
      payload: bad.payload,
    });
    assert.equal(refused.json().error.code, 'SONO_ERR_NOT_AUDIO', refused.body);
    for (const id of ids) {
      for (let i = 0; ; i++) {
        const st = (await api.app!.inject({ url: `/api/v1/status/${id}`, headers: auth })).json();
        if (st.status === 'completed') break;
        assert.ok(!['failed', 'cancelled'].includes(st.status), JSON.stringify(st));
        assert.ok(i < 600, `task ${id} still ${String(st.status)}`);
        await sleep(100);
      }
    }

    const targets = (await promApi('/api/v1/targets')) as {
      activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
    };
    assert.deepEqual(targets.activeTargets.map((x) => x.labels['job']).sort(), [
      'sonoteca-api',
      'sonoteca-worker',
    ]);

    // Each panel query, Grafana's $__rate_interval set to the whole test so far.
    const missing = new Set<string>();
    for (let round = 0; round < 30; round++) {
      missing.clear();
      const windowSec = Math.ceil((Date.now() - t0) / 1000) + 5;
      for (const panel of dashboard.panels) {
        for (const target of panel.targets) {
          const expr = target.expr.replaceAll('$__rate_interval', `${windowSec}s`);
          const data = (await promApi(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
            result: PromResult[];
          };
          const values = data.result.map((r) => Number(r.value[1]));
          if (!values.some((v) => Number.isFinite(v)))
            missing.add(`${panel.title} [${target.refId}]`);
        }
      }
      if (missing.size === 0) break;
      await sleep(1000);
    }
    assert.deepEqual([...missing], [], 'panels without data');

    // Values that are known from what the test did.
    const q = async (expr: string) =>
      (
        (await promApi(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
          result: PromResult[];
        }
      ).result;
    const [workers] = await q('count(sonoteca_worker_concurrency > 0)');
    assert.equal(workers?.value[1], '1');
    const [completed] = await q('max(sonoteca_tasks{state="completed"})');
    assert.equal(completed?.value[1], String(CORPUS_FILES.length));
    const byJob = await q('sum by (job) (sonoteca_job_attempts_total{outcome="completed"})');
    assert.deepEqual(
      byJob.map((r) => [r.metric['job'], r.value[1]]),
      [['sonoteca-worker', String(CORPUS_FILES.length)]],
    );
    const window = `${Math.ceil((Date.now() - t0) / 1000) + 5}s`;
    const [speed] = await q(
      `sum(rate(sonoteca_audio_seconds_processed_total[${window}])) / sum(rate(sonoteca_processing_seconds_total[${window}]))`,
    );
    assert.ok(Number(speed?.value[1]) > 1, `× real time per job: ${speed?.value[1]}`);
    const [notAudio] = await q(
      'sum(sonoteca_errors_total{code="SONO_ERR_NOT_AUDIO",source="http"})',
    );
    assert.equal(notAudio?.value[1], '1');

    const rules = (await promApi('/api/v1/rules')) as {
      groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[];
    };
    assert.deepEqual(rules.groups.map((g) => g.name).sort(), [
      'sonoteca.alerts',
      'sonoteca.recording',
    ]);
    for (const r of rules.groups.flatMap((g) => g.rules))
      assert.notEqual(r.health, 'err', `${r.name}: ${r.lastError ?? ''}`);
    t.diagnostic(`prometheus test took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
});
