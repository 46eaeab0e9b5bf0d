/**
 * End to end through the real runtime: upload a generated WAV over HTTP, the real queue and the
 * real pipeline (worker threads) analyse it, the results, exports, MAXXI package and signed webhook
 * come out; identical content is served from the results cache; a graceful stop in the middle of
 * a job loses nothing (the job is requeued and completes in the next process). Looped over
 * SQLite + local queue and PostgreSQL + BullMQ.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { verifyWebhookSignature } from '../../src/maxxi/webhook.js';
import { storeConfigOf } from '../../src/service/runtime-config.js';
import { startRuntime, type Runtime } from '../../src/service/runtime.js';
import { createDatabase } from '../../src/store/database.js';
import { encodeWav, noise, tone } from '../helpers/fixtures.js';
import { BACKENDS, backendEnv, cleanupBackend, multipart } from './harness.js';

const CALLBACK_SECRET = 'e2e-callback-secret-0123456789';

const wav = encodeWav(
  [Float32Array.from(tone(440, 2, 22050), (v, i) => v + noise(2, 22050, 0.01, 3)[i]!)],
  { sampleRateHz: 22050 },
);
const wavSha = createHash('sha256').update(wav).digest('hex');

async function waitForStatus(
  rt: Runtime,
  token: string,
  id: string,
  want: readonly string[],
  pollMs = 100,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 120_000 / pollMs; i++) {
    const res = await rt.app!.inject({
      url: `/api/v1/status/${id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    const b = res.json() as Record<string, unknown>;
    if (want.includes(b['status'] as string)) return b;
    if (
      ['failed', 'cancelled'].includes(b['status'] as string) &&
      !want.includes(b['status'] as string)
    )
      assert.fail(`task ${id} ended ${String(b['status'])}: ${JSON.stringify(b['error'])}`);
    await sleep(pollMs);
  }
  assert.fail(`task ${id} never reached ${want.join('/')}`);
}

async function submit(
  rt: Runtime,
  token: string,
  data: Buffer,
  type = 'technical',
  filename = 'aria.wav',
): Promise<string> {
  const up = multipart([
    { name: 'processing_type', value: type },
    { name: 'audio_file', filename, data },
  ]);
  const res = await rt.app!.inject({
    method: 'POST',
    url: '/api/v1/process',
    headers: { ...up.headers, authorization: `Bearer ${token}` },
    payload: up.payload,
  });
  assert.equal(res.statusCode, 202, res.body);
  return (res.json() as { task_id: string }).task_id;
}

for (const backend of BACKENDS) {
  describe(`end to end (${backend})`, () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = 200;
        res.end('ok');
      });
    });
    let rt: Runtime;
    let env: Record<string, string>;
    let token = '';
    before(async () => {
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
      const { port } = receiver.address() as AddressInfo;
      env = backendEnv(backend, {
        MAXXI_CALLBACK_URL: `http://127.0.0.1:${port}/maxxi`,
        MAXXI_CALLBACK_SECRET: CALLBACK_SECRET,
        WORKER_CONCURRENCY: '1',
      });
      let password = '';
      rt = await startRuntime(loadConfig(env, { envFile: false }), {
        api: true,
        worker: true,
        queueTiming: { pollIntervalMs: 20, backoffBaseMs: 50, leaseMs: 3000 },
        onBootstrapPassword: (_u, p) => (password = p),
        webhook: { baseDelayMs: 20 },
      });
      const login = await rt.app!.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password },
      });
      assert.equal(login.statusCode, 200, login.body);
      token = (login.json() as { access_token: string }).access_token;
    });
    after(async () => {
      await rt.stop();
      await new Promise<void>((r) => receiver.close(() => r()));
      await cleanupBackend(rt.config);
    });

    it('upload → queue → pipeline → results, exports, MAXXI package and signed webhook', async () => {
      const id = await submit(rt, token, wav);
      const st = await waitForStatus(rt, token, id, ['completed']);
      assert.equal(st['progress'], 100);
      assert.ok((st['processing_time'] as number) > 0);
      assert.ok(st['started_at'] !== null && st['completed_at'] !== null);

      const res = await rt.app!.inject({
        url: `/api/v1/results/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 200);
      const report = res.json();
      assert.equal(report.task_id, id);
      assert.ok(
        Math.abs(report.audio_info.duration - 2) < 0.01,
        String(report.audio_info.duration),
      );
      assert.equal(report.audio_info.sample_rate, 22050);
      assert.equal(report.audio_info.channels, 1);
      assert.equal(report.results.fixity.sha256, wavSha);
      assert.equal(report.processing.processing_type, 'technical');
      assert.ok(report.results.metadata_generation.dublin_core);

      const ex = await rt.app!.inject({
        url: `/api/v1/results/${id}/exports`,
        headers: { authorization: `Bearer ${token}` },
      });
      const ids = (ex.json().exports as { id: string }[]).map((e) => e.id);
      assert.ok(ids.includes('dublin-core-xml') && ids.includes('dublin-core-json'));
      const xml = await rt.app!.inject({
        url: `/api/v1/results/${id}/exports/dublin-core-xml`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(xml.statusCode, 200);
      assert.match(String(xml.headers['content-type']), /application\/xml/);
      assert.match(xml.body, /<oai_dc:dc[\s\S]*audio\/wav/);
      assert.match(String(xml.headers['content-disposition']), /aria\.wav\.dc\.xml/);

      // The package is written by the completion hook, just after the task is marked completed.
      for (let i = 0; i < 200 && (await rt.store.maxxi.get(id)) === undefined; i++) await sleep(50);
      const meta = await rt.app!.inject({
        url: `/api/maxxi/metadata/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(meta.statusCode, 200);
      const m = meta.json();
      assert.equal(m.task_id, id);
      assert.equal(m.fixity.sha256, wavSha);
      const pkgDir = join(rt.config.maxxi.outputDir, m.package.path);
      const manifest = JSON.parse(readFileSync(join(pkgDir, 'manifest.json'), 'utf8'));
      for (const f of manifest.files)
        assert.equal(
          createHash('sha256')
            .update(readFileSync(join(pkgDir, f.path)))
            .digest('hex'),
          f.sha256,
        );

      await rt.maxxi.idle();
      const hook = received.find((r) => JSON.parse(r.body).task_id === id);
      assert.ok(hook, 'webhook received');
      assert.ok(
        verifyWebhookSignature(
          CALLBACK_SECRET,
          String(hook.headers['x-sonoteca-timestamp']),
          hook.body,
          String(hook.headers['x-sonoteca-signature']),
        ),
      );
      assert.equal((await rt.store.maxxi.get(id))?.state, 'delivered');

      const metrics = (await rt.app!.inject({ url: '/metrics' })).body;
      const audio =
        /sonoteca_audio_seconds_processed_total\{processing_type="technical"\} ([\d.e+-]+)/.exec(
          metrics,
        );
      assert.ok(audio && Number(audio[1]) >= 1.99, 'audio seconds');
      assert.match(
        metrics,
        /sonoteca_job_duration_seconds_count\{processing_type="technical",outcome="completed"\} [1-9]/,
      );
      assert.match(metrics, /sonoteca_tasks\{state="completed"\} [1-9]/);
      assert.match(metrics, /sonoteca_job_attempts_total\{outcome="completed"\} [1-9]/);
      assert.match(metrics, /sonoteca_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
      assert.match(metrics, /sonoteca_analyzer_seconds_total\{analyzer="[a-z_-]+"\} /);
      assert.match(metrics, /sonoteca_worker_concurrency 1\n/);
      assert.match(metrics, /sonoteca_ready\{component="database"\} 1\n/);

      // The same content again: served from the results cache, not analysed twice.
      const again = await submit(rt, token, wav);
      const st2 = await waitForStatus(rt, token, again, ['completed']);
      assert.equal(st2['cached_from_task_id'], id);
      const r2 = (
        await rt.app!.inject({
          url: `/api/v1/results/${again}`,
          headers: { authorization: `Bearer ${token}` },
        })
      ).json();
      assert.equal(r2.task_id, again);
      assert.equal(r2.results.fixity.sha256, wavSha);
    });

    it('a cache hit is addressed to its own upload: report, Dublin Core and exports never name the other submission', async () => {
      const first = await submit(rt, token, wav);
      await waitForStatus(rt, token, first, ['completed']);
      const other = await submit(rt, token, wav, 'technical', 'other-take.mp3');
      const st = await waitForStatus(rt, token, other, ['completed']);
      assert.notEqual(st['cached_from_task_id'], null, 'served from the cache');
      const get = async (url: string): Promise<string> => {
        const res = await rt.app!.inject({ url, headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
        return res.body;
      };
      const report = JSON.parse(await get(`/api/v1/results/${other}`));
      assert.equal(report.task_id, other);
      assert.equal(report.source.file_name, 'other-take.mp3');
      assert.ok(report.source.path.endsWith(`/${other}/other-take.mp3`), report.source.path);
      assert.deepEqual(report.results.metadata_generation.dublin_core.title, ['other-take.mp3']);
      // The same bytes under a name that does not fit them: this upload's own finding.
      assert.equal(report.results.technical_metadata.content.extension_mismatch, true);
      const { exports } = JSON.parse(await get(`/api/v1/results/${other}/exports`)) as {
        exports: { id: string; url: string }[];
      };
      assert.ok(exports.length >= 3, exports.map((e) => e.id).join(','));
      for (const body of [
        JSON.stringify(report),
        ...(await Promise.all(exports.map((e) => get(e.url)))),
      ]) {
        assert.equal(body.includes('aria.wav'), false, "the other upload's name");
        for (const id of [first, st['cached_from_task_id'] as string])
          assert.equal(body.includes(`/${id}/`), false, "the other upload's path");
      }
      const dc = await get(`/api/v1/results/${other}/exports/dublin-core-xml`);
      assert.match(dc, /<dc:title>other-take\.mp3<\/dc:title>/);
    });

    it('rejects corrupt audio at analysis without retrying (failed, coded error)', async () => {
      // A WAV cut inside its header: nothing decodable. (A WAV cut inside its audio is analysed
      // as far as it decodes, with a truncated finding: test/pipeline/mislabelled-damaged.)
      const truncated = Buffer.from(wav.subarray(0, 40));
      const id = await submit(rt, token, truncated);
      const st = await waitForStatus(rt, token, id, ['failed']);
      const code = (st['error'] as { code: string }).code;
      assert.match(code, /^SONO_ERR_(TRUNCATED|CORRUPT_HEADER|DECODE_FAILED)$/);
      assert.equal(st['attempts'], 1, 'corrupt audio is not retried');
      const res = await rt.app!.inject({
        url: `/api/v1/results/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 409);
      assert.match(res.body, new RegExp(code));
      // Counted once, by the process whose worker ran it (worker events are process-local).
      let metrics = '';
      for (let i = 0; i < 40; i++) {
        metrics = (await rt.app!.inject({ url: '/metrics' })).body;
        if (metrics.includes(`sonoteca_errors_total{code="${code}",source="job"}`)) break;
        await sleep(50);
      }
      assert.match(
        metrics,
        new RegExp(`sonoteca_errors_total\\{code="${code}",source="job"\\} 1\\n`),
      );
      assert.match(metrics, /sonoteca_job_attempts_total\{outcome="failed"\} 1\n/);
      assert.match(metrics, /sonoteca_job_attempts_total\{outcome="retrying"\} 0\n/);
    });

    it('a graceful stop mid-job requeues it; the next process completes it (nothing lost)', async () => {
      // Five minutes of audio: long enough to be caught mid-analysis.
      const long = encodeWav([tone(220, 300, 22050)], { sampleRateHz: 22050 });
      const id = await submit(rt, token, long, 'technical');
      await waitForStatus(rt, token, id, ['processing'], 10);
      // Stop with a 0.1 s grace: the in-flight job goes back to the durable queue.
      const config = rt.config;
      await rt.stop(0.1);
      // Between the two processes the durable state says: back in the queue, not lost.
      const probe = await createDatabase(storeConfigOf(config));
      const t = await probe.tasks.get(id);
      await probe.close();
      assert.equal(t?.status, 'queued');
      let password = '';
      rt = await startRuntime(loadConfig(env, { envFile: false }), {
        api: true,
        worker: true,
        queueTiming: { pollIntervalMs: 20, backoffBaseMs: 50, leaseMs: 3000 },
        shutdownTimeoutSec: 0.2,
        onBootstrapPassword: (_u, p) => (password = p),
      });
      assert.equal(password, '', 'no second bootstrap');
      assert.equal(rt.config.dataDir, config.dataDir);
      const st = await waitForStatus(rt, token, id, ['completed']);
      assert.equal(st['status'], 'completed');
      assert.ok(existsSync(join(rt.config.maxxi.outputDir)));
    });
  });
}
