/**
 * The MAXXI package of a real report (the real pipeline on a generated WAV): layout, manifest
 * digests, oai_dc content, atomic replacement; and the integration (package + signed webhook +
 * `maxxi_deliveries` state) against a local HTTP receiver.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { SonoError } from '../../src/errors.js';
import { createMaxxiIntegration } from '../../src/maxxi/integration.js';
import {
  packageRelativeDir,
  writeMaxxiPackage,
  type MaxxiManifest,
} from '../../src/maxxi/package-writer.js';
import { verifyWebhookSignature } from '../../src/maxxi/webhook.js';
import { analyzeFile } from '../../src/pipeline/analyze-file.js';
import type { Report } from '../../src/pipeline/report.js';
import { createDatabase } from '../../src/store/database.js';
import type { Store, Task } from '../../src/store/types.js';
import { tempDir, tone, writeWav } from '../helpers/fixtures.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

let report: Report;
let wavPath: string;
before(async () => {
  const dir = tempDir();
  wavPath = writeWav(dir, 'aria.wav', [tone(440, 1.5, 22050)], { sampleRateHz: 22050 });
  report = await analyzeFile(wavPath, { processingType: 'technical', taskId: 'will-be-replaced' });
});

describe('writeMaxxiPackage', () => {
  it('writes <yyyy>/<mm>/<task_id>/ with report, Dublin Core and a manifest of sha256 digests', async () => {
    const out = tempDir();
    const completedAt = new Date('2026-03-09T10:00:00Z');
    const w = await writeMaxxiPackage({
      outputDir: out,
      taskId: 'task-1',
      report,
      completedAt,
      identifiers: { maxxi_id: 'MX-9' },
    });
    assert.equal(w.relativeDir, '2026/03/task-1');
    assert.equal(w.dir, join(out, '2026', '03', 'task-1'));
    const names = readdirSync(w.dir).sort();
    assert.deepEqual(
      names.filter((n) => n !== 'exports'),
      ['dublin_core.json', 'dublin_core.xml', 'manifest.json', 'report.json'],
    );
    const manifest = JSON.parse(
      readFileSync(join(w.dir, 'manifest.json'), 'utf8'),
    ) as MaxxiManifest;
    assert.equal(manifest.package_version, '1.0.0');
    assert.equal(manifest.task_id, 'task-1');
    assert.deepEqual(manifest.maxxi_identifiers, { maxxi_id: 'MX-9' });
    assert.equal(manifest.source.file_name, 'aria.wav');
    assert.equal(manifest.source.sha256, sha(readFileSync(wavPath)));
    for (const f of manifest.files) {
      const bytes = readFileSync(join(w.dir, f.path));
      assert.equal(f.bytes, bytes.length, f.path);
      assert.equal(f.sha256, sha(bytes), f.path);
    }
    const listed = manifest.files.map((f) => f.path).sort();
    const onDisk = [
      ...names.filter((n) => n !== 'exports' && n !== 'manifest.json'),
      ...(existsSync(join(w.dir, 'exports'))
        ? readdirSync(join(w.dir, 'exports')).map((n) => `exports/${n}`)
        : []),
    ].sort();
    assert.deepEqual(listed, onDisk);
    const stored = JSON.parse(readFileSync(join(w.dir, 'report.json'), 'utf8')) as Report;
    assert.equal(stored.audio_info.sample_rate, 22050);
    assert.ok(Math.abs(stored.audio_info.duration - 1.5) < 0.01);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(
      readFileSync(join(w.dir, 'dublin_core.xml'), 'utf8'),
    );
    const dc = xml['oai_dc:dc'];
    assert.ok(dc, 'oai_dc root');
    assert.match(JSON.stringify(dc['dc:format'] ?? ''), /audio\/wav/);
    // No temporary directories left behind.
    assert.deepEqual(readdirSync(join(out, '.tmp')), []);
  });

  it('replaces an existing package atomically', async () => {
    const out = tempDir();
    const at = new Date('2026-01-31T23:59:59Z');
    await writeMaxxiPackage({
      outputDir: out,
      taskId: 't2',
      report,
      completedAt: at,
      identifiers: { v: '1' },
    });
    const w = await writeMaxxiPackage({
      outputDir: out,
      taskId: 't2',
      report,
      completedAt: at,
      identifiers: { v: '2' },
    });
    const m = JSON.parse(readFileSync(join(w.dir, 'manifest.json'), 'utf8')) as MaxxiManifest;
    assert.deepEqual(m.maxxi_identifiers, { v: '2' });
    assert.deepEqual(readdirSync(join(out, '2026', '01')), ['t2']);
    assert.deepEqual(readdirSync(join(out, '.tmp')), []);
  });

  it('fails with SONO_ERR_STORAGE_FAILED when the output directory is unusable', async () => {
    const out = tempDir();
    // A regular file where the output directory should be (works even as root).
    writeFileSync(join(out, 'not-a-dir'), 'x');
    await assert.rejects(
      writeMaxxiPackage({ outputDir: join(out, 'not-a-dir'), taskId: 't3', report }),
      (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_STORAGE_FAILED',
    );
    await assert.rejects(
      writeMaxxiPackage({ outputDir: out, taskId: '../evil', report }),
      (e: unknown) => e instanceof SonoError && e.code === 'SONO_ERR_INVALID_PARAMETER',
    );
  });
});

describe('MAXXI integration (package + signed webhook + delivery state)', () => {
  const secret = 'integration-secret-0123456789';
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const script: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = script.shift() ?? 204;
      res.end();
    });
  });
  let url = '';
  let store: Store;
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/maxxi/hook`;
    store = await createDatabase({ kind: 'sqlite', file: join(tempDir(), 'db.sqlite') });
  });
  after(async () => {
    await store.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function completedTask(): Promise<Task> {
    const t = await store.tasks.create({
      processingType: 'technical',
      sourcePath: wavPath,
      externalIds: { maxxi_id: 'MX-77' },
    });
    await store.tasks.markProcessing(t.id, 1);
    const r = await store.results.insertOrGet({
      taskId: t.id,
      sha256: `x${t.id}`,
      processingType: 'technical',
      analyzersKey: 'k',
      schemaVersion: report.schema_version,
      reportJson: JSON.stringify(report),
    });
    await store.tasks.markCompleted(t.id, { resultId: r.id, processingTimeSec: 1 });
    return (await store.tasks.get(t.id))!;
  }

  /** Outcomes reported by `onDeliveryAttempt` (what the service counts in its metrics). */
  const outcomes: string[] = [];
  function integration(out: string, maxAttempts = 4) {
    return createMaxxiIntegration({
      onDeliveryAttempt: (state) => outcomes.push(state),
      config: {
        compatibilityMode: true,
        outputFormat: 'json',
        metadataSchema: 'dublin_core',
        outputDir: out,
        callbackUrl: url,
        callbackSecret: secret,
        callbackMaxAttempts: maxAttempts,
        allowedRoots: [],
      },
      store,
      logger: quiet,
      webhook: { baseDelayMs: 10 },
    });
  }

  it('writes the package, then delivers a signed callback (retrying 503s) and records it', async () => {
    const out = tempDir();
    const m = integration(out);
    const task = await completedTask();
    received.length = 0;
    outcomes.length = 0;
    script.push(503, 503);
    const w = await m.onTaskCompleted(task, report);
    assert.ok(w);
    assert.equal(w.relativeDir, packageRelativeDir(task.id, new Date(task.completedAt!)));
    const stored = JSON.parse(readFileSync(join(w.dir, 'report.json'), 'utf8')) as Report;
    assert.equal(stored.task_id, task.id);
    await m.idle();
    assert.equal(received.length, 3);
    const last = received[2]!;
    assert.ok(
      verifyWebhookSignature(
        secret,
        String(last.headers['x-sonoteca-timestamp']),
        last.body,
        String(last.headers['x-sonoteca-signature']),
      ),
    );
    const payload = JSON.parse(last.body);
    assert.equal(payload.event, 'task.completed');
    assert.equal(payload.task_id, task.id);
    assert.deepEqual(payload.maxxi_identifiers, { maxxi_id: 'MX-77' });
    assert.equal(payload.package.path, w.relativeDir);
    assert.equal(payload.package.files.length, w.manifest.files.length);
    const d = await store.maxxi.get(task.id);
    assert.equal(d?.state, 'delivered');
    assert.equal(d?.webhookAttempts, 3);
    assert.ok(d?.deliveredAt);
    assert.deepEqual(outcomes, ['retrying', 'retrying', 'delivered']);
    await m.close();
  });

  it('marks a delivery failed after the last attempt, and resumes pending ones on restart', async () => {
    const out = tempDir();
    const task = await completedTask();
    const m = integration(out, 2);
    received.length = 0;
    outcomes.length = 0;
    script.push(500, 500);
    await m.onTaskCompleted(task, report);
    await m.idle();
    assert.deepEqual(outcomes, ['retrying', 'failed']);
    const failed = await store.maxxi.get(task.id);
    assert.equal(failed?.state, 'failed');
    assert.equal(failed?.webhookAttempts, 2);
    assert.equal(failed?.lastError, 'HTTP 500');
    // A delivery left pending by a stopped process is picked up by the next one.
    const t2 = await completedTask();
    await store.maxxi.upsert(t2.id, { state: 'pending', webhookAttempts: 0 });
    received.length = 0;
    const m2 = integration(out);
    assert.ok((await m2.resumePending()) >= 1);
    await m2.idle();
    const resumed = received.find((r) => JSON.parse(r.body).task_id === t2.id);
    assert.ok(resumed);
    // t2 has no package on disk (it was never written): the payload says where it belongs.
    assert.equal(
      JSON.parse(resumed.body).package.path,
      packageRelativeDir(t2.id, new Date(t2.completedAt!)),
    );
    assert.equal((await store.maxxi.get(t2.id))?.state, 'delivered');
    await m.close();
    await m2.close();
  });
});
