/**
 * Every route through `inject()`, on both backend pairs (SQLite + local queue, PostgreSQL +
 * BullMQ): happy paths, coded errors, the auth matrix, upload checks, MAXXI path checks.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeWav, tempDir, tone } from '../helpers/fixtures.js';
import { BACKENDS, createHarness, multipart, type Harness } from './harness.js';

const wav = encodeWav([tone(440, 0.5, 16000)], { sampleRateHz: 16000 });
const wavSha = createHash('sha256').update(wav).digest('hex');

function upload(data: Buffer, fields: Record<string, string> = {}, filename = 'tone.wav') {
  return multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    { name: 'audio_file', filename, data, type: 'audio/wav' },
  ]);
}

function errorCode(res: { json(): unknown }): string {
  return (res.json() as { error: { code: string } }).error.code;
}

for (const backend of BACKENDS) {
  describe(`service routes (${backend})`, () => {
    let h: Harness;
    const archive = tempDir('sono-archive-');
    const outside = tempDir('sono-outside-');
    before(async () => {
      mkdirSync(join(archive, 'tapes'), { recursive: true });
      writeFileSync(join(archive, 'tapes', 'a.wav'), wav);
      writeFileSync(join(archive, 'notes.txt'), 'not audio at all, just text\n');
      writeFileSync(join(outside, 'secret.wav'), wav);
      symlinkSync(join(outside, 'secret.wav'), join(archive, 'escape.wav'));
      h = await createHarness(backend, {
        MAXXI_ALLOWED_ROOTS: archive,
        MAX_UPLOAD_BYTES: '200000',
      });
    });
    after(async () => h.close());

    it('GET /health answers the contract shape without touching dependencies', async () => {
      const res = await h.app.inject({ url: '/health' });
      assert.equal(res.statusCode, 200);
      const b = res.json();
      assert.equal(b.status, 'healthy');
      assert.ok(b.health_score >= 0 && b.health_score <= 100);
      assert.ok(b.uptime_seconds >= 0);
      for (const k of ['cpu_percent', 'memory_percent', 'disk_percent'])
        assert.ok(b.system_metrics[k] >= 0 && b.system_metrics[k] <= 100, k);
      assert.ok(res.headers['x-request-id']);
      // Security headers on the API (probes skip them: machines only).
      const api = await h.app.inject({ url: '/api/v1/tasks' });
      assert.equal(api.headers['x-content-type-options'], 'nosniff');
      assert.match(String(api.headers['content-security-policy']), /default-src 'self'/);
    });

    it('GET /ready, /api/ready and /api/health report every component', async () => {
      for (const url of ['/ready', '/api/ready']) {
        const res = await h.app.inject({ url });
        assert.equal(res.statusCode, 200, url);
        const b = res.json();
        assert.equal(b.status, 'ready');
        assert.equal(b.components.database.ok, true);
        assert.equal(b.components.queue.ok, true);
      }
      const res = await h.app.inject({ url: '/api/health' });
      assert.equal(res.statusCode, 200);
      const b = res.json();
      assert.equal(b.ready, true);
      assert.deepEqual(b.backends, {
        database: backend.startsWith('sqlite') ? 'sqlite' : 'postgres',
        queue: backend.endsWith('local') ? 'local' : 'bullmq',
      });
      assert.equal(typeof b.components.queue.counts.waiting, 'number');
    });

    it('POST /api/v1/auth/login issues a bearer JWT; bad credentials are 401, bad bodies 400', async () => {
      const ok = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'viewer1', password: 'correct horse battery staple' },
      });
      assert.equal(ok.statusCode, 200);
      const b = ok.json();
      assert.equal(b.token_type, 'bearer');
      assert.equal(b.expires_in, 3600);
      assert.equal(b.access_token.split('.').length, 3);
      for (const payload of [
        { username: 'viewer1', password: 'wrong' },
        { username: 'nobody', password: 'wrong' },
      ]) {
        const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
        assert.equal(res.statusCode, 401);
        assert.equal(errorCode(res), 'SONO_ERR_UNAUTHORIZED');
      }
      const bad = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'x' },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(errorCode(bad), 'SONO_ERR_VALIDATION');
    });

    it('enforces the auth matrix (no token, bad, expired, wrong role, API key, revoked key)', async () => {
      const expired = h.app.jwt.sign({
        sub: 'x',
        name: 'viewer1',
        role: 'viewer',
        exp: Math.floor(Date.now() / 1000) - 60,
      });
      const forged = `${h.tokens.admin.slice(0, -4)}AAAA`;
      const cases: [string, Record<string, string>, number, string?][] = [
        ['no token', {}, 401, 'SONO_ERR_UNAUTHORIZED'],
        ['bad token', { authorization: 'Bearer not.a.jwt' }, 401, 'SONO_ERR_UNAUTHORIZED'],
        ['forged signature', { authorization: `Bearer ${forged}` }, 401, 'SONO_ERR_UNAUTHORIZED'],
        ['expired token', { authorization: `Bearer ${expired}` }, 401, 'SONO_ERR_UNAUTHORIZED'],
        ['unknown scheme', { authorization: 'Basic dXNlcjpwYXNz' }, 401, 'SONO_ERR_UNAUTHORIZED'],
        ['viewer token', h.auth('viewer'), 200],
        ['API key', { 'x-api-key': h.apiKey }, 200],
        ['API key scheme', { authorization: `ApiKey ${h.apiKey}` }, 200],
        ['malformed key', { 'x-api-key': 'sk_nope' }, 401, 'SONO_ERR_UNAUTHORIZED'],
      ];
      for (const [name, headers, status, code] of cases) {
        const res = await h.app.inject({ url: '/api/v1/tasks', headers });
        assert.equal(res.statusCode, status, `${name}: ${res.body}`);
        if (code !== undefined) assert.equal(errorCode(res), code, name);
      }
      const expiredRes = await h.app.inject({
        url: '/api/v1/tasks',
        headers: { authorization: `Bearer ${expired}` },
      });
      assert.match(expiredRes.json().error.message, /expired/);
      // Wrong role: a viewer may not submit, an archivist may not read the audit log.
      const up = upload(wav);
      const viewerSubmit = await h.app.inject({
        method: 'POST',
        url: '/api/v1/process',
        headers: { ...up.headers, ...h.auth('viewer') },
        payload: up.payload,
      });
      assert.equal(viewerSubmit.statusCode, 403);
      assert.equal(errorCode(viewerSubmit), 'SONO_ERR_FORBIDDEN');
      const archAudit = await h.app.inject({ url: '/api/v1/audit', headers: h.auth('archivist') });
      assert.equal(archAudit.statusCode, 403);
      const keyAudit = await h.app.inject({
        url: '/api/v1/audit',
        headers: { 'x-api-key': h.apiKey },
      });
      assert.equal(keyAudit.statusCode, 403);
      const adminAudit = await h.app.inject({ url: '/api/v1/audit', headers: h.auth('admin') });
      assert.equal(adminAudit.statusCode, 200);
    });

    let taskId = '';
    it('POST /api/v1/process stores a real WAV durably and queues it (202)', async () => {
      const up = upload(wav, { processing_type: 'technical', priority: '5' });
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/process',
        headers: { ...up.headers, ...h.auth('archivist') },
        payload: up.payload,
      });
      assert.equal(res.statusCode, 202, res.body);
      const b = res.json();
      assert.equal(b.status, 'queued');
      assert.equal(b.sha256, wavSha);
      assert.equal(b.size_bytes, wav.length);
      assert.match(b.message, /tone\.wav/);
      taskId = b.task_id;
      const task = await h.store.tasks.get(taskId);
      assert.ok(task);
      assert.equal(task.processingType, 'technical');
      assert.equal(task.priority, 5);
      assert.equal(task.sha256, wavSha);
      assert.equal(task.mime, 'audio/wav');
      assert.equal(task.submittedBy, 'user:archivist1');
      assert.deepEqual(readFileSync(task.sourcePath), wav);
      const counts = await h.queue.counts();
      assert.ok(counts.waiting + counts.active >= 1);

      const st = await h.app.inject({ url: `/api/v1/status/${taskId}`, headers: h.auth('viewer') });
      assert.equal(st.statusCode, 200);
      const s = st.json();
      assert.equal(s.task_id, taskId);
      assert.equal(s.status, 'queued');
      assert.equal(s.progress, 0);
      assert.equal(s.started_at, null);
      assert.equal(s.processing_type, 'technical');
      assert.ok(!Number.isNaN(Date.parse(s.created_at)));
    });

    it('rejects non-audio (415), oversized (413), bad fields and non-multipart (400), leaving no files', async () => {
      const incoming = join(h.config.uploadDir, '.incoming');
      const before = (await h.store.tasks.list({ limit: 1000 })).items.length;
      const cases: [
        string,
        ReturnType<typeof upload> | { payload: string; headers: Record<string, string> },
        number,
        string,
      ][] = [
        [
          'PNG',
          upload(
            Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2000)]),
            {},
            'fake.wav',
          ),
          415,
          'SONO_ERR_NOT_AUDIO',
        ],
        [
          'text',
          upload(
            Buffer.from('hello, I am a text file pretending to be audio\n'.repeat(10)),
            {},
            'x.mp3',
          ),
          415,
          'SONO_ERR_NOT_AUDIO',
        ],
        ['empty', upload(Buffer.alloc(0)), 422, 'SONO_ERR_EMPTY_FILE'],
        [
          'too large',
          upload(encodeWav([tone(440, 7, 16000)], { sampleRateHz: 16000 })),
          413,
          'SONO_ERR_PAYLOAD_TOO_LARGE',
        ],
        ['bad type', upload(wav, { processing_type: 'everything' }), 400, 'SONO_ERR_VALIDATION'],
        ['bad priority', upload(wav, { priority: 'high' }), 400, 'SONO_ERR_VALIDATION'],
        [
          'no file',
          multipart([{ name: 'processing_type', value: 'technical' }]),
          400,
          'SONO_ERR_VALIDATION',
        ],
        [
          'json',
          { payload: '{"audio_file":"x"}', headers: { 'content-type': 'application/json' } },
          400,
          'SONO_ERR_VALIDATION',
        ],
      ];
      for (const [name, req, status, code] of cases) {
        const res = await h.app.inject({
          method: 'POST',
          url: '/api/v1/process',
          headers: { ...req.headers, ...h.auth('archivist') },
          payload: req.payload,
        });
        assert.equal(res.statusCode, status, `${name}: ${res.body}`);
        assert.equal(errorCode(res), code, name);
      }
      const textRes = await h.app.inject({
        method: 'POST',
        url: '/api/v1/process',
        headers: {
          ...upload(Buffer.from('plain text '.repeat(50))).headers,
          ...h.auth('archivist'),
        },
        payload: upload(Buffer.from('plain text '.repeat(50))).payload,
      });
      assert.equal(textRes.statusCode, 400); // new boundary per call: mismatched headers → 400
      assert.equal((await h.store.tasks.list({ limit: 1000 })).items.length, before);
      assert.deepEqual(existsSync(incoming) ? readdirSync(incoming) : [], []);
    });

    it('POST /api/v1/batch/process accepts several uploads, or server-side paths from trusted clients', async () => {
      const up = multipart([
        { name: 'processing_type', value: 'technical' },
        { name: 'label', value: 'box 12' },
        { name: 'audio_file', filename: 'one.wav', data: wav },
        { name: 'audio_file', filename: 'two.wav', data: wav },
      ]);
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/batch/process',
        headers: { ...up.headers, ...h.auth('archivist') },
        payload: up.payload,
      });
      assert.equal(res.statusCode, 202, res.body);
      const b = res.json();
      assert.equal(b.task_ids.length, 2);
      const listed = await h.app.inject({
        url: `/api/v1/tasks?batch_id=${b.batch_id}`,
        headers: h.auth('viewer'),
      });
      assert.deepEqual(
        listed
          .json()
          .items.map((t: { task_id: string }) => t.task_id)
          .sort(),
        [...b.task_ids].sort(),
      );
      // All-or-nothing: one non-audio part rejects the whole batch.
      const mixed = multipart([
        { name: 'audio_file', filename: 'ok.wav', data: wav },
        {
          name: 'audio_file',
          filename: 'bad.wav',
          data: Buffer.from('%PDF-1.7 not audio'.repeat(10)),
        },
      ]);
      const rej = await h.app.inject({
        method: 'POST',
        url: '/api/v1/batch/process',
        headers: { ...mixed.headers, ...h.auth('archivist') },
        payload: mixed.payload,
      });
      assert.equal(rej.statusCode, 415);
      // By path: API key inside the allowed root → 202; outside → 403; people need admin.
      const byKey = await h.app.inject({
        method: 'POST',
        url: '/api/v1/batch/process',
        headers: { 'x-api-key': h.apiKey },
        payload: { paths: [join(archive, 'tapes', 'a.wav')], processing_type: 'technical' },
      });
      assert.equal(byKey.statusCode, 202, byKey.body);
      const t = await h.store.tasks.get(byKey.json().task_ids[0]);
      assert.equal(t?.sourcePath, join(archive, 'tapes', 'a.wav'));
      const escape = await h.app.inject({
        method: 'POST',
        url: '/api/v1/batch/process',
        headers: { 'x-api-key': h.apiKey },
        payload: {
          paths: [
            join(archive, 'tapes', 'a.wav'),
            join(archive, '..', outside.split('/').pop()!, 'secret.wav'),
          ],
        },
      });
      assert.equal(escape.statusCode, 403);
      assert.equal(errorCode(escape), 'SONO_ERR_PATH_NOT_ALLOWED');
      const person = await h.app.inject({
        method: 'POST',
        url: '/api/v1/batch/process',
        headers: h.auth('archivist'),
        payload: { paths: [join(archive, 'tapes', 'a.wav')] },
      });
      assert.equal(person.statusCode, 403);
      const invalid = await h.app.inject({
        method: 'POST',
        url: '/api/v1/batch/process',
        headers: h.auth('admin'),
        payload: { paths: [] },
      });
      assert.equal(invalid.statusCode, 400);
    });

    it('status/results/exports of unknown or unfinished tasks give coded errors', async () => {
      const unknown = await h.app.inject({
        url: '/api/v1/status/does-not-exist',
        headers: h.auth('viewer'),
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(errorCode(unknown), 'SONO_ERR_NOT_FOUND');
      const badId = await h.app.inject({
        url: '/api/v1/status/bad%20id!',
        headers: h.auth('viewer'),
      });
      assert.equal(badId.statusCode, 400);
      for (const url of [
        `/api/v1/results/${taskId}`,
        `/api/v1/results/${taskId}/exports`,
        `/api/maxxi/metadata/${taskId}`,
      ]) {
        const res = await h.app.inject({ url, headers: h.auth('archivist') });
        assert.equal(res.statusCode, 409, url);
        assert.equal(errorCode(res), 'SONO_ERR_CONFLICT');
      }
      const route404 = await h.app.inject({ url: '/api/v1/nope' });
      assert.equal(route404.statusCode, 404);
      assert.equal(errorCode(route404), 'SONO_ERR_NOT_FOUND');
    });

    it('lists, filters and paginates tasks', async () => {
      const all = await h.app.inject({
        url: '/api/v1/tasks?limit=1000',
        headers: h.auth('viewer'),
      });
      const n = all.json().items.length;
      assert.ok(n >= 4);
      let seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: {
          statusCode: number;
          json(): { items: { task_id: string }[]; next_cursor: string | null };
        } = await h.app.inject({
          url: `/api/v1/tasks?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          headers: h.auth('viewer'),
        });
        assert.equal(res.statusCode, 200);
        seen = seen.concat(res.json().items.map((t: { task_id: string }) => t.task_id));
        cursor = res.json().next_cursor;
      } while (cursor !== null);
      assert.equal(seen.length, n);
      assert.equal(new Set(seen).size, n);
      const tech = await h.app.inject({
        url: '/api/v1/tasks?processing_type=technical&status=queued,processing',
        headers: h.auth('viewer'),
      });
      assert.ok(
        tech
          .json()
          .items.every((t: { processing_type: string }) => t.processing_type === 'technical'),
      );
      const bad = await h.app.inject({
        url: '/api/v1/tasks?status=done',
        headers: h.auth('viewer'),
      });
      assert.equal(bad.statusCode, 400);
    });

    it('edits, cancels and deletes tasks with the right roles, all audited', async () => {
      const edit = await h.app.inject({
        method: 'PATCH',
        url: `/api/v1/tasks/${taskId}`,
        headers: h.auth('archivist'),
        payload: { external_ids: { inventory: 'INV-1' } },
      });
      assert.equal(edit.statusCode, 200, edit.body);
      assert.deepEqual(edit.json().external_ids, { inventory: 'INV-1' });
      const cancel = await h.app.inject({
        method: 'POST',
        url: `/api/v1/tasks/${taskId}/cancel`,
        headers: h.auth('archivist'),
      });
      assert.equal(cancel.statusCode, 200);
      assert.equal(cancel.json().status, 'cancelled');
      const again = await h.app.inject({
        method: 'POST',
        url: `/api/v1/tasks/${taskId}/cancel`,
        headers: h.auth('archivist'),
      });
      assert.equal(again.statusCode, 409);
      const path = (await h.store.tasks.get(taskId))!.sourcePath;
      const archDel = await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/tasks/${taskId}`,
        headers: h.auth('archivist'),
      });
      assert.equal(archDel.statusCode, 403);
      const del = await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/tasks/${taskId}`,
        headers: h.auth('admin'),
      });
      assert.equal(del.statusCode, 204);
      assert.equal(existsSync(path), false);
      const gone = await h.app.inject({
        url: `/api/v1/status/${taskId}`,
        headers: h.auth('viewer'),
      });
      assert.equal(gone.statusCode, 404);
      const audit = await h.app.inject({
        url: `/api/v1/audit?target_id=${taskId}`,
        headers: h.auth('admin'),
      });
      const actions = audit.json().items.map((e: { action: string }) => e.action);
      for (const a of ['task.submitted', 'task.edited', 'task.cancelled', 'task.deleted'])
        assert.ok(actions.includes(a), a);
      const entry = audit.json().items.find((e: { action: string }) => e.action === 'task.deleted');
      assert.equal(entry.actor, 'admin1');
      assert.equal(entry.actor_kind, 'user');
      assert.equal(entry.ip, '127.0.0.1');
    });

    it('MAXXI: submission by reference inside the allowed roots only; status acknowledgements', async () => {
      const post = (payload: object, headers: Record<string, string> = { 'x-api-key': h.apiKey }) =>
        h.app.inject({ method: 'POST', url: '/api/maxxi/results', headers, payload });
      const ok = await post({
        path: join(archive, 'tapes', 'a.wav'),
        maxxi_id: 'MX-0001',
        processing_type: 'technical',
      });
      assert.equal(ok.statusCode, 202, ok.body);
      const tid = ok.json().task_id;
      assert.deepEqual((await h.store.tasks.get(tid))?.externalIds, { maxxi_id: 'MX-0001' });
      const viaUrl = await post({ url: `file://${join(archive, 'tapes', 'a.wav')}` });
      assert.equal(viaUrl.statusCode, 202);
      const attacks = [
        join(archive, '..', outside.split('/').pop()!, 'secret.wav'),
        `${archive}/tapes/../../${outside.split('/').pop()}/secret.wav`,
        join(archive, 'escape.wav'),
        'tapes/a.wav',
        '/etc/passwd',
        `${archive}-evil/a.wav`,
      ];
      for (const path of attacks) {
        const res = await post({ path });
        assert.equal(res.statusCode, 403, path);
        assert.equal(errorCode(res), 'SONO_ERR_PATH_NOT_ALLOWED', path);
      }
      for (const url of ['http://example.org/a.wav', 'file:///etc/passwd']) {
        const res = await post({ url });
        assert.equal(res.statusCode, 403, url);
      }
      const notAudio = await post({ path: join(archive, 'notes.txt') });
      assert.equal(notAudio.statusCode, 415);
      const missing = await post({ path: join(archive, 'tapes', 'missing.wav') });
      assert.equal(missing.statusCode, 404);
      assert.equal(errorCode(missing), 'SONO_ERR_PATH_NOT_FOUND');
      const both = await post({});
      assert.equal(both.statusCode, 400);
      const viewer = await post({ path: join(archive, 'tapes', 'a.wav') }, h.auth('viewer'));
      assert.equal(viewer.statusCode, 403);

      const st = await h.app.inject({
        method: 'POST',
        url: '/api/maxxi/status',
        headers: { 'x-api-key': h.apiKey },
        payload: { task_id: tid, state: 'ingested', identifiers: { collection: 'C-7' } },
      });
      assert.equal(st.statusCode, 200, st.body);
      assert.deepEqual(st.json(), {
        task_id: tid,
        acknowledged: true,
        state: 'ingested',
        maxxi_identifiers: { maxxi_id: 'MX-0001', collection: 'C-7' },
      });
      assert.equal((await h.store.maxxi.get(tid))?.externalState, 'ingested');
      const unknown = await h.app.inject({
        method: 'POST',
        url: '/api/maxxi/status',
        headers: { 'x-api-key': h.apiKey },
        payload: { task_id: 'nope', state: 'ingested' },
      });
      assert.equal(unknown.statusCode, 404);
    });

    it('admin: users and API keys (shown once, revocable), audit log', async () => {
      const u = await h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: h.auth('admin'),
        payload: { username: 'carla', password: 'a long enough password', role: 'archivist' },
      });
      assert.equal(u.statusCode, 201, u.body);
      assert.equal(u.json().role, 'archivist');
      const dup = await h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: h.auth('admin'),
        payload: { username: 'carla', password: 'a long enough password', role: 'viewer' },
      });
      assert.equal(dup.statusCode, 409);
      const short = await h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: h.auth('admin'),
        payload: { username: 'dan', password: 'short', role: 'viewer' },
      });
      assert.equal(short.statusCode, 400);
      const users = await h.app.inject({ url: '/api/v1/users', headers: h.auth('admin') });
      assert.ok(users.json().items.some((x: { username: string }) => x.username === 'carla'));
      assert.ok(!users.body.includes('scrypt$'));

      const k = await h.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: h.auth('admin'),
        payload: { name: 'ingest-bot', role: 'viewer' },
      });
      assert.equal(k.statusCode, 201);
      const key = k.json().key as string;
      assert.match(key, /^sk_[0-9a-f]{12}_/);
      const list = await h.app.inject({ url: '/api/v1/api-keys', headers: h.auth('admin') });
      assert.ok(!list.body.includes(key));
      assert.equal(
        (await h.app.inject({ url: '/api/v1/tasks', headers: { 'x-api-key': key } })).statusCode,
        200,
      );
      const rev = await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/api-keys/${k.json().id}`,
        headers: h.auth('admin'),
      });
      assert.equal(rev.statusCode, 204);
      const revoked = await h.app.inject({ url: '/api/v1/tasks', headers: { 'x-api-key': key } });
      assert.equal(revoked.statusCode, 401);
      assert.equal(errorCode(revoked), 'SONO_ERR_UNAUTHORIZED');

      const audit = await h.app.inject({
        url: '/api/v1/audit?action=api_key.revoked',
        headers: h.auth('admin'),
      });
      assert.equal(audit.json().items.length, 1);
      assert.equal(audit.json().items[0].actor, 'admin1');
    });

    it('GET /metrics exposes request, job, queue and error metrics', async () => {
      const res = await h.app.inject({ url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/plain/);
      for (const name of [
        'sonoteca_http_requests_total',
        'sonoteca_http_request_duration_seconds_bucket',
        'sonoteca_tasks{state="queued"}',
        'sonoteca_queue_jobs{state="waiting"}',
        'sonoteca_errors_total{code="SONO_ERR_NOT_AUDIO",source="http"}',
      ])
        assert.ok(res.body.includes(name), name);
      assert.match(
        res.body,
        /sonoteca_http_requests_total\{method="POST",route="\/api\/v1\/process",status="202"\} [1-9]/,
      );
    });

    it('serves the OpenAPI document with every contract endpoint', async () => {
      const res = await h.app.inject({ url: '/docs/json' });
      assert.equal(res.statusCode, 200);
      const paths = Object.keys(res.json().paths);
      for (const p of [
        '/health',
        '/ready',
        '/api/health',
        '/api/ready',
        '/metrics',
        '/api/v1/auth/login',
        '/api/v1/process',
        '/api/v1/batch/process',
        '/api/v1/status/{task_id}',
        '/api/v1/results/{task_id}',
        '/api/maxxi/metadata/{task_id}',
        '/api/maxxi/status',
        '/api/maxxi/results',
        '/api/v1/tasks',
        '/api/v1/tasks/{task_id}/cancel',
        '/api/v1/results/{task_id}/exports/{export_id}',
        '/api/v1/audit',
      ])
        assert.ok(paths.includes(p), p);
      const ui = await h.app.inject({ url: '/docs/' });
      assert.equal(ui.statusCode, 200);
    });
  });
}

describe('service limits (sqlite+local)', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness('sqlite+local', {
      RATE_LIMIT_LOGIN_MAX: '3',
      RATE_LIMIT_MAX: '5',
      CORS_ORIGINS: 'https://catalogue.example.org',
    });
  });
  after(async () => h.close());

  it('rate-limits login per IP more strictly, with a coded 429', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'viewer1', password: 'wrong' },
        remoteAddress: '10.0.0.9',
      });
      codes.push(res.statusCode);
      if (res.statusCode === 429) {
        assert.equal(errorCode(res), 'SONO_ERR_RATE_LIMITED');
        assert.ok(res.headers['retry-after']);
      }
    }
    assert.deepEqual(codes, [401, 401, 401, 429]);
  });

  it('rate-limits other routes per principal, not /health', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (await h.app.inject({ url: '/api/v1/tasks', headers: h.auth('viewer') })).statusCode,
      );
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 429]);
    // Another principal has its own budget.
    assert.equal(
      (await h.app.inject({ url: '/api/v1/tasks', headers: h.auth('admin') })).statusCode,
      200,
    );
    for (let i = 0; i < 10; i++)
      assert.equal((await h.app.inject({ url: '/health' })).statusCode, 200);
  });

  it('answers CORS preflights for configured origins only', async () => {
    const ok = await h.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/tasks',
      headers: { origin: 'https://catalogue.example.org', 'access-control-request-method': 'GET' },
    });
    assert.equal(ok.headers['access-control-allow-origin'], 'https://catalogue.example.org');
    const other = await h.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/tasks',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});
